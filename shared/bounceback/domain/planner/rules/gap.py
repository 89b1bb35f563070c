"""Gap guard: after a quiet spell, one gentle nudge, backing off and then going silent.

See docs/behaviour.md, "Gap guard".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from ...localtime import as_utc
from ...model import known_at as learnt_at
from ..content import WEEK_PLAN_LOOKBACK, least_recent
from ..context import Context, Item
from ..contract import Nudge
from ..history import clamp
from ..sections import GapAnchor, GapSection

GAP_STEPS: Final[tuple[int, ...]] = (1, 2, 4, 8)  # gap nudges at A+G, A+2G, A+4G, A+8G


@dataclass(slots=True, kw_only=True, eq=False)
class _Gap(Item):
    local: date
    anchor: date
    index: int
    last_activity: date
    since_kind: GapAnchor

    def nudge(self, ctx: Context) -> Nudge:
        # Counted from the anchor: a break we asked for is not part of the quiet spell.
        idle = (self.local - self.anchor).days
        # The categories in one order for the whole spell (nothing is logged during a
        # spell: that would move the anchor), those not logged lately first. Step n
        # names the n-th of those not logged in the 14 days before its own day, so the
        # steps name different ones while there are enough; if everything was logged
        # lately, the one done longest ago.
        options = least_recent(ctx.state, self.anchor)
        lately = self.local - timedelta(days=WEEK_PLAN_LOOKBACK)
        fresh = [o for o in options if o.last_logged_on is None or o.last_logged_on < lately]
        pool = fresh or options
        section = GapSection(
            anchor=self.anchor,
            step=self.index + 1,
            days_idle=idle,
            since_kind=self.since_kind,
            last_activity_on=self.last_activity,
            suggestion=replace(pool[self.index % len(pool)], on=self.local),
            final=self.index == len(GAP_STEPS) - 1,
        )
        if self.since_kind == "comeback":
            reason = f"{idle} days since your comeback day ({self.anchor}), nothing logged since."
        elif self.since_kind == "pause":
            reason = (
                f"{idle} days since your first day after the pause ({self.anchor}), "
                "nothing logged since."
            )
        else:
            reason = f"No search activity logged for {idle} days (since {self.anchor})."
        return Nudge("gap", self.key, self.local, self.due_at, (), reason, section)


def items(ctx: Context) -> list[Item]:
    """The gap steps not yet sent for the current anchor."""
    if not ctx.activity_days:
        return []  # no search activity yet: nothing to guard
    last_activity = ctx.activity_days[-1]
    profile = ctx.state.profile
    length = clamp(profile.gap_days, 2, 14)
    anchor = last_activity
    since_kind: GapAnchor = "activity"
    known_at = ctx.latest_known_at
    if ctx.breaks and ctx.breaks[-1].comeback > anchor:
        anchor = ctx.breaks[-1].comeback
        since_kind = "comeback"
        known_at = max(
            as_utc(learnt_at(ev) or ev.recorded_at) for _, ev in ctx.breaks[-1].rejections
        )
    if profile.paused_until is not None and profile.paused_until >= anchor:
        anchor = profile.paused_until + timedelta(days=1)
        since_kind = "pause"
        known_at = None
    keys = [f"gap:{anchor.isoformat()}:{step}" for step in range(1, len(GAP_STEPS) + 1)]
    done_steps = [i for i, key in enumerate(keys) if key in ctx.history.done]
    first_open = max(done_steps) + 1 if done_steps else 0
    group = ("gap", keys[0])
    found: list[Item] = []
    for index in range(first_open, len(GAP_STEPS)):
        day = anchor + timedelta(days=length * GAP_STEPS[index])
        due = ctx.send_at(day)
        if due < ctx.reopened_at or (known_at is not None and due < known_at):
            continue  # the search was over, or we learnt of the anchor only later
        found.append(
            _Gap(
                day=day.toordinal(),
                kind="gap",
                key=keys[index],
                due_at=due,
                group=group,
                rank=index,
                local=day,
                anchor=anchor,
                index=index,
                last_activity=last_activity,
                since_kind=since_kind,
            )
        )
    return found
