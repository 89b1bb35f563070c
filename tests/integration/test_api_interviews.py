"""Scheduled interviews and the calendar feed through the API function, on moto."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import boto3
import pytest
from icalendar import Calendar

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


# ------------------------------------------------------------------ calendar feed


def feed_path(api: ApiClient, user: str = "alice") -> str:
    reply = api.get("/me/calendar", user=user)
    assert reply.status == 200, reply.text
    url = str(reply.json["url"])
    assert url.endswith(".ics")
    return "/calendar/" + url.rsplit("/calendar/", 1)[1]


def events_of(text: str) -> dict[str, str]:
    """UID -> SUMMARY of each VEVENT, parsed with the icalendar library."""
    cal = Calendar.from_ical(text)
    return {str(e["uid"]): str(e["summary"]) for e in cal.walk("VEVENT")}


def test_the_feed_address_is_stable_and_the_feed_needs_no_sign_in(api: ApiClient) -> None:
    app = create(api)
    assert schedule(api, app["id"], "2027-02-10T14:00:00+01:00").status == 201
    path = feed_path(api)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(secret) == 32  # token_urlsafe(24): 192 random bits
    assert feed_path(api) == path  # the same address on every call
    # When a calendar app fetches it without a token
    reply = api.get(path, user=None)
    # Then it is an iCalendar feed with the interview and the application's dates
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/calendar")
    events = events_of(reply.text)
    interview_uids = [u for u in events if u.startswith("interview-")]
    assert [events[u] for u in interview_uids] == ["Interview: Acme — Analyst"]
    # And its ETag answers 304 to a calendar app that already has it
    etag = reply.headers["ETag"]
    again = api.get(path, user=None, headers={"If-None-Match": etag})
    assert (again.status, again.text) == (304, "")
    assert api.get(path, user=None, headers={"If-None-Match": '"other"'}).status == 200


def test_unknown_secrets_and_other_names_are_a_plain_404(api: ApiClient) -> None:
    path = feed_path(api)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    for wrong in (
        "/calendar/" + "A" * 32 + ".ics",
        "/calendar/" + secret,
        "/calendar/" + secret + ".txt",
        "/calendar/" + secret[:-1] + ".ics",
        "/calendar/..%2F.ics",
    ):
        reply = api.get(wrong, user=None)
        assert reply.status == 404, wrong
        assert reply.headers["Content-Type"].startswith("text/plain")


def test_each_user_sees_only_their_own_feed(api: ApiClient) -> None:
    alice_app = create(api, user="alice", company="Alice Corp")
    schedule(api, alice_app["id"], "2027-02-10T14:00:00Z", user="alice")
    bob_app = create(api, user="bob", company="Bob Inc")
    schedule(api, bob_app["id"], "2027-02-11T09:00:00Z", user="bob")
    alice, bob = feed_path(api, "alice"), feed_path(api, "bob")
    assert alice != bob
    bob_feed = api.get(bob, user=None).text
    assert "Bob Inc" in bob_feed and "Alice Corp" not in bob_feed
    # And Alice rotating her address leaves Bob's alone
    assert api.post("/me/calendar/rotate", user="alice").status == 200
    assert api.get(bob, user=None).status == 200
    assert api.get(alice, user=None).status == 404


def test_rotating_retires_the_old_address(api: ApiClient) -> None:
    old = feed_path(api)
    reply = api.post("/me/calendar/rotate")
    assert reply.status == 200, reply.text
    new = "/calendar/" + str(reply.json["url"]).rsplit("/calendar/", 1)[1]
    assert new != old
    assert api.get(old, user=None).status == 404
    assert api.get(new, user=None).status == 200
    assert feed_path(api) == new


def test_erasing_the_user_removes_the_feed_and_its_lookup_item(api: ApiClient) -> None:
    path = feed_path(api)
    assert api.delete("/me").status == 204
    assert api.get(path, user=None).status == 404
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    assert table.scan()["Items"] == []
