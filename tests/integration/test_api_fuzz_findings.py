"""Regression tests for what `make fuzz` (Schemathesis against the local stack) found
(and one thing `bench/load.py` found).

One test per finding, named after the behaviour the fix guarantees; the fuzz run
itself is `tests/fuzz/run.py`.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.infra import clock
from bounceback_local.events import LambdaContext, http_event
from bounceback_local.gateway import Gateway, GatewayServer
from bounceback_local.harness import id_token_claims
from scripts.generate_openapi import OPENAPI_PATH
from tests.conftest import ApiClient

pytestmark = pytest.mark.integration

NOT_UTF8 = b"\xff\xfe{\x07\xc3("


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    yield
    clock.use(None)


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


def _create(api: ApiClient) -> str:
    reply = api.post("/applications", {"company": "Acme", "role": "Analyst"})
    assert reply.status == 201, reply.text
    return str(reply.json["id"])


def _assert_error(status: int, text: str, expected: int) -> dict[str, Any]:
    assert status == expected, text
    body: dict[str, Any] = json.loads(text)
    assert set(body) == {"error", "message", "details"}
    return body


# ------------------------------------------------------ finding 1: non-UTF-8 bodies were a 500


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("PATCH", "/me", {}),
        ("POST", "/applications", {}),
        ("POST", "/applications", {"Idempotency-Key": "fuzz-1"}),
        ("POST", "/activities", {}),
    ],
)
def test_a_json_body_that_is_not_utf8_is_a_400_not_a_crash(
    api: ApiClient, method: str, path: str, headers: dict[str, str]
) -> None:
    # Given bytes API Gateway can only pass on base64-encoded
    # When they are sent as a JSON body
    reply = api.request(
        method, path, NOT_UTF8, headers={"Content-Type": "application/json", **headers}
    )

    # Then the answer is a plain 400 in the error shape
    body = _assert_error(reply.status, reply.text, 400)
    assert body["error"] == "bad_request"


def test_an_event_body_that_is_not_utf8_is_a_400_not_a_crash(api: ApiClient) -> None:
    app_id = _create(api)

    reply = api.post(
        f"/applications/{app_id}/events", NOT_UTF8, headers={"Content-Type": "application/json"}
    )

    _assert_error(reply.status, reply.text, 400)


def test_a_base64_encoded_utf8_json_body_still_works(api: ApiClient) -> None:
    # Given UTF-8 JSON that reaches the function base64-encoded, as API Gateway may send it
    body = json.dumps({"company": "Åcme", "role": "Analyst"}).encode()
    event = http_event(
        "POST",
        "POST /applications",
        "/applications",
        claims=id_token_claims("alice", "alice@example.com"),
        body=base64.b64encode(body).decode(),
        headers={"Content-Type": "application/json"},
    )
    event["isBase64Encoded"] = True

    # When the API function gets it
    result = api._handler(event, LambdaContext("ApiFunction"))

    # Then it is read as the JSON it is
    assert result["statusCode"] == 201, result["body"]
    assert json.loads(result["body"])["company"] == "Åcme"


# ------------------------------------ finding 2: the authorizer's 401 did not match the contract


def test_the_documented_401_is_the_authorizers_own_answer(contract: dict[str, Any]) -> None:
    # API Gateway's JWT authorizer answers {"message": "Unauthorized"} itself.
    schema = contract["components"]["schemas"]["Unauthorized"]
    assert schema["required"] == ["message"]
    for path, operations in contract["paths"].items():
        for method, operation in operations.items():
            if operation.get("security") == [{}]:
                continue
            answer = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert answer == {"$ref": "#/components/schemas/Unauthorized"}, (method, path)


def test_the_functions_own_401_also_fits_the_documented_401(api: ApiClient) -> None:
    reply = api.get("/me", user=None)

    assert reply.status == 401 and isinstance(reply.json["message"], str)


# ------------------------------- finding 3: 422s documented in another shape on some routes


def test_every_documented_422_has_the_one_error_shape(contract: dict[str, Any]) -> None:
    for path, operations in contract["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert answer == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)


# --------------------- finding 4: PATCH bodies offered null for fields that refuse it (ST202)


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        ("ApplicationPatch", ["company", "role", "source", "applied_on"]),
        (
            "ProfilePatch",
            ["timezone", "send_hour", "break_days", "gap_days", "digest_enabled", "unsubscribed"],
        ),
    ],
)
def test_the_contract_never_offers_null_where_a_patch_refuses_it(
    contract: dict[str, Any], schema: str, fields: list[str]
) -> None:
    properties = contract["components"]["schemas"][schema]["properties"]
    for name in fields:
        field = json.dumps(properties[name])
        assert '"null"' not in field and "default" not in properties[name], (schema, name)


def test_the_contract_still_lets_a_pause_be_cleared_with_null(contract: dict[str, Any]) -> None:
    paused = contract["components"]["schemas"]["ProfilePatch"]["properties"]["paused_until"]

    assert {"type": "null"} in paused["anyOf"]


def test_null_for_a_required_application_field_is_still_refused(api: ApiClient) -> None:
    app_id = _create(api)

    reply = api.patch(f"/applications/{app_id}", {"role": None})

    _assert_error(reply.status, reply.text, 422)


# ----------------------------- finding 5: numbers were read as Unix times where a date is due


@pytest.mark.parametrize("since", ["0", "20270201", "1e3"])
def test_since_must_be_an_iso_date(api: ApiClient, since: str) -> None:
    reply = api.get("/activities", query={"since": since})

    body = _assert_error(reply.status, reply.text, 422)
    assert body["details"][0]["field"] == "since"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/applications", {"company": "Acme", "role": "Analyst", "applied_on": 0}, "applied_on"),
        ("/applications", {"company": "A", "role": "B", "applied_on": "20270201"}, "applied_on"),
        ("/activities", {"kind": "other", "date": 1_800_000_000}, "date"),
    ],
)
def test_dates_in_bodies_must_be_iso_dates(
    api: ApiClient, path: str, body: dict[str, Any], field: str
) -> None:
    reply = api.post(path, body)

    assert _assert_error(reply.status, reply.text, 422)["details"][0]["field"] == field


def test_a_pause_must_be_an_iso_date(api: ApiClient) -> None:
    reply = api.patch("/me", {"paused_until": 0})

    assert _assert_error(reply.status, reply.text, 422)["details"][0]["field"] == "paused_until"


def test_an_event_time_must_be_iso_text(api: ApiClient) -> None:
    app_id = _create(api)

    reply = api.post(f"/applications/{app_id}/events", {"type": "screening", "occurred_at": 0})

    assert _assert_error(reply.status, reply.text, 422)["details"][0]["field"] == "occurred_at"


def test_iso_dates_and_times_are_still_accepted(api: ApiClient) -> None:
    app_id = _create(api)

    event = api.post(
        f"/applications/{app_id}/events",
        {"type": "screening", "occurred_at": "2027-02-02T15:00:00+01:00"},
    )
    activity = api.post("/activities", {"kind": "other", "date": "2027-02-01"})
    listed = api.get("/activities", query={"since": "2027-01-31"})

    assert event.status == 201, event.text
    assert activity.status == 201, activity.text
    assert listed.status == 200 and len(listed.json["items"]) == 1


# ------------ finding 6: the local gateway answered 501 to methods no route has (TRACE, QUERY)


@pytest.fixture
def bare_gateway() -> Iterator[int]:
    """The local stack's HTTP server with no routes at all, on a free loopback port."""
    server = GatewayServer("127.0.0.1", 0, quiet=True)
    server.gateway = Gateway([], lambda name, event: None, {}, "127.0.0.1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PROPFIND"])
def test_a_method_no_route_has_is_a_404_like_api_gateway(bare_gateway: int, method: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", bare_gateway, timeout=10)
    connection.request(method, "/me")
    answer = connection.getresponse()

    assert answer.status == 404
    assert json.loads(answer.read()) == {"message": "Not Found"}
    connection.close()


# ------------- finding 7: PATCH /me read JSON true as hour 1 (lax coercion of numbers, booleans)


@pytest.mark.parametrize(
    "changes",
    [
        {"send_hour": True},
        {"send_hour": "9"},
        {"send_hour": 9.0},
        {"break_days": False},
        {"gap_days": "3"},
        {"digest_enabled": 1},
        {"digest_enabled": "false"},
        {"unsubscribed": "yes"},
    ],
)
def test_profile_numbers_and_switches_must_have_their_json_type(
    api: ApiClient, changes: dict[str, Any]
) -> None:
    reply = api.patch("/me", changes)

    body = _assert_error(reply.status, reply.text, 422)
    assert body["details"][0]["field"] == next(iter(changes))
    assert api.get("/me").json["send_hour"] == 9


def test_profile_numbers_and_switches_of_the_right_type_are_accepted(api: ApiClient) -> None:
    reply = api.patch("/me", {"send_hour": 7, "gap_days": 4, "digest_enabled": False})

    assert reply.status == 200, reply.text
    assert (reply.json["send_hour"], reply.json["gap_days"], reply.json["digest_enabled"]) == (
        7,
        4,
        False,
    )


# ---- found by bench/load.py: 50 clients connecting at once got resets at the listen backlog


def test_the_local_gateway_accepts_fifty_clients_connecting_at_once(bare_gateway: int) -> None:
    # Given 50 clients that all connect at the same moment
    gate = threading.Barrier(50)
    statuses: list[int] = []
    failures: list[str] = []

    def client() -> None:
        gate.wait()
        connection = http.client.HTTPConnection("127.0.0.1", bare_gateway, timeout=30)
        try:
            connection.request("POST", "/activities", body=b'{"kind": "other"}')
            statuses.append(connection.getresponse().status)
        except OSError as exc:
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every one of them gets an answer (socketserver's default backlog is 5)
    assert failures == [] and statuses == [404] * 50
    assert GatewayServer.request_queue_size >= 64
