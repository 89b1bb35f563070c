"""How far back the planner reads logged activities (docs/behaviour.md, "What the planner reads").

Logged activities are the most numerous records (up to 50,000 per account), and the
rules measure from them over bounded stretches: a gap step still to come belongs to
a quiet spell that began at most 8 times 14 = 112 days ago, and its suggestion looks
at the 14 days before that; the digest's oldest figure starts 8 weeks before this
week's Monday. So the planner reads the activities dated on or after
`activity_cutoff(now)` (130 days back, a few days to spare for time zones), plus the
latest one before it, which keeps "your last activity" exact however long ago it was.
The store reads exactly that with two key-range queries; `planning_view` is the same
selection applied to a state read in full, so a plan never depends on how its state
was read. What older activities no longer change is listed in docs/behaviour.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

from ..model import Activity, UserState

__all__ = ["ACTIVITY_WINDOW_DAYS", "activity_cutoff", "planning_view", "windowed_activities"]

# Days before today (UTC) whose activities the planner reads in full: the gap guard's
# 112 days and the 14 before them, and a few days for the distance between UTC and
# local dates.
ACTIVITY_WINDOW_DAYS: Final = 130


def activity_cutoff(now: datetime) -> date:
    """The earliest activity date the planner reads in full at `now`."""
    return now.astimezone(UTC).date() - timedelta(days=ACTIVITY_WINDOW_DAYS)


def _order(activity: Activity) -> tuple[date, str]:
    # The store's sort key order (date, then id): the latest older activity is the
    # one a descending key-range query with limit 1 returns.
    return activity.date, activity.id


def windowed_activities(activities: tuple[Activity, ...], cutoff: date) -> tuple[Activity, ...]:
    """`activities` dated on or after `cutoff`, plus the latest one before it (in
    their order: the planner does not depend on it)."""
    older = max((a for a in activities if a.date < cutoff), key=_order, default=None)
    return tuple(a for a in activities if a.date >= cutoff or a is older)


def planning_view(state: UserState, now: datetime) -> UserState:
    """The part of `state` the planner reads at `now` (see the module's docstring)."""
    kept = windowed_activities(state.activities, activity_cutoff(now))
    if len(kept) == len(state.activities):
        return state
    return replace(state, activities=kept)
