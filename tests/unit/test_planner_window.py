"""The planner's activity window: what activities before it still change, and what not.

See docs/behaviour.md, "What the planner reads".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bounceback.domain.model import Activity, ActivityKind, Profile, UserState
from bounceback.domain.planner import (
    GapSection,
    activity_cutoff,
    next_wake_at,
    plan,
    planning_view,
)
from bounceback.domain.planner.content import least_recent

NOW = datetime(2027, 6, 14, 10, 0, tzinfo=UTC)  # a Monday
CUTOFF = activity_cutoff(NOW)
TODAY = NOW.date()


def logged(activity_id: str, kind: ActivityKind, day: date) -> Activity:
    return Activity(
        id=activity_id,
        kind=kind,
        date=day,
        created_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
    )


def user(*activities: Activity) -> UserState:
    return UserState(profile=Profile(user_id="u", email="u@example.com"), activities=activities)


def test_the_window_reaches_130_days_back_from_the_utc_date() -> None:
    assert activity_cutoff(NOW) == date(2027, 2, 4)


def test_a_kind_logged_only_before_the_window_counts_as_never_logged() -> None:
    # Given a CV update long before the window, a later old activity, and a recent one
    state = user(
        logged("cv", "resume_updated", CUTOFF - timedelta(days=30)),
        logged("net", "networking_event", CUTOFF - timedelta(days=5)),
        logged("news", "industry_news", TODAY - timedelta(days=3)),
    )
    # When the planner reads its view of it
    view = planning_view(state, NOW)
    assert [a.id for a in view.activities] == ["net", "news"]
    full = {p.category: p.last_logged_on for p in least_recent(state, TODAY)}
    seen = {p.category: p.last_logged_on for p in least_recent(view, TODAY)}
    # Then the CV counts as never logged; the latest older activity keeps its date
    assert full["cv"] == CUTOFF - timedelta(days=30)
    assert seen["cv"] is None
    assert seen["networking"] == full["networking"] == CUTOFF - timedelta(days=5)
    # And the kinds are picked in the same order (both are "not logged lately")
    assert [p.category for p in least_recent(view, TODAY)] == [
        p.category for p in least_recent(state, TODAY)
    ]


def test_the_latest_activity_before_the_window_still_anchors_the_gap_guard() -> None:
    # Given only activities from before the window, the latest 135 days ago
    last = TODAY - timedelta(days=135)
    state = user(
        logged("old", "networking_event", last - timedelta(days=90)),
        logged("last", "contacts_reviewed", last),
    )
    # When the planner plans now (nothing was ever sent: the service was down)
    result = plan(state, NOW)
    # Then the gap guard's final step for that quiet spell catches up, counted from it
    gaps = [n.section for e in result.due for n in e.nudges if n.kind == "gap"]
    assert len(gaps) == 1
    section = gaps[0]
    assert isinstance(section, GapSection)
    assert section.anchor == last and section.final
    # And the user still has activity, so the weekly digest goes on
    assert any(n.kind == "digest" for e in (*result.due, *result.upcoming) for n in e.nudges)
    assert next_wake_at(state, NOW) is not None


def test_nothing_is_left_out_when_every_activity_is_recent() -> None:
    state = user(
        logged("a", "networking_event", CUTOFF),
        logged("b", "exercise", TODAY),
    )
    assert planning_view(state, NOW) is state
