"""Follow-ups: ``follow_up`` a week after applying, ``no_response_check`` after 30 days.

See docs/behaviour.md, "Follow-up and no-response check".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from ...localtime import as_utc, local_date, next_send_time
from ...model import Application, known_at
from ..content import FOLLOW_UP_AFTER, label
from ..context import Context, Item
from ..contract import Nudge
from ..lists import counted, counted_through
from ..sections import FollowUpSection, NoResponseSection

NO_RESPONSE_AFTER: Final = 30


@dataclass(slots=True, kw_only=True, eq=False)
class _FollowUp(Item):
    local: date
    app: Application

    def nudge(self, ctx: Context) -> Nudge:
        app = self.app
        section: FollowUpSection | NoResponseSection
        if self.kind == "follow_up":
            after = "no answer after a week"
            section = FollowUpSection(
                app.id, app.company, app.role, app.applied_on, app.contact_name, app.contact_email
            )
        else:
            after = "still no answer after 30 days"
            section = NoResponseSection(app.id, app.company, app.role, app.applied_on)
        reason = f"{label(app)}: applied on {app.applied_on}, {after}."
        return Nudge(self.kind, self.key, self.local, self.due_at, (app.id,), reason, section)

    def waiting_since(self) -> int:
        return self.app.applied_on.toordinal()

    def concerns(self) -> tuple[str, ...]:
        return (self.app.id,)


def _not_before(ctx: Context, day: date, app: Application) -> tuple[date, datetime]:
    """The natural day and send time, but never before we learnt of the application
    (recorded or imported)."""
    due = ctx.send_at(day)
    known = known_at(app)
    if known is not None and as_utc(known) > due:
        due = next_send_time(as_utc(known), ctx.hour, ctx.tzname)
        day = local_date(due, ctx.tzname)
    return day, due


def items(ctx: Context) -> list[Item]:
    """Per application still waiting for an answer, its follow-up and its check.

    A section sent, or counted in an e-mail's "and N more" line (`lists.py`), is not
    planned again; once the check is handled, so is the follow-up it replaced.
    """
    found: list[Item] = []
    done = ctx.history.done
    follow_counted = counted_through(done, "follow_up")
    check_counted = counted_through(done, "no_response_check")
    for app in ctx.state.applications:
        if app.status != "applied":
            continue
        silent = not app.events
        chased_only = all(e.type == "follow_up_sent" for e in app.events)
        if not chased_only:
            continue
        check_key = f"no_response_check:{app.id}"
        check_day, check_due = _not_before(
            ctx, app.applied_on + timedelta(days=NO_RESPONSE_AFTER), app
        )
        if check_key in done or counted(check_day, check_counted):
            continue
        group = ("app", app.id)
        follow_key = f"follow_up:{app.id}"
        if silent and follow_key not in done:
            day, due = _not_before(ctx, app.applied_on + timedelta(days=FOLLOW_UP_AFTER), app)
            if due >= ctx.reopened_at and not counted(day, follow_counted):
                found.append(
                    _FollowUp(
                        day=day.toordinal(),
                        kind="follow_up",
                        key=follow_key,
                        due_at=due,
                        group=group,
                        local=day,
                        app=app,
                    )
                )
        if check_due >= ctx.reopened_at:
            found.append(
                _FollowUp(
                    day=check_day.toordinal(),
                    kind="no_response_check",
                    key=check_key,
                    due_at=check_due,
                    group=group,
                    rank=1,
                    local=check_day,
                    app=app,
                )
            )
    return found
