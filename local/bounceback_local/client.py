"""Start `bounceback local` as a child process and talk to it over HTTP.

Used by `bounceback demo`, the end-to-end tests and the restart benchmark: all of
them see the stack exactly as a user does.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> Answer:
    """One HTTP request; a JSON body for anything but bytes; never raises for a status."""
    sent = dict(headers or {})
    data: bytes | None = None
    if isinstance(body, bytes):
        data = body
    elif body is not None:
        data = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())


class RunningStack:
    """A `bounceback local` child process on a free port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: str = "manual",
        port: int | None = None,
        log: Path | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.clock = clock
        self.log_path = log or data_dir.parent / f"{data_dir.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 60) -> float:
        """Start and wait until the API answers; return the seconds that took."""
        started = time.monotonic()
        self._log = self.log_path.open("ab")
        command = [
            sys.executable,
            "-m",
            "bounceback_local.cli",
            "local",
            "--clock",
            self.clock,
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--quiet",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"bounceback local exited; see {self.log_path}")
            try:
                if call("GET", f"{self.url}/_local/clock", timeout=2).status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"bounceback local did not answer in {timeout} s; see {self.log_path}")

    def wait_until_ready(self, timeout: float = 120) -> None:
        """Wait until the stack says it is running (every worker it starts at first is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Bounceback is running at" in self.log_path.read_text(errors="replace"):
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"bounceback local exited; see {self.log_path}")
            time.sleep(0.05)
        raise TimeoutError(f"bounceback local was not ready in {timeout} s; see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.process = None
        if self._log is not None:
            self._log.close()
        return code

    def kill(self) -> None:
        """`kill -9`: no chance to save anything."""
        self.stop(signal.SIGKILL)

    # -------------------------------------------------------------- the API

    def login(
        self, email: str, *, email_verified: bool = True, as_user: str | None = None
    ) -> tuple[str, str]:
        body: dict[str, Any] = {"email": email, "email_verified": email_verified}
        if as_user is not None:
            body["as"] = as_user
        answer = call("POST", f"{self.url}/_local/login", body)
        assert answer.status == 200, answer.text
        return answer.json["token"], answer.json["user_id"]

    def set_clock(self, now: str) -> Answer:
        return call("POST", f"{self.url}/_local/clock", {"now": now})

    def tick(self) -> int:
        answer = call("POST", f"{self.url}/_local/tick", {}, timeout=300)
        assert answer.status == 200, answer.text
        return int(answer.json["emails_sent"])

    def outbox(self) -> list[dict[str, Any]]:
        emails: list[dict[str, Any]] = call("GET", f"{self.url}/_local/outbox").json
        return emails

    def __enter__(self) -> RunningStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
