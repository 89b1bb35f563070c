"""Per-account ceilings: one account cannot make the service store (and so plan over)
without bound. Counters on the profile move in the same transaction as each write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.adapters import dynamo as d
from bounceback.adapters.store import DynamoRecordStore
from bounceback.domain.limits import CEILINGS, Usage
from bounceback.errors import LimitReached
from bounceback.ports import Identity
from bounceback.usecases import records
from bounceback_local.harness import ApiClient

NOW = datetime(2027, 2, 2, tzinfo=UTC)

pytestmark = pytest.mark.security


def profile(user: str = "alice") -> Any:
    return d.ProfileItem.get(d.user_pk(user), d.PROFILE_SK, consistent_read=True)


def counts(user: str = "alice") -> tuple[int, int, int]:
    item = profile(user)
    return (
        int(item.application_count or 0),
        int(item.event_count or 0),
        int(item.activity_count or 0),
    )


def set_counts(applications: int, events: int, activities: int) -> None:
    p = d.ProfileItem
    p(d.user_pk("alice"), d.PROFILE_SK).update(
        actions=[
            p.application_count.set(applications),
            p.event_count.set(events),
            p.activity_count.set(activities),
        ]
    )


def create(api: ApiClient) -> Any:
    return api.post("/applications", {"company": "Acme", "role": "Analyst"})


def test_the_counters_follow_every_write_and_delete(api: ApiClient) -> None:
    first, second = create(api).json["id"], create(api).json["id"]
    for kind in ("screening", "interview"):
        assert api.post(f"/applications/{first}/events", {"type": kind}).status == 201
    assert api.post(f"/applications/{second}/events", {"type": "screening"}).status == 201
    assert api.post("/activities", {"kind": "exercise"}).status == 201
    assert counts() == (2, 3, 1)

    assert api.delete(f"/applications/{first}").status == 204
    assert counts() == (1, 1, 1)


def test_applications_stop_at_the_ceiling(api: ApiClient) -> None:
    create(api)
    set_counts(CEILINGS.applications, 0, 0)

    reply = create(api)

    assert reply.status == 409, reply.text
    assert reply.json["error"] == "limit_reached"
    assert f"at most {CEILINGS.applications:,} applications" in reply.json["message"]
    assert counts()[0] == CEILINGS.applications
    assert len(api.get("/applications").json["items"]) == 1


def test_a_delete_makes_room_again(api: ApiClient) -> None:
    app_id = create(api).json["id"]
    set_counts(CEILINGS.applications, 0, 0)
    assert create(api).status == 409
    assert api.delete(f"/applications/{app_id}").status == 204
    assert create(api).status == 201
    assert counts()[0] == CEILINGS.applications


def test_events_stop_at_the_ceiling(api: ApiClient) -> None:
    app_id = create(api).json["id"]
    set_counts(1, CEILINGS.events, 0)
    reply = api.post(f"/applications/{app_id}/events", {"type": "screening"})
    assert reply.status == 409, reply.text
    assert reply.json["error"] == "limit_reached"
    assert "events" in reply.json["message"]
    assert api.get(f"/applications/{app_id}").json["status"] == "applied"


def test_activities_stop_at_the_ceiling(api: ApiClient) -> None:
    assert api.post("/activities", {"kind": "exercise"}).status == 201
    set_counts(0, 0, CEILINGS.activities)
    reply = api.post("/activities", {"kind": "exercise"})
    assert reply.status == 409, reply.text
    assert "activities" in reply.json["message"]
    assert len(api.get("/activities").json["items"]) == 1


def test_a_batch_is_checked_whole_before_it_is_written(api: ApiClient) -> None:
    """What an import calls before writing many rows at once."""
    assert api.get("/me").status == 200
    set_counts(CEILINGS.applications - 10, 0, 0)
    identity = Identity("alice", "alice@example.com", email_verified=True)
    store = DynamoRecordStore()

    room = records.check_room(store, identity, Usage(applications=10), NOW)

    assert room.usage == Usage(applications=CEILINGS.applications - 10)
    with pytest.raises(LimitReached, match="at most 5,000 applications"):
        records.check_room(store, identity, Usage(applications=11), NOW)


def test_an_import_past_a_ceiling_is_refused_whole_and_stores_nothing(api: ApiClient) -> None:
    # Given an account one application short of its ceiling
    create(api)
    set_counts(CEILINGS.applications - 1, 0, 0)
    csv_text = "Company,Role,Date Applied\nGlobex,Engineer,2026-01-04\nInitech,Analyst,2026-01-05\n"
    # When a two-row import would pass it
    reply = api.post("/applications/import", csv_text, headers={"Content-Type": "text/csv"})
    # Then nothing is stored and the answer says why
    assert reply.status == 409, reply.text
    assert reply.json["error"] == "limit_reached"
    assert len(api.get("/applications").json["items"]) == 1
    assert counts()[0] == CEILINGS.applications - 1


def test_an_import_moves_the_counters_by_what_it_stored(api: ApiClient) -> None:
    create(api)
    csv_text = (
        "Company,Role,Date Applied,Status\n"
        "Globex,Engineer,2026-01-04,Applied\n"
        "Initech,Analyst,2026-01-05,Rejected\n"
    )
    reply = api.post("/applications/import", csv_text, headers={"Content-Type": "text/csv"})
    assert reply.status == 200, reply.text
    assert reply.json["created"] == 2
    # one application created by the API plus two imported; the rejection is one event
    assert counts()[:2] == (3, 1)
