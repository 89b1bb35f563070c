"""Comeback: on a break's comeback day, ``ask_feedback`` or ``replay``, and a ``week_plan``.

See docs/behaviour.md, "Comeback".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...localtime import as_utc
from ...model import PERSONAL_CHANNELS, Event, known_at
from ..content import label, week_plan
from ..context import Context, Item
from ..contract import Nudge
from ..history import Break
from ..sections import AskFeedbackSection, ReplaySection

_GROUP = ("comeback", "")  # a later break's comeback supersedes a pending older one


def _known_at(event: Event) -> datetime:
    return as_utc(known_at(event) or event.recorded_at)


@dataclass(slots=True, kw_only=True, eq=False)
class _Comeback(Item):
    brk: Break

    def nudge(self, ctx: Context) -> Nudge:
        brk = self.brk
        app, event = brk.last
        reason = (
            f"Your break after the {label(app)} rejection is over: comeback day {brk.comeback}."
        )
        if self.kind == "ask_feedback":
            section: AskFeedbackSection | ReplaySection = AskFeedbackSection(
                app.id,
                app.company,
                app.role,
                event.channel,
                brk.start,
                brk.comeback,
                app.contact_name,
                app.contact_email,
            )
        else:
            interviewed = any(e.type == "interview" for e in app.events)
            section = ReplaySection(
                app.id, app.company, app.role, event.channel, brk.start, brk.comeback, interviewed
            )
        return Nudge(self.kind, self.key, brk.comeback, self.due_at, (app.id,), reason, section)


@dataclass(slots=True, kw_only=True, eq=False)
class _WeekPlan(Item):
    brk: Break

    def nudge(self, ctx: Context) -> Nudge:
        comeback = self.brk.comeback
        reason = f"A light plan for the week after your break (comeback day {comeback})."
        section = week_plan(ctx.state, comeback)
        return Nudge(self.kind, self.key, comeback, self.due_at, (), reason, section)


def items(ctx: Context) -> list[Item]:
    """Two items per break whose comeback is still to come."""
    found: list[Item] = []
    latest_done = max(ctx.history.done_comebacks, default=None)
    for brk in ctx.breaks:
        if latest_done is not None and latest_done >= brk.start:
            continue  # sent, or superseded by a later break's comeback
        due = ctx.send_at(brk.comeback)
        if due < ctx.reopened_at:
            continue
        if min(_known_at(ev) for _, ev in brk.rejections) >= due:
            continue  # reported only after the break was over
        app, event = brk.last
        personal = event.channel in PERSONAL_CHANNELS
        asked = any(e.type == "feedback_received" for e in app.events)
        start = brk.start.isoformat()
        day = brk.comeback.toordinal()
        rank = brk.start.toordinal()
        found.append(
            _Comeback(
                day=day,
                kind="ask_feedback" if personal and not asked else "replay",
                key=f"comeback:{start}",
                due_at=due,
                group=_GROUP,
                rank=rank,
                brk=brk,
            )
        )
        found.append(
            _WeekPlan(
                day=day,
                kind="week_plan",
                key=f"week_plan:{start}",
                due_at=due,
                group=_GROUP,
                rank=rank,
                brk=brk,
            )
        )
    return found
