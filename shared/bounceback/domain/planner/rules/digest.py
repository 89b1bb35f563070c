"""Weekly digest: on Mondays, last week's figures and an 8-week picture.

See docs/behaviour.md, "Weekly digest".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..content import digest_figures
from ..context import HORIZON_DAYS, Context, Item
from ..contract import Nudge
from ..history import FAR_FUTURE, break_on
from ..sections import DigestSection


@dataclass(slots=True, kw_only=True, eq=False)
class _Digest(Item):
    monday: date

    def nudge(self, ctx: Context) -> Nudge:
        monday = self.monday
        # Figures are computed when the digest can be due; later Mondays in
        # `upcoming` only name their week.
        figures = digest_figures(ctx, monday) if monday <= ctx.today else None
        reason = f"Your weekly digest for the week starting {monday}."
        section = DigestSection(monday, figures)
        return Nudge("digest", self.key, monday, self.due_at, (), reason, section)


def items(ctx: Context) -> list[Item]:
    """One digest per Monday from this week's to the horizon, unless skipped."""
    profile = ctx.state.profile
    if not profile.digest_enabled or (not ctx.state.applications and not ctx.state.activities):
        return []
    found: list[Item] = []
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    end = ctx.today + timedelta(days=HORIZON_DAYS)
    while monday <= end:
        key = f"digest:{monday.isoformat()}"
        due = ctx.send_at(monday)
        skipped = (
            break_on(ctx.breaks, monday) is not None
            or (ctx.first_known_at is not None and due < ctx.first_known_at)
            or (profile.paused_until is not None and monday <= profile.paused_until)
            or due < ctx.reopened_at
        )
        if key not in ctx.history.done and not skipped:
            ordinal = monday.toordinal()
            found.append(
                _Digest(
                    day=ordinal,
                    kind="digest",
                    key=key,
                    due_at=due,
                    expires=ordinal + 6,
                    monday=monday,
                )
            )
        monday += timedelta(days=7)
    return found


def beyond_horizon(ctx: Context) -> bool:
    """A weekly digest could still come, even if none falls in the horizon."""
    state = ctx.state
    return (
        state.profile.digest_enabled
        and bool(state.applications or state.activities)
        and ctx.reopened_at != FAR_FUTURE
    )
