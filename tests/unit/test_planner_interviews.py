"""Interview prep and debrief (docs/behaviour.md, "Interview prep", "Interview debrief")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bounceback.domain.model import Application
from bounceback.domain.planner import (
    InterviewDebriefSection,
    InterviewPrepSection,
    PlannedEmail,
    next_wake_at,
    plan,
)
from bounceback.domain.summary import summarize
from bounceback.http.nudges import nudges_view

from .test_planner_support import (
    activity,
    application,
    at,
    event,
    keys_of,
    profile,
    run_until,
    state_of,
)

pytestmark = pytest.mark.unit

BERLIN = "Europe/Berlin"


def interviewing(
    start: datetime,
    recorded: datetime,
    *more: object,
    event_id: str = "i1",
    note: str | None = "Video call, link in the invite",
    **fields: object,
) -> Application:
    """An application with an interview scheduled for `start`, recorded at `recorded`."""
    scheduled = event(
        event_id, "interview", recorded, recorded_at=recorded, note=note, scheduled_for=start
    )
    return application("a1", date(2027, 3, 1), scheduled, *more, **fields)  # type: ignore[arg-type]


def preps(emails: list[PlannedEmail]) -> list[PlannedEmail]:
    return [e for e in emails if e.kinds == ("interview_prep",)]


def sent_kinds(emails: list[PlannedEmail]) -> list[tuple[date, tuple[str, ...]]]:
    return [(e.local_date, e.kinds) for e in emails]


# ------------------------------------------------------------------- interview prep


def test_prep_goes_at_send_time_the_day_before_in_its_own_email() -> None:
    # Given a Berlin user with an interview on Wednesday 10 March at 14:00, recorded a week ahead
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, 12, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN), [app])
    # When the sender runs through the interview
    _, emails = run_until(state, at(2027, 3, 3, 12, 1, tz=BERLIN), at(2027, 3, 10, 23, tz=BERLIN))
    # Then one prep went out at 09:00 local on the 9th, claimed by the event's id
    (prep,) = preps(emails)
    assert prep.send_at == at(2027, 3, 9, 9, tz=BERLIN)
    assert prep.claim_key == "event:i1"
    assert not prep.scheduled
    section = prep.nudges[0].section
    assert isinstance(section, InterviewPrepSection)
    assert section.starts_at == at(2027, 3, 10, 14, tz=BERLIN)
    assert section.logistics == "Video call, link in the invite"


def test_prep_recorded_after_its_moment_goes_at_once_when_two_hours_remain() -> None:
    # Given an interview at 14:00 recorded the same morning at 10:30 (the day-before
    # send time has passed)
    recorded = at(2027, 3, 10, 10, 30, tz=BERLIN)
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), recorded)
    state = state_of(profile(timezone=BERLIN), [app])
    # When the dispatcher runs right after
    due = plan(state, recorded + timedelta(minutes=1)).due
    # Then the prep is due now, dated when it was recorded
    (prep,) = preps(list(due))
    assert prep.send_at == recorded


def test_prep_recorded_less_than_two_hours_before_is_never_sent() -> None:
    # Given an interview at 14:00 recorded at 12:01 local
    recorded = at(2027, 3, 10, 12, 1, tz=BERLIN)
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), recorded)
    state = state_of(profile(timezone=BERLIN), [app])
    # When the sender runs through the day
    _, emails = run_until(state, recorded, at(2027, 3, 12, tz=BERLIN))
    # Then no prep goes out at all
    assert preps(emails) == []


def test_prep_due_but_not_sent_by_two_hours_before_is_dropped() -> None:
    # Given a prep due yesterday at 09:00 that the sender never sent (it was down)
    app = interviewing(at(2027, 3, 10, 10, tz=BERLIN), at(2027, 3, 1, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN), [app])
    assert preps(list(plan(state, at(2027, 3, 10, 7, 59, tz=BERLIN)).due))
    # When the service comes back 1 h 59 min before the interview
    late = plan(state, at(2027, 3, 10, 8, 1, tz=BERLIN))
    # Then the prep is no longer offered, neither due nor upcoming
    assert preps(list(late.due) + list(late.upcoming)) == []


def test_moving_the_interview_replaces_the_old_prep() -> None:
    # Given an interview on the 10th, then moved (a new interview event) to the 12th on the 5th
    moved = event(
        "i2",
        "interview",
        at(2027, 3, 5, tz=BERLIN),
        scheduled_for=at(2027, 3, 12, 11, tz=BERLIN),
    )
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN), moved)
    state = state_of(profile(timezone=BERLIN), [app])
    # When the sender runs through both dates
    _, emails = run_until(state, at(2027, 3, 5, 13, tz=BERLIN), at(2027, 3, 14, tz=BERLIN))
    # Then only the new interview gets a prep (on the 11th) and a debrief (on the 13th)
    assert [(e.claim_key, e.local_date) for e in preps(emails)] == [("event:i2", date(2027, 3, 11))]
    assert "interview_debrief:i2" in keys_of(emails)
    assert "interview_debrief:i1" not in keys_of(emails)


def test_the_same_interview_recorded_twice_gets_one_prep() -> None:
    start = at(2027, 3, 10, 14, tz=BERLIN)
    again = event("i2", "interview", at(2027, 3, 4, tz=BERLIN), scheduled_for=start)
    app = interviewing(start, at(2027, 3, 3, tz=BERLIN), again)
    state = state_of(profile(timezone=BERLIN), [app])
    _, emails = run_until(state, at(2027, 3, 4, 13, tz=BERLIN), at(2027, 3, 12, tz=BERLIN))
    assert [e.claim_key for e in preps(emails)] == ["event:i1"]


def test_a_round_recorded_after_the_first_started_is_another_interview() -> None:
    # Given round one on the 10th and, recorded after it, round two on the 20th
    round_two = event(
        "i2",
        "interview",
        at(2027, 3, 10, 18, tz=BERLIN),
        scheduled_for=at(2027, 3, 20, 10, tz=BERLIN),
    )
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN), round_two)
    state = state_of(profile(timezone=BERLIN), [app])
    _, emails = run_until(state, at(2027, 3, 3, 13, tz=BERLIN), at(2027, 3, 22, tz=BERLIN))
    # Then each round got its prep
    assert [e.claim_key for e in preps(emails)] == ["event:i1", "event:i2"]


def test_prep_and_debrief_follow_dst_between_recording_and_the_interview() -> None:
    # Given an interview recorded in winter time (CET) for the Monday after clocks go
    # forward (Berlin, 28 March 2027)
    app = interviewing(at(2027, 3, 29, 10, tz=BERLIN), at(2027, 3, 20, 12, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN), [app])
    # When the sender runs through it
    _, emails = run_until(state, at(2027, 3, 20, 13, tz=BERLIN), at(2027, 3, 31, tz=BERLIN))
    # Then both go at 09:00 summer time (07:00 UTC), not 08:00 UTC
    (prep,) = preps(emails)
    assert prep.send_at == datetime(2027, 3, 28, 7, tzinfo=UTC)
    debrief = next(e for e in emails if "interview_debrief" in e.kinds)
    assert debrief.send_at == datetime(2027, 3, 30, 7, tzinfo=UTC)


def test_a_pause_covering_the_prep_day_drops_it_and_does_not_move_it() -> None:
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN, paused_until=date(2027, 3, 9)), [app])
    _, emails = run_until(state, at(2027, 3, 3, 13, tz=BERLIN), at(2027, 3, 12, tz=BERLIN))
    assert preps(emails) == []
    # The debrief on the 11th is after the pause and still goes
    assert ("interview_debrief",) in [e.kinds for e in emails]


def test_a_break_does_not_hold_the_prep() -> None:
    # Given a rejection elsewhere on the 8th: a break on the 8th and 9th
    other = application(
        "a2", date(2027, 2, 1), event("r", "rejection", at(2027, 3, 8, 12, tz=BERLIN))
    )
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN), [app, other])
    _, emails = run_until(state, at(2027, 3, 8, 12, 1, tz=BERLIN), at(2027, 3, 10, tz=BERLIN))
    (prep,) = preps(emails)
    assert prep.send_at == at(2027, 3, 9, 9, tz=BERLIN)


@pytest.mark.parametrize("closing", ["withdrawn", "accepted"])
def test_a_closed_application_or_finished_search_drops_the_prep(closing: str) -> None:
    closed = event("c", closing, at(2027, 3, 6, tz=BERLIN))  # type: ignore[arg-type]
    if closing == "accepted":
        closed = event("c", "offer", at(2027, 3, 5, tz=BERLIN))
        app = interviewing(
            at(2027, 3, 10, 14, tz=BERLIN),
            at(2027, 3, 3, tz=BERLIN),
            closed,
            event("c2", "accepted", at(2027, 3, 6, tz=BERLIN)),
        )
    else:
        app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN), closed)
    state = state_of(profile(timezone=BERLIN), [app])
    _, emails = run_until(state, at(2027, 3, 6, 13, tz=BERLIN), at(2027, 3, 12, tz=BERLIN))
    assert [k for k in keys_of(emails) if k.startswith("interview")] == []


def test_unsubscribed_user_gets_no_prep() -> None:
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN, unsubscribed=True), [app])
    assert next_wake_at(state, at(2027, 3, 3, 13, tz=BERLIN)) is None


def test_the_due_index_wakes_for_the_prep() -> None:
    # Given an interview in a week and nothing else that could fall due before it
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, 12, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN, digest_enabled=False), [app])
    # Then the next wake-up is the prep's send time
    assert next_wake_at(state, at(2027, 3, 3, 13, tz=BERLIN)) == at(2027, 3, 9, 9, tz=BERLIN)


# ------------------------------------------------------------------- interview debrief


def test_debrief_goes_at_send_time_the_day_after() -> None:
    app = interviewing(
        at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN), contact_email="kim@acme.example"
    )
    state = state_of(profile(timezone=BERLIN, digest_enabled=False), [app])
    _, emails = run_until(state, at(2027, 3, 3, 13, tz=BERLIN), at(2027, 3, 12, tz=BERLIN))
    debrief = next(e for e in emails if "interview_debrief" in e.kinds)
    assert debrief.scheduled
    assert debrief.send_at == at(2027, 3, 11, 9, tz=BERLIN)
    section = debrief.nudges[0].section
    assert isinstance(section, InterviewDebriefSection)
    assert section.contact_email == "kim@acme.example"


def test_debrief_is_dropped_once_a_later_event_is_recorded() -> None:
    # Given the offer recorded the evening of the interview
    offer = event("o", "offer", at(2027, 3, 10, 19, tz=BERLIN))
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN), offer)
    state = state_of(profile(timezone=BERLIN), [app])
    _, emails = run_until(state, at(2027, 3, 10, 19, 1, tz=BERLIN), at(2027, 3, 14, tz=BERLIN))
    assert "interview_debrief:i1" not in keys_of(emails)


def test_debrief_is_held_by_a_break_and_combined_after_the_week_plan() -> None:
    # Given a rejection elsewhere on the interview day (break of 2 days: 10th and 11th)
    other = application(
        "a2",
        date(2027, 2, 1),
        event("r", "rejection", at(2027, 3, 10, 16, tz=BERLIN)),
        company="Other",
    )
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN, digest_enabled=False), [app, other])
    _, emails = run_until(state, at(2027, 3, 10, 16, 1, tz=BERLIN), at(2027, 3, 13, tz=BERLIN))
    # Then the debrief waits for the comeback day and shares its e-mail, after week_plan
    day_emails = [e for e in emails if e.scheduled]
    assert sent_kinds(day_emails)[0] == (
        date(2027, 3, 12),
        ("replay", "week_plan", "interview_debrief"),
    )


def test_an_interview_recorded_after_its_debrief_moment_gets_no_debrief() -> None:
    # Given an interview on the 1st recorded only on the 5th
    app = interviewing(at(2027, 3, 1, 14, tz=BERLIN), at(2027, 3, 5, 12, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN), [app])
    _, emails = run_until(state, at(2027, 3, 5, 12, 1, tz=BERLIN), at(2027, 3, 8, tz=BERLIN))
    assert not [k for k in keys_of(emails) if k.startswith("interview")]


# ---------------------------------------------------------- activity, summary, nudges


def test_scheduled_interview_is_search_activity_on_its_date() -> None:
    # Given the last activity on 3 March and an interview on the 12th (gap 3 days)
    app = interviewing(at(2027, 3, 12, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(
        profile(timezone=BERLIN, digest_enabled=False),
        [app],
        [activity("x", "exercise", date(2027, 3, 3))],
    )
    _, emails = run_until(state, at(2027, 3, 3, 13, tz=BERLIN), at(2027, 3, 16, 12, tz=BERLIN))
    # Then no gap nudge comes before the interview; the first is 3 days after it
    gaps = [e.local_date for e in emails if "gap" in e.kinds]
    assert gaps == [date(2027, 3, 15)]
    # While the summary still counts from the last activity that happened
    summary = summarize(state, at(2027, 3, 8, 12, tz=BERLIN))
    assert summary.days_since_last_activity == 5


def test_nudges_view_lists_both_with_reasons() -> None:
    app = interviewing(at(2027, 3, 10, 14, tz=BERLIN), at(2027, 3, 3, tz=BERLIN))
    state = state_of(profile(timezone=BERLIN, digest_enabled=False), [app])
    view = nudges_view(state, at(2027, 3, 3, 13, tz=BERLIN))
    reasons = {n["kind"]: n["reason"] for n in view["upcoming"]}
    assert reasons["interview_prep"] == "Your interview with Acme is on 2027-03-10 at 14:00."
    assert reasons["interview_debrief"] == "You had an interview with Acme on 2027-03-10."
