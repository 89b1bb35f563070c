"""Acknowledgement, recovery break and comeback (docs/behaviour.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bounceback.domain.planner import (
    AcknowledgementSection,
    AskFeedbackSection,
    PlannedEmail,
    ReplaySection,
    WeekPlanSection,
    find_breaks,
    next_wake_at,
    plan,
)

from .test_planner_support import (
    activity,
    application,
    at,
    event,
    profile,
    record,
    run_until,
    state_of,
)

pytestmark = pytest.mark.unit

BERLIN = "Europe/Berlin"


def scheduled(emails: tuple[PlannedEmail, ...] | list[PlannedEmail]) -> list[PlannedEmail]:
    return [e for e in emails if e.scheduled]


def rejected(
    app_id: str, day: date, *, channel: str = "automated_email", hour: int = 12, **kw: object
):  # type: ignore[no-untyped-def]
    """An application rejected at `hour`:00 UTC on `day`."""
    return application(
        app_id,
        day - timedelta(days=10),
        event(f"r-{app_id}", "rejection", at(day.year, day.month, day.day, hour), channel=channel),  # type: ignore[arg-type]
        **kw,
    )


# --------------------------------------------------------------- acknowledgement


def test_rejection_recorded_at_2059_local_is_acknowledged_at_once() -> None:
    # Given a Berlin user who records a rejection at 20:59 local
    recorded = at(2027, 2, 3, 20, 59, tz=BERLIN)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    state = state_of(profile(timezone=BERLIN), [app])
    # When the dispatcher runs right after
    result = plan(state, recorded + timedelta(minutes=1))
    # Then the acknowledgement is due at the moment it was recorded
    (ack,) = result.due
    assert ack.kinds == ("acknowledgement",)
    assert ack.claim_key == "event:e1"
    assert ack.send_at == recorded
    assert not ack.scheduled


def test_rejection_recorded_at_2100_local_waits_for_the_next_send_time() -> None:
    # Given a Berlin user (send hour 9) who records a rejection at 21:00 local
    recorded = at(2027, 2, 3, 21, 0, tz=BERLIN)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    state = state_of(profile(timezone=BERLIN), [app])
    # When the planner looks right after
    result = plan(state, recorded + timedelta(minutes=1))
    # Then nothing is due yet and the acknowledgement goes at 09:00 the next morning
    assert result.due == ()
    ack = result.upcoming[0]
    assert ack.kinds == ("acknowledgement",)
    assert ack.send_at == at(2027, 2, 4, 9, tz=BERLIN)
    assert next_wake_at(state, recorded) == at(2027, 2, 4, 9, tz=BERLIN)


def test_rejection_recorded_at_0759_local_waits_until_send_time_the_same_morning() -> None:
    recorded = at(2027, 2, 3, 7, 59, tz=BERLIN)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    state = state_of(profile(timezone=BERLIN), [app])
    assert plan(state, recorded).upcoming[0].send_at == at(2027, 2, 3, 9, tz=BERLIN)


def test_rejection_acknowledged_once_even_when_its_claim_is_unknown() -> None:
    # Given an acknowledgement whose send ended in an unknown state
    recorded = at(2027, 2, 3, 14)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    state = state_of(profile(digest_enabled=False), [app])
    ack = plan(state, recorded).due[0]
    state = state_of(state.profile, [app], sent=[record(ack, recorded, "unknown")])
    # When the planner looks again
    result = plan(state, recorded + timedelta(hours=1))
    # Then it is never offered again (no blind re-send)
    assert all(e.claim_key != "event:e1" for e in result.due + result.upcoming)


def test_acknowledgement_ignores_pause_and_caps() -> None:
    # Given a paused user who already had four e-mails this week
    recorded = at(2027, 2, 5, 14)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    busy = [
        record(
            PlannedEmail(f"day:2027-02-0{d}", date(2027, 2, d), at(2027, 2, d, 9), ()),
            at(2027, 2, d, 9),
        )
        for d in (1, 2, 3, 4)
    ]
    state = state_of(profile(paused_until=date(2027, 3, 1)), [app], sent=busy)
    # When the rejection is recorded
    result = plan(state, recorded)
    # Then it is still acknowledged at once
    assert [e.claim_key for e in result.due] == ["event:e1"]


def test_rejection_reported_after_its_break_is_over_gets_no_acknowledgement_or_comeback() -> None:
    # Given a rejection that happened on Feb 1 but is recorded on Feb 5 (break of 2 days)
    occurred = at(2027, 2, 1, 12)
    late = at(2027, 2, 5, 10)
    app = application(
        "a1",
        date(2027, 1, 20),
        event("e1", "rejection", occurred, recorded_at=late, channel="direct_email"),
    )
    state = state_of(profile(digest_enabled=False), [app])
    # When the planner looks at that moment and over the next weeks
    result = plan(state, late)
    kinds = {k for e in result.due + result.upcoming for k in e.kinds}
    # Then there is neither an acknowledgement nor a comeback, only the gap guard
    assert "acknowledgement" not in kinds
    assert not kinds & {"ask_feedback", "replay", "week_plan"}


def test_acknowledgement_says_when_we_will_check_in() -> None:
    recorded = at(2027, 2, 3, 14)
    app = application("a1", date(2027, 1, 20), event("e1", "rejection", recorded))
    (ack,) = plan(state_of(profile(), [app]), recorded).due
    assert isinstance(ack.nudges[0].section, AcknowledgementSection)
    assert ack.nudges[0].section.comeback_on == date(2027, 2, 5)
    assert ack.nudges[0].application_ids == ("a1",)
    assert "Acme" in ack.nudges[0].reason


# --------------------------------------------------------------- recovery break


def test_rejection_starts_a_break_of_b_days_with_comeback_on_d_plus_b() -> None:
    state = state_of(profile(break_days=3), [rejected("a1", date(2027, 2, 3))])
    (brk,) = find_breaks(state)
    assert (brk.start, brk.comeback) == (date(2027, 2, 3), date(2027, 2, 6))
    assert brk.covers(date(2027, 2, 5)) and not brk.covers(date(2027, 2, 6))


def test_rejection_on_the_last_day_of_a_break_extends_it() -> None:
    # Given a 2-day break from Feb 1 and a second rejection on Feb 2, its last day
    state = state_of(
        profile(digest_enabled=False),
        [rejected("a1", date(2027, 2, 1)), rejected("a2", date(2027, 2, 2))],
    )
    # When the break is computed
    (brk,) = find_breaks(state)
    # Then the comeback moves to Feb 2 + 2 = Feb 4
    assert brk.comeback == date(2027, 2, 4)
    comeback = scheduled(plan(state, at(2027, 2, 2, 13)).upcoming)[0]
    assert comeback.local_date == date(2027, 2, 4)
    assert comeback.nudges[0].section.application_id == "a2"  # type: ignore[union-attr]


def test_rejection_on_the_comeback_day_starts_a_new_break_and_one_comeback() -> None:
    # Given rejections on Feb 1 and on Feb 3 (the comeback day of the first break)
    apps = [rejected("a1", date(2027, 2, 1), hour=7), rejected("a2", date(2027, 2, 3), hour=7)]
    state = state_of(profile(digest_enabled=False), apps)
    # When the sender runs through the following days
    _, sent = run_until(state, at(2027, 2, 1, 7), at(2027, 2, 8))
    # Then there are two breaks but only one comeback, after the second one
    assert [(b.start, b.comeback) for b in find_breaks(state)] == [
        (date(2027, 2, 1), date(2027, 2, 3)),
        (date(2027, 2, 3), date(2027, 2, 5)),
    ]
    comebacks = [e for e in sent if "week_plan" in e.kinds]
    assert [e.local_date for e in comebacks] == [date(2027, 2, 5)]
    assert comebacks[0].nudges[0].key == "comeback:2027-02-03"


def test_three_rejections_in_a_row_hit_the_two_b_cap() -> None:
    # Given rejections on Feb 1, 2 and 3 with a 2-day break
    apps = [rejected(f"a{d}", date(2027, 2, d)) for d in (1, 2, 3)]
    state = state_of(profile(digest_enabled=False), apps)
    # Then the comeback is Feb 5 = D1 + 2*B
    assert [b.comeback for b in find_breaks(state)] == [date(2027, 2, 5)]
    # And a fourth rejection on Feb 4 cannot push it further
    state = state_of(state.profile, [*apps, rejected("a4", date(2027, 2, 4))])
    assert [b.comeback for b in find_breaks(state)] == [date(2027, 2, 5)]


def test_no_scheduled_email_inside_a_break() -> None:
    # Given a week-long break starting Feb 1 and an application whose follow-up is due Feb 3
    apps = [
        rejected("a1", date(2027, 2, 1)),
        application("b", date(2027, 1, 27), created_at=at(2027, 1, 27)),
    ]
    state = state_of(profile(break_days=7), apps)
    # When the sender runs through February
    _, sent = run_until(state, at(2027, 2, 1, 13), at(2027, 2, 28))
    # Then no scheduled e-mail falls on Feb 1..7, and the follow-up goes with the comeback
    days = [e.local_date for e in scheduled(sent)]
    assert all(not date(2027, 2, 1) <= d <= date(2027, 2, 7) for d in days)
    first = scheduled(sent)[0]
    assert first.local_date == date(2027, 2, 8)
    assert first.kinds == ("replay", "week_plan", "follow_up", "digest")


# --------------------------------------------------------------- comeback


def test_comeback_after_a_personal_rejection_asks_for_feedback_with_the_contact() -> None:
    app = rejected(
        "a1",
        date(2027, 2, 3),
        channel="recruiter_call",
        contact_name="Sam",
        contact_email="sam@acme.example",
    )
    state = state_of(profile(digest_enabled=False), [app])
    comeback = scheduled(plan(state, at(2027, 2, 3, 13)).upcoming)[0]
    assert comeback.local_date == date(2027, 2, 5)
    assert comeback.send_at == at(2027, 2, 5, 9)
    assert comeback.kinds == ("ask_feedback", "week_plan")
    ask = comeback.nudges[0]
    assert ask.key == "comeback:2027-02-03"
    assert isinstance(ask.section, AskFeedbackSection)
    assert ask.section.contact_email == "sam@acme.example"
    assert ask.section.contact_name == "Sam"


def test_comeback_after_feedback_was_received_suggests_a_replay_instead() -> None:
    app = application(
        "a1",
        date(2027, 1, 20),
        event("r", "rejection", at(2027, 2, 3), channel="direct_email"),
        event("f", "feedback_received", at(2027, 2, 4)),
    )
    state = state_of(profile(digest_enabled=False), [app])
    comeback = scheduled(plan(state, at(2027, 2, 4, 13)).upcoming)[0]
    assert comeback.kinds == ("replay", "week_plan")


@pytest.mark.parametrize("channel", ["automated_email", "agency", "no_response"])
def test_comeback_after_an_impersonal_rejection_suggests_replaying_the_interview(
    channel: str,
) -> None:
    app = application(
        "a1",
        date(2027, 1, 20),
        event("s", "screening", at(2027, 1, 25)),
        event("i", "interview", at(2027, 1, 28)),
        event("r", "rejection", at(2027, 2, 3), channel=channel),  # type: ignore[arg-type]
    )
    state = state_of(profile(digest_enabled=False), [app])
    comeback = scheduled(plan(state, at(2027, 2, 3, 13)).upcoming)[0]
    assert comeback.kinds == ("replay", "week_plan")
    assert comeback.nudges[0].section.interview_happened is True  # type: ignore[union-attr]


def test_replay_without_an_interview_becomes_the_posting_versus_cv_variant() -> None:
    state = state_of(profile(digest_enabled=False), [rejected("a1", date(2027, 2, 3))])
    replay = scheduled(plan(state, at(2027, 2, 3, 13)).upcoming)[0].nudges[0]
    assert replay.kind == "replay"
    assert isinstance(replay.section, ReplaySection)
    assert replay.section.interview_happened is False


def test_week_plan_picks_three_kinds_not_logged_in_the_last_14_days() -> None:
    # Given a comeback on Feb 5 and, within the 14 days before, networking and an application
    app = rejected("a1", date(2027, 2, 3))  # applied Jan 24: applications were logged
    logged = [
        activity("n", "networking_event", date(2027, 2, 1)),
        activity("c", "resume_updated", date(2027, 1, 10)),  # too long ago to count
        activity("x", "exercise", date(2027, 2, 2)),
    ]
    state = state_of(profile(digest_enabled=False), [app], logged)
    # When the comeback is planned
    week_plan = scheduled(plan(state, at(2027, 2, 3, 13)).upcoming)[0].nudges[1]
    # Then the three picks are the kinds not logged lately, one a day from the comeback
    assert week_plan.kind == "week_plan"
    assert isinstance(week_plan.section, WeekPlanSection)
    picks = week_plan.section.picks
    assert {p.category for p in picks} == {"contacts", "cv", "industry_news"}
    assert [p.on for p in picks] == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7)]
    # And since exercise was logged, the stress reliever is something else
    assert week_plan.section.stress_relief == "other"


def test_week_plan_still_has_three_picks_when_everything_was_logged() -> None:
    app = rejected("a1", date(2027, 2, 3))
    logged = [
        activity(k, k, date(2027, 2, 1))  # type: ignore[arg-type]
        for k in ("networking_event", "contacts_reviewed", "resume_updated", "industry_news")
    ]
    state = state_of(profile(digest_enabled=False), [app], logged)
    week_plan = scheduled(plan(state, at(2027, 2, 3, 13)).upcoming)[0].nudges[1]
    assert isinstance(week_plan.section, WeekPlanSection)
    assert len(week_plan.section.picks) == 3
    assert week_plan.section.stress_relief == "exercise"


def test_comeback_is_sent_once() -> None:
    state = state_of(profile(digest_enabled=False), [rejected("a1", date(2027, 2, 3))])
    _, sent = run_until(state, at(2027, 2, 3, 13), at(2027, 3, 31))
    comebacks = [e for e in sent if "week_plan" in e.kinds]
    assert len(comebacks) == 1


def test_unsubscribed_mid_break_gets_nothing_at_all() -> None:
    # Given a user in a break with a comeback pending
    state = state_of(profile(), [rejected("a1", date(2027, 2, 3))])
    assert plan(state, at(2027, 2, 4)).upcoming
    # When they unsubscribe
    gone = state_of(profile(unsubscribed=True), state.applications)
    # Then nothing is planned, and nothing will ever wake them
    result = plan(gone, at(2027, 2, 4))
    assert result.due == () and result.upcoming == ()
    assert next_wake_at(gone, at(2027, 2, 4)) is None
