"""The planner's bounded read against the table: what it reads, and that it plans the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bounceback.adapters import dynamo as d
from bounceback.adapters.store import DynamoRecordStore
from bounceback.domain.model import Activity
from bounceback.domain.planner import activity_cutoff, next_wake_at, plan, planning_view
from bounceback.infra import clock
from bounceback_local.harness import ApiClient

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 14, 10, 0, tzinfo=UTC)
CUTOFF = activity_cutoff(NOW)


def seed(api: ApiClient, user: str) -> None:
    """A profile, an application and activities on both sides of the cutoff."""
    clock.use(lambda: NOW)
    assert api.get("/me", user=user).status == 200
    created = api.post(
        "/applications",
        {"company": "Acme", "role": "Analyst", "applied_on": "2027-06-01"},
        user=user,
    )
    assert created.status == 201, created.text
    days = {
        "old1": CUTOFF - timedelta(days=300),
        "old2": CUTOFF - timedelta(days=40),
        "old3": CUTOFF - timedelta(days=2),  # the latest before the cutoff…
        "old4": CUTOFF - timedelta(days=2),  # …twice: the larger id is the one kept
        "edge": CUTOFF,
        "new1": CUTOFF + timedelta(days=50),
        "new2": NOW.date(),
    }
    kinds = ["networking_event", "resume_updated", "contacts_reviewed", "industry_news"]
    for n, (activity_id, day) in enumerate(days.items()):
        activity = Activity(
            id=activity_id,
            kind=kinds[n % len(kinds)],  # type: ignore[arg-type]
            date=day,
            created_at=datetime.combine(day, datetime.min.time(), UTC),
        )
        d.activity_to_item(user, activity).save()


def test_the_bounded_read_holds_the_window_and_the_latest_activity_before_it(
    api: ApiClient,
) -> None:
    seed(api, "ada")
    store = DynamoRecordStore()
    full = store.load_state_for_planning("ada")
    bounded = store.load_state_for_planning("ada", CUTOFF)
    assert full is not None and bounded is not None

    assert sorted(a.id for a in bounded[0].activities) == ["edge", "new1", "new2", "old4"]
    assert bounded[1] == full[1]  # the same plan version
    assert bounded[0].applications == full[0].applications
    assert bounded[0].profile == full[0].profile
    # Exactly what the planner's own view of the full history keeps.
    view = planning_view(full[0], NOW)
    assert sorted(a.id for a in view.activities) == sorted(a.id for a in bounded[0].activities)
    assert plan(bounded[0], NOW) == plan(full[0], NOW)
    assert next_wake_at(bounded[0], NOW) == next_wake_at(full[0], NOW)


def test_an_earlier_since_reads_more_and_plans_the_same(api: ApiClient) -> None:
    seed(api, "bea")
    store = DynamoRecordStore()
    full = store.load_state_for_planning("bea")
    wider = store.load_state_for_planning("bea", CUTOFF - timedelta(days=3))
    assert full is not None and wider is not None
    # From three days before the cutoff on, and the latest one before that.
    assert sorted(a.id for a in wider[0].activities) == [
        "edge",
        "new1",
        "new2",
        "old2",
        "old3",
        "old4",
    ]
    assert plan(wider[0], NOW) == plan(full[0], NOW)


def test_get_nudges_plans_from_the_bounded_read(api: ApiClient) -> None:
    seed(api, "cy")
    full = DynamoRecordStore().load_state("cy")
    assert full is not None
    reply = api.get("/nudges", user="cy")
    assert reply.status == 200, reply.text
    expected = [
        (n.kind, e.local_date.isoformat(), n.reason)
        for e in (*plan(full, NOW).due, *plan(full, NOW).upcoming)
        for n in e.nudges
    ]
    answered = [(n["kind"], n["local_date"], n["reason"]) for n in reply.json["upcoming"]]
    assert answered == expected
    assert answered  # the seeded history plans something (a follow-up, digests)


def test_the_window_is_130_days_of_utc_dates() -> None:
    assert activity_cutoff(NOW) == date(2027, 2, 4)
    assert activity_cutoff(datetime(2027, 6, 14, 23, 59, tzinfo=UTC)) == date(2027, 2, 4)
