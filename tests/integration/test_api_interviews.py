"""Scheduled interviews and the calendar feed through the API function, on moto."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bounceback.infra import clock
from tests.conftest import ApiClient

from .test_api_records import assert_error, create

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def fixed_clock() -> object:
    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    yield
    clock.use(None)


def schedule(api: ApiClient, app_id: object, start: str, user: str = "alice", **more: object):  # type: ignore[no-untyped-def]
    body = {"type": "interview", "scheduled_for": start, "note": "Video call", **more}
    return api.post(f"/applications/{app_id}/events", body, user=user)


def test_an_interview_is_scheduled_stored_and_exported(api: ApiClient) -> None:
    app = create(api)
    reply = schedule(api, app["id"], "2027-02-10T14:00:00+01:00")
    assert reply.status == 201, reply.text
    assert reply.json["event"]["scheduled_for"] == "2027-02-10T13:00:00Z"
    # Stored: the application and the JSON export carry it
    got = api.get(f"/applications/{app['id']}").json
    assert got["events"][0]["scheduled_for"] == "2027-02-10T13:00:00Z"
    export = api.get("/me/export").json
    assert export["applications"][0]["events"][0]["scheduled_for"] == "2027-02-10T13:00:00Z"
    # And the CSV names it in the events column
    csv_text = api.get("/me/export", query={"format": "csv"}).text
    assert "interview scheduled for 2027-02-10T13:00:00+00:00" in csv_text
    # And GET /nudges lists the prep and the debrief with their reasons
    kinds = {n["kind"]: n["reason"] for n in api.get("/nudges").json["upcoming"]}
    assert kinds["interview_prep"] == "Your interview with Acme is on 2027-02-10 at 13:00."
    assert kinds["interview_debrief"] == "You had an interview with Acme on 2027-02-10."


@pytest.mark.parametrize(
    ("start", "more", "says"),
    [
        ("2027-02-10T14:00:00", {}, "UTC offset"),
        ("next tuesday", {}, "2027-02-03T15:00:00+01:00"),
        ("2028-02-04T14:00:00Z", {}, "365 days"),
        ("2027-01-30T09:00:00Z", {"occurred_at": "2027-02-01T10:00:00Z"}, "a day before"),
        ("2027-02-10T14:00:00Z", {"type": "screening"}, "only an interview"),
    ],
)
def test_a_bad_scheduled_for_is_refused_naming_the_field(
    api: ApiClient, start: str, more: dict[str, object], says: str
) -> None:
    app = create(api)
    body = assert_error(schedule(api, app["id"], start, **more), 422, "scheduled_for")
    assert says in str(body), body


def test_the_limits_themselves_are_accepted(api: ApiClient) -> None:
    app = create(api)
    # 365 days ahead exactly, and one day before occurred_at exactly
    assert schedule(api, app["id"], "2028-02-03T14:00:00Z").status == 201
    reply = schedule(api, app["id"], "2027-01-31T10:00:00Z", occurred_at="2027-02-01T10:00:00Z")
    assert reply.status == 201, reply.text
