"""No user can see or change another user's data, on any route of the template."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.infra import clock
from bounceback_local.template import Resolver, functions
from tests.conftest import TEMPLATE, ApiClient

pytestmark = pytest.mark.security

SPEC = functions(TEMPLATE, Resolver(TEMPLATE))["ApiFunction"]
ROUTES = sorted(
    (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
    for e in SPEC.events.values()
    if (e["Properties"].get("Auth") or {}).get("Authorizer") != "NONE"
)
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /applications/{id}": {"notes": "alice was here"},
    "POST /applications/{id}/events": {"type": "offer"},
    "PATCH /me": {"send_hour": 5},
    "POST /applications": {"company": "Alice Co", "role": "Lead"},
    "POST /activities": {"kind": "exercise"},
    # JSON in the export's shape: stored in the caller's own partition only.
    "POST /applications/import": {
        "applications": [{"company": "Alice Co", "role": "Lead", "applied_on": "2027-02-01"}]
    },
}
BOB_COMPANY = "Bob Secret Corp"


@pytest.fixture
def bob(api: ApiClient) -> dict[str, Any]:
    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    created = api.post(
        "/applications",
        {
            "company": BOB_COMPANY,
            "role": "Analyst",
            "applied_on": "2027-02-01",
            "notes": "bob only",
        },
        user="bob",
    )
    assert created.status == 201
    api.post(
        f"/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "direct_email", "note": "bob only"},
        user="bob",
    )
    api.post("/activities", {"kind": "networking_event", "note": "bob only"}, user="bob")
    yield {"app_id": created.json["id"], "export": api.get("/me/export", user="bob").json}
    clock.use(None)


def test_every_authenticated_route_is_covered_here() -> None:
    with_id = [r for r in ROUTES if "{id}" in r[1]]
    without_id = [f"{m} {p}" for m, p in ROUTES if "{id}" not in p]
    assert with_id, "routes with ids exist"
    unknown = set(without_id) - {
        "GET /me",
        "PATCH /me",
        "DELETE /me",
        "GET /me/export",
        "POST /applications",
        "GET /applications",
        "POST /activities",
        "GET /activities",
        "GET /nudges",
        "GET /summary",
        "GET /me/calendar",
        "POST /me/calendar/rotate",
        "POST /applications/import",
    }
    assert not unknown, f"new routes need an ownership rule here: {unknown}"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{id}" in r[1]])
def test_another_users_id_is_not_found_on_every_method(
    api: ApiClient, bob: dict[str, Any], method: str, path: str
) -> None:
    reply = api.request(
        method,
        path.replace("{id}", bob["app_id"]),
        BODIES.get(f"{method} {path}"),
        user="alice",
    )
    assert reply.status == 404, reply.text
    assert BOB_COMPANY not in reply.text
    assert api.get("/me/export", user="bob").json == bob["export"]


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{id}" not in r[1]])
def test_routes_without_ids_only_ever_touch_the_callers_own_data(
    api: ApiClient, bob: dict[str, Any], method: str, path: str
) -> None:
    reply = api.request(method, path, BODIES.get(f"{method} {path}"), user="alice")
    assert reply.status < 400, reply.text
    assert BOB_COMPANY not in reply.text and "bob only" not in reply.text
    assert bob["app_id"] not in reply.text
    assert api.get("/me/export", user="bob").json == bob["export"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/applications", {"company": "X", "role": "Y", "user_id": "bob"}),
        ("/applications", {"company": "X", "role": "Y", "id": "01JDW0000000000000000000AA"}),
        ("/activities", {"kind": "exercise", "sub": "bob"}),
    ],
)
def test_a_body_naming_another_user_is_refused(
    api: ApiClient, bob: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    reply = api.post(path, body, user="alice")
    assert reply.status == 422
    assert api.get("/me/export", user="bob").json == bob["export"]


def test_a_profile_patch_naming_another_user_is_refused(
    api: ApiClient, bob: dict[str, Any]
) -> None:
    for body in ({"id": "bob"}, {"email": "bob@example.com"}, {"user_id": "bob"}):
        assert api.patch("/me", body, user="alice").status == 422
    assert api.get("/me", user="alice").json["email"] == "alice@example.com"
