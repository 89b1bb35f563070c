"""The calendar feed, parsed back with icalendar (docs/behaviour.md, "Calendar feed")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from bounceback.domain.calendar import calendar_feed
from bounceback.domain.model import UserState

from .test_planner_support import application, at, event, profile, state_of

pytestmark = pytest.mark.unit

BERLIN = "Europe/Berlin"
HOSTILE = 'Acme, Inc.; "R&D" \\ Labs\nBEGIN:VEVENT\r\nUID:evil ' + "x" * 200


def parsed(state: UserState, now: datetime) -> dict[str, dict[str, object]]:
    """The feed's events by UID, each as its decoded properties."""
    cal = Calendar.from_ical(calendar_feed(state, now).body)
    events: dict[str, dict[str, object]] = {}
    for component in cal.walk("VEVENT"):
        props = {name.lower(): component.decoded(name) for name in component}
        events[str(component["uid"])] = props
    return events


def test_feed_has_the_calendar_header_and_each_kind_of_entry() -> None:
    # Given an interview, an application still waiting, and a current break (Berlin)
    interviewing = application(
        "a1",
        date(2027, 3, 1),
        event(
            "i1",
            "interview",
            at(2027, 3, 3, tz=BERLIN),
            scheduled_for=at(2027, 3, 10, 14, tz=BERLIN),
            note="Room 4, ask for Kim",
        ),
    )
    waiting = application("a2", date(2027, 3, 2), company="Beta", role="Designer")
    rejected = application(
        "a3", date(2027, 2, 1), event("r", "rejection", at(2027, 3, 4, 10, tz=BERLIN))
    )
    state = state_of(profile(timezone=BERLIN), [interviewing, waiting, rejected])
    feed = calendar_feed(state, at(2027, 3, 4, 12, tz=BERLIN))
    cal = Calendar.from_ical(feed.body)
    # Then the calendar says who made it and what it is called
    assert str(cal["version"]) == "2.0"
    assert "Bounceback" in str(cal["prodid"])
    assert str(cal["x-wr-calname"]) == "Bounceback"
    events = parsed(state, at(2027, 3, 4, 12, tz=BERLIN))
    # And the interview is one timed hour, in UTC
    interview = events["interview-i1@bounceback.invalid"]
    assert interview["summary"] == "Interview: Acme — Analyst"
    assert interview["dtstart"] == datetime(2027, 3, 10, 13, tzinfo=UTC)
    assert interview["dtend"] == datetime(2027, 3, 10, 14, tzinfo=UTC)
    assert interview["description"] == "Room 4, ask for Kim"
    assert interview["dtstamp"] == at(2027, 3, 3, tz=BERLIN)
    # And the waiting application's P+7 and P+30 are all-day entries on those dates
    follow = events["follow-up-a2@bounceback.invalid"]
    assert follow["summary"] == "Follow up: Beta — Designer"
    assert (follow["dtstart"], follow["dtend"]) == (date(2027, 3, 9), date(2027, 3, 10))
    assert events["no-response-a2@bounceback.invalid"]["dtstart"] == date(2027, 4, 1)
    # And the break's comeback day (rejection on the 4th, two-day break)
    comeback = events["comeback-2027-03-04@bounceback.invalid"]
    assert comeback["dtstart"] == date(2027, 3, 6)
    # And nothing else: the interviewing and rejected applications have no follow-ups
    assert len(events) == 4


def test_hostile_company_names_round_trip_and_lines_are_folded() -> None:
    app = application(
        "a1",
        date(2027, 3, 1),
        event("i1", "interview", at(2027, 3, 3), scheduled_for=at(2027, 3, 10, 14), note=HOSTILE),
        company=HOSTILE,
        role="Role; with, commas\\",
    )
    state = state_of(profile(), [app])
    body = calendar_feed(state, at(2027, 3, 4)).body
    # Every line is at most 75 octets and ends in CRLF; only one line begins a VEVENT
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)
    assert [line for line in lines if line.startswith((b"BEGIN:", b"UID:"))] == [
        b"BEGIN:VCALENDAR",
        b"BEGIN:VEVENT",
        b"UID:interview-i1@bounceback.invalid",
    ]
    # And the text comes back exactly (RFC 5545 text knows one line break: CRLF becomes LF)
    (interview,) = parsed(state, at(2027, 3, 4)).values()
    same = HOSTILE.replace("\r\n", "\n")
    assert interview["summary"] == f"Interview: {same} — Role; with, commas\\"
    assert interview["description"] == same
    assert str(interview["uid"]) == "interview-i1@bounceback.invalid"


def test_interview_time_is_right_across_a_dst_change() -> None:
    # Given an interview recorded in winter time for a day in summer time (Berlin)
    app = application(
        "a1",
        date(2027, 3, 1),
        event(
            "i1",
            "interview",
            at(2027, 3, 20, tz=BERLIN),
            scheduled_for=at(2027, 3, 29, 10, tz=BERLIN),
        ),
    )
    state = state_of(profile(timezone=BERLIN), [app])
    (interview,) = parsed(state, at(2027, 3, 21, tz=BERLIN)).values()
    # Then it starts at 10:00 CEST = 08:00 UTC (not 09:00 UTC)
    assert interview["dtstart"] == datetime(2027, 3, 29, 8, tzinfo=UTC)


def test_feed_is_stable_across_fetches_and_changes_with_the_records() -> None:
    first = application(
        "a1",
        date(2027, 3, 1),
        event("i1", "interview", at(2027, 3, 3), scheduled_for=at(2027, 3, 10, 14)),
    )
    state = state_of(profile(), [first])
    one = calendar_feed(state, at(2027, 3, 4, 8))
    two = calendar_feed(state, at(2027, 3, 4, 20))
    assert one == two  # same body and ETag: DTSTAMP does not move with the clock
    # When the interview is moved
    moved = application(
        "a1",
        date(2027, 3, 1),
        first.events[0],
        event("i2", "interview", at(2027, 3, 5), scheduled_for=at(2027, 3, 12, 9)),
    )
    after = calendar_feed(state_of(profile(), [moved]), at(2027, 3, 5, 12))
    # Then the ETag changes and only the new time is listed
    assert after.etag != one.etag
    events = parsed(state_of(profile(), [moved]), at(2027, 3, 5, 12))
    assert list(events) == ["interview-i2@bounceback.invalid"]


def test_past_follow_up_dates_and_finished_searches_are_left_out() -> None:
    waiting = application("a1", date(2027, 3, 1))
    state = state_of(profile(), [waiting])
    # A week and a day later the follow-up date has passed; the no-response date remains
    assert list(parsed(state, at(2027, 3, 9))) == ["no-response-a1@bounceback.invalid"]
    # After an accepted offer elsewhere, the search is finished: no follow-up dates
    accepted = application(
        "a2",
        date(2027, 2, 1),
        event("o", "offer", at(2027, 3, 2)),
        event("y", "accepted", at(2027, 3, 3)),
        created_at=at(2027, 2, 1),
    )
    done = state_of(profile(), [replace_created(waiting), accepted])
    assert parsed(done, at(2027, 3, 4)) == {}


def replace_created(app: object) -> object:
    from dataclasses import replace

    return replace(app, created_at=at(2027, 3, 1) - timedelta(hours=1))  # type: ignore[type-var]
