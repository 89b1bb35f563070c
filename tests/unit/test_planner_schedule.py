"""Gap guard, follow-ups, digest, caps and stop conditions (docs/behaviour.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bounceback.domain.model import SentEmail, UserState
from bounceback.domain.planner import (
    HORIZON_DAYS,
    DigestSection,
    GapSection,
    PlannedEmail,
    WeekCount,
    next_wake_at,
    plan,
)

from .test_planner_support import (
    activity,
    application,
    at,
    deliver,
    event,
    keys_of,
    profile,
    record,
    run_until,
    state_of,
)

pytestmark = pytest.mark.unit


def day_claim(day: date, *keys: str) -> SentEmail:
    """A day e-mail already sent, carrying `keys`."""
    email = PlannedEmail(f"day:{day.isoformat()}", day, at(day.year, day.month, day.day, 9), ())
    return replace(record(email, at(day.year, day.month, day.day, 9)), nudge_keys=keys)


def scheduled(emails: tuple[PlannedEmail, ...] | list[PlannedEmail]) -> list[PlannedEmail]:
    return [e for e in emails if e.scheduled]


def quiet(**kw: object):  # type: ignore[no-untyped-def]
    """A profile without digests, so each test sees only the rule it is about."""
    return profile(digest_enabled=False, **kw)


# --------------------------------------------------------------- gap guard


def test_gap_nudges_back_off_at_g_2g_4g_8g_then_sunset() -> None:
    # Given one activity on Feb 1 and nothing since (gap of 3 days)
    state = state_of(quiet(), activities=[activity("x", "industry_news", date(2027, 2, 1))])
    # When the sender runs for three months
    final, sent = run_until(state, at(2027, 2, 1, 13), at(2027, 5, 1))
    # Then gap nudges go out on A+3, A+6, A+12, A+24 and then stop
    assert [(e.local_date, keys_of([e])) for e in sent] == [
        (date(2027, 2, 4), ["gap:2027-02-01:1"]),
        (date(2027, 2, 7), ["gap:2027-02-01:2"]),
        (date(2027, 2, 13), ["gap:2027-02-01:3"]),
        (date(2027, 2, 25), ["gap:2027-02-01:4"]),
    ]
    assert sent[-1].nudges[0].section.final is True  # type: ignore[union-attr]
    assert next_wake_at(final, at(2027, 5, 1)) is None


def test_activity_on_the_day_a_gap_nudge_is_due_cancels_it() -> None:
    # Given a gap nudge due on Feb 4 at 09:00
    before = state_of(quiet(), activities=[activity("x", "industry_news", date(2027, 2, 1))])
    assert scheduled(plan(before, at(2027, 2, 4, 8)).upcoming)[0].local_date == date(2027, 2, 4)
    # When the user logs an activity at 08:00 that morning
    after = state_of(
        quiet(),
        activities=[*before.activities, activity("y", "networking_event", date(2027, 2, 4))],
    )
    # Then nothing is due at 09:00, and the gap clock restarts from Feb 4
    result = plan(after, at(2027, 2, 4, 9, 5))
    assert result.due == ()
    assert keys_of(result.upcoming[:1]) == ["gap:2027-02-04:1"]
    assert result.upcoming[0].local_date == date(2027, 2, 7)


def test_user_without_any_search_activity_gets_no_gap_nudges() -> None:
    state = state_of(profile())
    assert plan(state, at(2027, 2, 1)) == plan(state, at(2027, 2, 1)).__class__((), ())
    assert next_wake_at(state, at(2027, 2, 1)) is None


def test_gap_anchor_is_the_day_after_the_break() -> None:
    app = application("a1", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 3)))
    state = state_of(quiet(gap_days=4), [app])
    gaps = [
        n for e in plan(state, at(2027, 2, 3, 13)).upcoming for n in e.nudges if n.kind == "gap"
    ]
    assert gaps[0].key == "gap:2027-02-05:1"
    assert gaps[0].local_date == date(2027, 2, 9)


def gap_sections(state: UserState, start: datetime, end: datetime) -> list[GapSection]:
    _, sent = run_until(state, start, end)
    return [n.section for e in sent for n in e.nudges if isinstance(n.section, GapSection)]


def test_gap_after_a_break_counts_from_the_comeback_day_not_from_the_last_activity() -> None:
    # Given an application on Jan 20, then a rejection on Feb 3 (break Feb 3-4)
    app = application("a1", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 3)))
    state = state_of(quiet(gap_days=3), [app])
    # When the first gap nudge goes out, three days after the comeback day (Feb 5)
    first = gap_sections(state, at(2027, 2, 3, 13), at(2027, 2, 8, 12))[0]
    # Then it counts 3 quiet days from the comeback day, and says so
    assert (first.anchor, first.since_kind, first.days_idle) == (date(2027, 2, 5), "comeback", 3)
    (nudge,) = [
        n
        for e in plan(state, at(2027, 2, 8, 8)).upcoming
        for n in e.nudges
        if n.kind == "gap" and n.local_date == date(2027, 2, 8)
    ]
    assert nudge.reason.startswith("3 days since your comeback day (2027-02-05)")


def test_gap_after_a_pause_counts_from_the_first_day_back() -> None:
    state = state_of(
        quiet(gap_days=3, paused_until=date(2027, 2, 10)),
        activities=[activity("x", "industry_news", date(2027, 2, 1))],
    )
    first = gap_sections(state, at(2027, 2, 1, 13), at(2027, 2, 15))[0]
    assert (first.anchor, first.since_kind, first.days_idle) == (date(2027, 2, 11), "pause", 3)


def test_each_gap_step_suggests_a_different_kind_not_logged_lately() -> None:
    # Given a CV update and an application in the days before a quiet spell
    state = state_of(
        quiet(gap_days=3),
        [application("a1", date(2027, 1, 28), event("s", "screening", at(2027, 1, 29)))],
        [activity("x", "resume_updated", date(2027, 2, 1))],
    )
    # When the four gap steps go out
    steps = gap_sections(state, at(2027, 2, 1, 13), at(2027, 4, 1))
    # Then each names another category, never the CV or applications logged lately,
    # until those too are weeks old
    assert [s.step for s in steps] == [1, 2, 3, 4]
    picked = [s.suggestion.category for s in steps]
    assert len(set(picked)) == 4
    assert not {"cv", "applications"} & set(picked[:3])
    assert all(
        s.suggestion.on == e
        for s, e in zip(steps, [date(2027, 2, d) for d in (4, 7, 13, 25)], strict=True)
    )


def test_back_dated_activity_never_triggers_an_instant_gap_nudge() -> None:
    # Given an application dated a month ago but recorded just now
    now = at(2027, 2, 5, 10)
    app = application(
        "a1",
        date(2027, 1, 5),
        event("s", "screening", at(2027, 1, 6), recorded_at=now),
        created_at=now,
    )
    state = state_of(quiet(), [app])
    # When the planner looks
    result = plan(state, now)
    # Then no gap nudge is due or upcoming for the steps that passed before we knew
    assert [n.key for e in result.due + result.upcoming for n in e.nudges if n.kind == "gap"] == []


# --------------------------------------------------------------- follow-ups


def test_follow_up_at_p_plus_7_and_no_response_check_at_p_plus_30_share_one_email() -> None:
    # Given app A applied Jan 1 (its follow-up already sent) and app B applied Jan 24
    a = application("A", date(2027, 1, 1))
    b = application("B", date(2027, 1, 24))
    note = activity("n", "industry_news", date(2027, 1, 30))  # keeps the gap guard quiet
    sent = [day_claim(date(2027, 1, 8), "follow_up:A")]
    state = state_of(quiet(), [a, b], [note], sent)
    # When the sender runs on Jan 31 (A: P+30, B: P+7)
    result = plan(state, at(2027, 1, 31, 9))
    # Then one e-mail carries both, follow-up first
    (email,) = result.due
    assert email.claim_key == "day:2027-01-31"
    assert email.kinds == ("follow_up", "no_response_check")
    assert [n.key for n in email.nudges] == ["follow_up:B", "no_response_check:A"]


def test_follow_up_is_dropped_when_the_application_hears_back() -> None:
    app = application("a", date(2027, 1, 1), event("s", "screening", at(2027, 1, 5)))
    state = state_of(quiet(), [app])
    kinds = {k for e in plan(state, at(2027, 1, 6)).upcoming for k in e.kinds}
    assert not kinds & {"follow_up", "no_response_check"}


def test_users_own_follow_up_keeps_the_no_response_check() -> None:
    app = application("a", date(2027, 1, 1), event("f", "follow_up_sent", at(2027, 1, 8)))
    state = state_of(
        quiet(gap_days=14), [app], sent=[day_claim(date(2027, 1, 22), "gap:2027-01-08:1")]
    )
    keys = keys_of(plan(state, at(2027, 1, 25)).upcoming)
    assert "no_response_check:a" in keys and "follow_up:a" not in keys


def test_back_dated_application_gets_only_the_no_response_check_at_the_next_send_time() -> None:
    # Given an application dated 40 days ago, recorded at 10:00 (after the send time)
    now = at(2027, 2, 10, 10)
    state = state_of(quiet(), [application("a", date(2027, 1, 1), created_at=now)])
    # When the sender runs over the next days
    final, sent = run_until(state, now, at(2027, 2, 20))
    # Then it gets one no-response check the next morning and no follow-up at all
    assert [(e.local_date, keys_of([e])) for e in sent][:1] == [
        (date(2027, 2, 11), ["no_response_check:a"])
    ]
    assert "follow_up:a" not in keys_of(sent)
    assert "follow_up:a" not in keys_of(plan(final, at(2027, 2, 20)).upcoming)


# --------------------------------------------------------------- digest


def test_weekly_digest_goes_out_on_monday_with_figures_and_eight_weeks() -> None:
    # Given some activity in the week of Feb 1 and the week before
    apps = [application("a", date(2027, 2, 2)), application("b", date(2027, 1, 26))]
    acts = [activity("x", "networking_event", date(2027, 2, 3))]
    state = state_of(profile(gap_days=14), apps, acts)
    # When the planner looks on Sunday Feb 7, and at send time on Monday Feb 8
    upcoming = next(e for e in plan(state, at(2027, 2, 7)).upcoming if "digest" in e.kinds)
    (email,) = plan(state, at(2027, 2, 8, 9)).due
    # Then the digest is on Monday Feb 8 at send time with the week's figures
    assert upcoming.send_at == email.send_at == at(2027, 2, 8, 9)
    assert email.kinds == ("follow_up", "digest")  # application b is a week old
    digest = email.nudges[-1].section
    assert isinstance(digest, DigestSection) and digest.figures is not None
    figures = digest.figures
    assert figures.past_week == WeekCount(applications=1, activities=1)
    assert figures.week_before == WeekCount(applications=1, activities=0)
    assert figures.days_since_last_activity == 5
    assert [w.count for w in figures.weeks] == [0, 0, 0, 0, 0, 0, 1, 2]
    assert figures.weeks[-1].week_of == date(2027, 2, 1)


def test_digest_inside_a_break_is_skipped_not_moved() -> None:
    # Given a rejection on Sunday Feb 7: the break covers Monday Feb 8
    app = application("a1", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 7)))
    state = state_of(profile(gap_days=14), [app])
    # When the sender runs for two weeks
    _, sent = run_until(state, at(2027, 2, 7, 13), at(2027, 2, 16))
    # Then the Feb 8 digest never goes out, but the Feb 15 one does
    keys = keys_of(sent)
    assert "digest:2027-02-08" not in keys
    assert "digest:2027-02-15" in keys


def test_digest_inside_a_pause_is_skipped() -> None:
    state = state_of(
        profile(paused_until=date(2027, 2, 8), gap_days=14), [application("a", date(2027, 2, 2))]
    )
    _, sent = run_until(state, at(2027, 2, 2, 13), at(2027, 2, 16))
    assert "digest:2027-02-08" not in keys_of(sent)


def test_digest_disabled_sends_none() -> None:
    state = state_of(
        quiet(gap_days=14),
        [application("a", date(2027, 2, 2), event("s", "screening", at(2027, 2, 3)))],
    )
    _, sent = run_until(state, at(2027, 2, 3, 13), at(2027, 3, 1))
    assert "digest" not in {k for e in sent for k in e.kinds}


# --------------------------------------------------------------- caps


def test_fifth_email_in_seven_days_is_deferred_not_lost() -> None:
    # Given e-mails on Feb 1, 2, 3 and 4 and a follow-up due Feb 5
    sent = [day_claim(date(2027, 2, d)) for d in (1, 2, 3, 4)]
    state = state_of(quiet(gap_days=14), [application("a", date(2027, 1, 29))], sent=sent)
    # When the planner looks on Feb 5
    result = plan(state, at(2027, 2, 5, 10))
    # Then the follow-up waits for Feb 8, the first date that keeps 4 per 7 days
    assert result.due == ()
    (email,) = [e for e in result.upcoming if "follow_up" in e.kinds]
    assert email.local_date == date(2027, 2, 8)


def test_everything_due_on_one_day_is_combined_in_section_order() -> None:
    # Given a comeback, a follow-up and a digest all falling on Monday Feb 8
    apps = [
        application(
            "a1", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 6), channel="direct_email")
        ),
        application("b", date(2027, 2, 1)),
    ]
    state = state_of(profile(), apps)
    # When the planner looks
    (email,) = [e for e in plan(state, at(2027, 2, 7)).upcoming if e.local_date == date(2027, 2, 8)]
    # Then there is one e-mail, sections in the order of the policy
    assert email.kinds == ("ask_feedback", "week_plan", "follow_up", "digest")


def test_catch_up_after_downtime_sends_one_combined_email_now() -> None:
    # Given follow-ups due Feb 3 and Feb 5, and the service down from Feb 2 to Feb 5 07:00
    apps = [application("x", date(2027, 1, 27)), application("y", date(2027, 1, 29))]
    state = state_of(quiet(gap_days=14), apps)
    # When the sender runs again at 07:00 on Feb 5
    result = plan(state, at(2027, 2, 5, 7))
    # Then what fell due meanwhile is due now in one e-mail claimed for today
    (email,) = result.due
    assert email.claim_key == "day:2027-02-05"
    assert [n.key for n in email.nudges] == ["follow_up:x"]
    assert email.send_at <= at(2027, 2, 5, 7)
    # And what falls due later today waits for the next allowed day
    assert keys_of(result.upcoming[:1]) == ["follow_up:y"]
    assert result.upcoming[0].local_date == date(2027, 2, 6)


def test_catch_up_never_doubles() -> None:
    apps = [application("x", date(2027, 1, 27)), application("y", date(2027, 1, 29))]
    state = state_of(quiet(gap_days=14), apps)
    state, first = deliver(state, at(2027, 2, 5, 7))
    state, again = deliver(state, at(2027, 2, 5, 7, 10))
    assert len(first) == 1 and again == []
    state, later = deliver(state, at(2027, 2, 5, 9))
    assert later == []


def test_unknown_claim_takes_the_day_and_the_content_goes_the_next_day() -> None:
    # Given a follow-up e-mail whose sender died between SES and the record
    state = state_of(quiet(gap_days=14), [application("x", date(2027, 1, 27))])
    state, (lost,) = deliver(state, at(2027, 2, 3, 9), outcome="unknown")
    # When the planner looks later that day
    result = plan(state, at(2027, 2, 3, 15))
    # Then the day is not offered again, and the same nudge is planned for Feb 4
    assert result.due == ()
    nxt = scheduled(result.upcoming)[0]
    assert nxt.claim_key == "day:2027-02-04"
    assert keys_of([nxt]) == keys_of([lost])


def test_claimed_in_flight_day_is_not_offered_again() -> None:
    state = state_of(quiet(gap_days=14), [application("x", date(2027, 1, 27))])
    state, _ = deliver(state, at(2027, 2, 3, 9), outcome="claimed")
    assert plan(state, at(2027, 2, 3, 9, 5)).due == ()


# --------------------------------------------------------------- stop conditions


def test_pause_blocks_scheduled_nudges_and_they_go_out_the_day_after() -> None:
    # Given a pause until Feb 5 and a follow-up due Feb 3
    state = state_of(quiet(paused_until=date(2027, 2, 5)), [application("x", date(2027, 1, 27))])
    # When the sender runs through the pause
    _, sent = run_until(state, at(2027, 2, 1), at(2027, 2, 12))
    # Then nothing goes out until Feb 6; then the follow-up; the gap clock starts at Feb 6
    assert sent[0].local_date == date(2027, 2, 6)
    assert keys_of(sent[:1]) == ["follow_up:x"]
    assert [n.key for e in sent for n in e.nudges if n.kind == "gap"][:1] == ["gap:2027-02-06:1"]


def test_suppressed_user_gets_nothing() -> None:
    state = state_of(profile(suppressed=True), [application("x", date(2027, 1, 1))])
    assert plan(state, at(2027, 2, 3)).due == ()
    assert next_wake_at(state, at(2027, 2, 3)) is None


def test_accepted_offer_sends_congratulations_then_silence_until_a_new_application() -> None:
    # Given an accepted offer recorded on Feb 3 and another application still open
    won = application(
        "w",
        date(2027, 1, 10),
        event("s", "screening", at(2027, 1, 12)),
        event("o", "offer", at(2027, 1, 30)),
        event("acc", "accepted", at(2027, 2, 3, 15)),
    )
    other = application("o2", date(2027, 1, 28))
    state = state_of(profile(), [won, other])
    # When the sender runs for a month
    final, sent = run_until(state, at(2027, 2, 3, 15), at(2027, 3, 5))
    # Then the only e-mail is the congratulations, at once
    assert [(e.claim_key, e.kinds) for e in sent] == [("event:acc", ("congratulations",))]
    assert sent[0].send_at == at(2027, 2, 3, 15)
    assert next_wake_at(final, at(2027, 3, 5)) is None
    # And a new application restarts the nudges (only for what is due from then on)
    fresh = application("n", date(2027, 3, 5), created_at=at(2027, 3, 5, 10))
    resumed = state_of(final.profile, [*final.applications, fresh], sent=final.sent)
    _, later = run_until(resumed, at(2027, 3, 5, 10), at(2027, 3, 20))
    keys = keys_of(later)
    assert "follow_up:n" in keys
    assert "follow_up:o2" not in keys and "no_response_check:o2" not in keys


# --------------------------------------------------------------- next wake-up


def test_next_wake_is_the_next_upcoming_send_time() -> None:
    state = state_of(quiet(), [application("x", date(2027, 2, 1))])
    result = plan(state, at(2027, 2, 2))
    assert next_wake_at(state, at(2027, 2, 2)) == result.upcoming[0].send_at


def test_next_wake_is_never_past_the_horizon_when_something_lies_beyond() -> None:
    # Given a gap guard whose last step is 112 days out (G = 14, steps 1-3 sent)
    acts = [activity("x", "other", date(2027, 2, 1))]
    sent = [
        day_claim(date(2027, 2, 1) + timedelta(days=14 * factor), f"gap:2027-02-01:{step}")
        for step, factor in ((1, 1), (2, 2), (3, 4))
    ]
    state = state_of(quiet(gap_days=14), activities=acts, sent=sent)
    now = at(2027, 4, 10)
    # When the next wake-up is computed
    wake = next_wake_at(state, now)
    # Then it is not after the horizon, and not before now
    assert wake is not None
    assert now <= wake <= now + timedelta(days=HORIZON_DAYS + 1)


def test_next_wake_is_never_before_now_when_nothing_is_due() -> None:
    state = state_of(profile(), activities=[activity("x", "other", date(2027, 2, 1))])
    for hours in range(0, 24 * 40, 7):
        now = at(2027, 2, 1) + timedelta(hours=hours)
        state, _ = deliver(state, now)
        wake = next_wake_at(state, now)
        assert wake is None or wake >= now or plan(state, now).due


def test_time_must_be_aware_and_the_plan_is_repeatable() -> None:
    state = state_of(profile(), [application("x", date(2027, 2, 1))])
    now: datetime = at(2027, 2, 9, 10)
    assert plan(state, now) == plan(state, now)
