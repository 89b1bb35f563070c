"""Interview debrief: the day after an interview, a section of that day's e-mail.

See docs/behaviour.md, "Interview debrief".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ...localtime import as_utc, local_date, zone
from ...model import Application, Event
from ..content import label
from ..context import Context, Item
from ..contract import Nudge
from ..history import scheduled_interviews
from ..lists import counted, counted_through
from ..sections import InterviewDebriefSection


@dataclass(slots=True, kw_only=True, eq=False)
class _Debrief(Item):
    app: Application
    start: datetime

    def nudge(self, ctx: Context) -> Nudge:
        app = self.app
        local_start = self.start.astimezone(zone(ctx.tzname))
        section = InterviewDebriefSection(
            app.id, app.company, app.role, local_start, app.contact_name, app.contact_email
        )
        reason = f"You had an interview with {label(app)} on {local_start:%Y-%m-%d}."
        local = local_date(self.due_at, ctx.tzname)
        return Nudge("interview_debrief", self.key, local, self.due_at, (app.id,), reason, section)

    def waiting_since(self) -> int:
        return self.day - 1  # the interview's local day

    def concerns(self) -> tuple[str, ...]:
        return (self.app.id,)


def _later_event(ordered: list[tuple[datetime, str]], interview: Event) -> bool:
    """Whether another event was recorded after `interview`; `ordered` holds the
    application's events as (recorded, id), latest first."""
    recorded = as_utc(interview.recorded_at)
    for moment, event_id in ordered:
        if moment <= recorded:
            return False
        if event_id != interview.id:
            return True
    return False


def items(ctx: Context) -> list[Item]:
    """Per standing scheduled interview with nothing recorded after it, its debrief
    (unless sent, or counted in an e-mail's "and N more" line)."""
    found: list[Item] = []
    done = ctx.history.done
    debrief_counted = counted_through(done, "interview_debrief")
    for app in ctx.state.applications:
        standing = scheduled_interviews(app)
        if not standing:
            continue
        ordered = sorted(((as_utc(e.recorded_at), e.id) for e in app.events), reverse=True)
        for event, start in standing:
            key = f"interview_debrief:{event.id}"
            if key in done or _later_event(ordered, event):
                continue
            day = local_date(start, ctx.tzname) + timedelta(days=1)
            if counted(day, debrief_counted):
                continue  # counted in an e-mail's "and N more" line (`lists.py`)
            due = ctx.send_at(day)
            if due < ctx.reopened_at or due < as_utc(event.recorded_at):
                continue  # the search was over, or the interview was recorded only later
            found.append(
                _Debrief(
                    day=day.toordinal(),
                    kind="interview_debrief",
                    key=key,
                    due_at=due,
                    app=app,
                    start=start,
                )
            )
    return found
