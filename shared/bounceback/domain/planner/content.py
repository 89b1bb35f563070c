"""E-mail content the planner computes: reasons' labels, the week plan, the digest figures.

Facts only; the wording of an e-mail is the renderer's (`domain/render/sections.py`).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from typing import Final

from ..model import Application, UserState
from .context import Context
from .history import weekly_activity
from .sections import DigestFigures, WeekBar, WeekCount, WeekPick, WeekPlanSection

__all__ = [
    "FOLLOW_UP_AFTER",
    "WEEK_PLAN_CATEGORIES",
    "WEEK_PLAN_LOOKBACK",
    "digest_figures",
    "label",
    "last_logged",
    "least_recent",
    "one_line",
    "week_plan",
]

FOLLOW_UP_AFTER: Final = 7  # days after applying before a follow-up is suggested
WEEK_PLAN_LOOKBACK: Final = 14
# Week-plan categories and the logged activity kinds that count for each.
WEEK_PLAN_CATEGORIES: Final[tuple[str, ...]] = (
    "networking",
    "contacts",
    "applications",
    "cv",
    "industry_news",
)
_CATEGORY_OF_ACTIVITY: Final[dict[str, str]] = {
    "networking_event": "networking",
    "contacts_reviewed": "contacts",
    "resume_updated": "cv",
    "industry_news": "industry_news",
}


def one_line(text: str, limit: int = 80) -> str:
    """User text made safe for a one-line reason: no line breaks or control chars."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def label(app: Application) -> str:
    """The application's company, as a reason names it."""
    return one_line(app.company) or "that company"


def last_logged(state: UserState, day: date) -> dict[str, date | None]:
    """For each week-plan category, the latest date on or before `day` it was logged."""
    last: dict[str, date | None] = dict.fromkeys(WEEK_PLAN_CATEGORIES)

    def seen(category: str, when: date) -> None:
        if when > day:
            return
        previous = last[category]
        if previous is None or when > previous:
            last[category] = when

    for app in state.applications:
        seen("applications", app.applied_on)
    for activity in state.activities:
        category = _CATEGORY_OF_ACTIVITY.get(activity.kind)
        if category is not None:
            seen(category, activity.date)
    return last


def least_recent(state: UserState, day: date) -> list[WeekPick]:
    """Every category, those not logged in the last 14 days first (never logged first of
    all), then the rest, longest ago first. Ties follow a rotation that moves with `day`,
    so the same history does not always suggest the same thing.
    """
    since = day - timedelta(days=WEEK_PLAN_LOOKBACK)
    last = last_logged(state, day)
    start = day.toordinal() % len(WEEK_PLAN_CATEGORIES)
    rotation = WEEK_PLAN_CATEGORIES[start:] + WEEK_PLAN_CATEGORIES[:start]
    fresh = [c for c in rotation if (when := last[c]) is None or when < since]
    rest = sorted((c for c in rotation if c not in fresh), key=lambda c: last[c] or date.min)
    return [WeekPick(c, day, last[c]) for c in fresh + rest]


def week_plan(state: UserState, day: date) -> WeekPlanSection:
    """Three activity kinds not logged in the last 14 days, plus a stress reliever."""
    since = day - timedelta(days=WEEK_PLAN_LOOKBACK)
    exercised = any(
        activity.kind == "exercise" and since <= activity.date <= day
        for activity in state.activities
    )
    # Not logged lately first; if everything was logged lately, the ones done longest ago.
    picks = least_recent(state, day)[:3]
    return WeekPlanSection(
        picks=tuple(
            WeekPick(pick.category, day + timedelta(days=i), pick.last_logged_on)
            for i, pick in enumerate(picks)
        ),
        stress_relief="other" if exercised else "exercise",
    )


def digest_figures(ctx: Context, monday: date) -> DigestFigures:
    """The week just ended and the one before, as of `monday`, and an 8-week picture."""
    state = ctx.state
    first = monday - timedelta(weeks=8)
    weeks = weekly_activity(state, first, 8)
    before = bisect_right(ctx.activity_days, monday)
    last = ctx.activity_days[before - 1] if before else None
    open_follow_ups = sum(
        1
        for app in state.applications
        if app.status == "applied"
        and not app.events
        and app.applied_on <= monday - timedelta(days=FOLLOW_UP_AFTER)
    )
    past = [b for b in ctx.breaks if b.start < monday]
    return DigestFigures(
        past_week=WeekCount(*weeks[7]),
        week_before=WeekCount(*weeks[6]),
        days_since_last_activity=(monday - last).days if last is not None else None,
        open_follow_ups=open_follow_ups,
        last_comeback_on=past[-1].comeback if past else None,
        weeks=tuple(WeekBar(first + timedelta(weeks=i), a + b) for i, (a, b) in enumerate(weeks)),
    )
