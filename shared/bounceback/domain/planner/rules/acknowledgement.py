"""Acknowledgement: a kind word soon after a rejection is recorded, in its own e-mail.

See docs/behaviour.md, "Acknowledgement".
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Final

from ...localtime import as_utc, local_date, next_send_time, zone
from ..content import label
from ..context import Context
from ..contract import Nudge, PlannedEmail, event_claim
from ..sections import AcknowledgementSection

QUIET_FROM: Final = time(21, 0)
QUIET_UNTIL: Final = time(8, 0)


def _send_time(ctx: Context, recorded_at: datetime) -> datetime:
    """At once from 08:00 to 20:59 local, otherwise at the next send time."""
    moment = as_utc(recorded_at)
    clock = moment.astimezone(zone(ctx.tzname)).time()
    if QUIET_UNTIL <= clock < QUIET_FROM:
        return moment
    return next_send_time(moment, ctx.hour, ctx.tzname)


def emails(ctx: Context) -> list[PlannedEmail]:
    """One e-mail per rejection not yet answered, while its break lasts.

    An imported rejection is history and gets none (docs/behaviour.md, "Import").
    """
    found: list[PlannedEmail] = []
    used = ctx.history.used_events
    done = ctx.history.done
    for brk in ctx.breaks:
        comeback_due = ctx.send_at(brk.comeback)
        for app, event in brk.rejections:
            key = f"ack:{event.id}"
            if event.id in used or key in done:
                continue
            if event.imported_at is not None:
                continue  # imported history: never acknowledged
            if ctx.in_finished(as_utc(event.recorded_at)):
                continue
            due = _send_time(ctx, event.recorded_at)
            if due >= comeback_due or ctx.now >= comeback_due:
                continue  # the break is over: the comeback e-mail speaks instead
            section = AcknowledgementSection(
                app.id, app.company, app.role, event.channel, brk.comeback
            )
            reason = f"You recorded a rejection from {label(app)}."
            day = local_date(due, ctx.tzname)
            nudge = Nudge("acknowledgement", key, day, due, (app.id,), reason, section)
            found.append(PlannedEmail(event_claim(event.id), day, due, (nudge,)))
    return found
