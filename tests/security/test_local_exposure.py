"""The local stack stays on this machine: loopback unless --expose (then no /_local/*),
DNS rebinding refused by the Host check, no cross-site POST to the local routes."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bounceback_local.cli import main
from bounceback_local.client import RunningStack, call, free_port
from bounceback_local.gateway import Gateway, Reply, Request, host_checker
from bounceback_local.stack import LocalStack, NotLoopback

pytestmark = pytest.mark.security


# ------------------------------------------------------------ unit: the gateway's checks
def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"{}") -> Request:
    return Request(method, path, "", headers, [], body, "127.0.0.1")


def _gateway(bound: str = "127.0.0.1", port: int = 3000) -> Gateway:
    def login(request: Request) -> Reply:
        return Reply.json(200, {"token": "minted"})

    return Gateway(
        [],
        lambda name, event: {"statusCode": 200, "body": ""},
        {("POST", "/_local/login"): login},
        f"{bound}:{port}",
        host_allowed=host_checker(bound, port),
    )


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:3000",  # DNS rebinding: the attacker's name, our address
        "attacker.example",
        "localhost.attacker.example:3000",
        "127.0.0.1:8080",  # another port: not this server
        "192.168.1.20:3000",  # not the loopback address it is bound to
        "",
    ],
)
def test_a_loopback_server_refuses_foreign_host_headers(host: str) -> None:
    reply = _gateway().handle(
        _request("POST", "/_local/login", {"host": host, "content-type": "application/json"})
    )
    assert reply.status == 421
    assert "Host" in json.loads(reply.body)["message"]


@pytest.mark.parametrize("host", ["127.0.0.1:3000", "localhost:3000", "LOCALHOST:3000"])
def test_a_loopback_server_answers_its_own_names(host: str) -> None:
    reply = _gateway().handle(
        _request("POST", "/_local/login", {"host": host, "content-type": "application/json"})
    )
    assert reply.status == 200


def test_an_exposed_server_answers_ip_addresses_but_not_names() -> None:
    allowed = host_checker("0.0.0.0", 3000)
    assert allowed("192.168.1.20:3000")
    assert allowed("[::1]:3000")
    assert allowed("localhost:3000")
    assert not allowed("attacker.example:3000")
    assert not allowed("192.168.1.20:3001")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",  # what a cross-site fetch or form may send without asking
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
    ],
)
def test_local_posts_need_a_json_content_type(content_type: str | None) -> None:
    headers = {"host": "127.0.0.1:3000"}
    if content_type is not None:
        headers["content-type"] = content_type
    reply = _gateway().handle(_request("POST", "/_local/login", headers))
    assert reply.status == 415
    document = json.loads(reply.body)
    assert document["details"] == [{"field": "Content-Type", "message": "application/json"}]


def test_local_posts_take_json_with_a_charset() -> None:
    reply = _gateway().handle(
        _request(
            "POST",
            "/_local/login",
            {"host": "127.0.0.1:3000", "content-type": "application/json; charset=utf-8"},
        )
    )
    assert reply.status == 200


# ------------------------------------------------------------ the command line
def test_a_network_address_is_refused_without_expose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code = main(["local", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(data)])
    assert code == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0" in err and "--expose" in err
    assert not data.exists(), "nothing may start"


def test_the_stack_itself_refuses_a_network_address_without_expose(tmp_path: Path) -> None:
    stack = LocalStack(host="0.0.0.0", port=0, data_dir=tmp_path / "data")
    with pytest.raises(NotLoopback):
        stack.start()
    assert not (tmp_path / "data" / "lock").exists(), "it stopped before taking the data"


# ------------------------------------------------------------ end to end
def _raw(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Any:
    """One request with exactly these headers (urllib would set Host itself)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("loopback") / "data")
    running.start()
    yield running
    assert running.stop() == 0


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_dns_rebinding_and_cross_site_posts_are_refused_over_http(
    loopback: RunningStack,
) -> None:
    port = loopback.port
    body = json.dumps({"email": "victim@example.com"}).encode()
    own = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json"}
    # A page served from a rebound name reaches us with its own name as Host.
    rebound = {**own, "Host": f"rebound.example:{port}"}
    status, _ = _raw(port, "POST", "/_local/login", rebound, body)
    assert status == 421
    status, _ = _raw(port, "GET", "/_local/outbox", {"Host": f"rebound.example:{port}"})
    assert status == 421
    # A cross-site form post (no preflight) cannot mint a token.
    status, _ = _raw(port, "POST", "/_local/login", {**own, "Content-Type": "text/plain"}, body)
    assert status == 415
    # The stack's own clients still sign in.
    status, answer = _raw(port, "POST", "/_local/login", own, body)
    assert status == 200 and json.loads(answer)["token"]


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_expose_warns_and_turns_the_local_routes_off(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "exposed.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [sys.executable, "-m", "bounceback_local.cli", "local", "--quiet"]
    command += ["--host", "0.0.0.0", "--expose", "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "data"), "--clock", "manual"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                try:
                    if call("GET", f"{url}/openapi.json", timeout=2).status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                raise AssertionError(f"the exposed stack did not answer: {log.read_text()}")
            login = call("POST", f"{url}/_local/login", {"email": "anyone@example.com"})
            assert login.status == 404
            assert call("GET", f"{url}/_local/outbox").status == 404
            assert call("POST", f"{url}/_local/tick", {}).status == 404
            # The API itself answers, and wants a real token.
            assert call("GET", f"{url}/me").status == 401
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
    text = log.read_text()
    assert "WARNING: --expose" in text
    assert "local-only routes are OFF" in text
