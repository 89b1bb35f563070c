"""The momentum summary behind `GET /summary`.

Dates are the user's local dates; weeks are local ISO weeks starting on Monday.
The break comes from the planner's own computation, so the summary and the nudges
can never disagree about whether the user is on a break (docs/behaviour.md, "Break").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .localtime import local_date, week_start
from .model import EMPLOYER_EVENTS, STATUSES, UserState
from .planner.history import break_on, find_breaks, last_activity_date, weekly_activity

__all__ = ["Summary", "WeekCounts", "summarize"]


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """Applications and logged activities in one local ISO week."""

    week_of: date
    applications: int
    activities: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "week_of": self.week_of.isoformat(),
            "applications": self.applications,
            "activities": self.activities,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """How the search is going, at one moment."""

    days_since_last_activity: int | None
    on_break: bool
    break_ends_on: date | None  # the comeback day: the first day after the break
    counts_by_status: dict[str, int]
    this_week: WeekCounts
    last_week: WeekCounts
    response_rate: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (dates as ISO strings)."""
        return {
            "days_since_last_activity": self.days_since_last_activity,
            "on_break": self.on_break,
            "break_ends_on": self.break_ends_on.isoformat() if self.break_ends_on else None,
            "counts_by_status": dict(self.counts_by_status),
            "this_week": self.this_week.to_dict(),
            "last_week": self.last_week.to_dict(),
            "response_rate": self.response_rate,
        }


def summarize(state: UserState, now: datetime) -> Summary:
    """The user's momentum at `now`.

    `days_since_last_activity` counts local days since the latest search activity
    dated today or earlier (None before any); `response_rate` is the share of
    applications with at least one employer event (0.0 without applications).
    """
    today = local_date(now, state.profile.timezone)
    last = last_activity_date(state, on_or_before=today)
    current = break_on(find_breaks(state), today)
    counts = dict.fromkeys(STATUSES, 0)
    for app in state.applications:
        counts[app.status] = counts.get(app.status, 0) + 1
    answered = sum(
        1 for app in state.applications if any(e.type in EMPLOYER_EVENTS for e in app.events)
    )
    total = len(state.applications)
    monday = week_start(today)
    previous = monday - timedelta(days=7)
    (last_apps, last_acts), (this_apps, this_acts) = weekly_activity(state, previous, 2)
    return Summary(
        days_since_last_activity=(today - last).days if last is not None else None,
        on_break=current is not None,
        break_ends_on=current.comeback if current is not None else None,
        counts_by_status=counts,
        this_week=WeekCounts(monday, this_apps, this_acts),
        last_week=WeekCounts(previous, last_apps, last_acts),
        response_rate=round(answered / total, 4) if total else 0.0,
    )
