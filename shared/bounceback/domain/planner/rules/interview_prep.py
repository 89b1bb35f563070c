"""Interview prep: the day before a scheduled interview, its own e-mail.

See docs/behaviour.md, "Interview prep".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from ...localtime import as_utc, local_date, zone
from ...model import CLOSED_STATUSES
from ..content import label
from ..context import Context
from ..contract import Nudge, PlannedEmail, event_claim
from ..history import scheduled_interviews
from ..sections import InterviewPrepSection

# A prep never goes out closer to the interview than this.
MIN_LEAD: Final = timedelta(hours=2)


def send_time(ctx: Context, recorded_at: datetime, start: datetime) -> datetime | None:
    """Send time on the local day before `start`; at once when that has passed by the
    time the interview was recorded; None when that would be less than 2 h before it."""
    natural = ctx.send_at(local_date(start, ctx.tzname) - timedelta(days=1))
    due = max(natural, as_utc(recorded_at))
    return due if due <= start - MIN_LEAD else None


def emails(ctx: Context) -> list[PlannedEmail]:
    """One e-mail per standing scheduled interview not yet prepared for."""
    found: list[PlannedEmail] = []
    used = ctx.history.used_events
    done = ctx.history.done
    paused_until = ctx.state.profile.paused_until
    for app in ctx.state.applications:
        if app.status in CLOSED_STATUSES:
            continue
        for event, start in scheduled_interviews(app):
            key = f"interview_prep:{event.id}"
            if event.id in used or key in done or ctx.now > start - MIN_LEAD:
                continue
            due = send_time(ctx, event.recorded_at, start)
            if due is None or ctx.in_finished(max(due, ctx.now)):
                continue
            day = local_date(due, ctx.tzname)
            if paused_until is not None and day <= paused_until:
                continue  # a pause covering its day drops it
            local_start = start.astimezone(zone(ctx.tzname))
            section = InterviewPrepSection(
                app.id, app.company, app.role, local_start, event.note, app.url, app.notes
            )
            reason = f"Your interview with {label(app)} is on {local_start:%Y-%m-%d at %H:%M}."
            nudge = Nudge("interview_prep", key, day, due, (app.id,), reason, section)
            found.append(PlannedEmail(event_claim(event.id), day, due, (nudge,)))
    return found
