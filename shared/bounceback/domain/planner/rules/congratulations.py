"""Congratulations: an accepted offer gets its own e-mail at once.

See docs/behaviour.md, "Congratulations".
"""

from __future__ import annotations

from ...localtime import as_utc, local_date
from ..content import label
from ..context import Context
from ..contract import Nudge, PlannedEmail, event_claim
from ..sections import CongratulationsSection


def emails(ctx: Context) -> list[PlannedEmail]:
    """One e-mail per accepted offer not yet congratulated."""
    found: list[PlannedEmail] = []
    used = ctx.history.used_events
    done = ctx.history.done
    for app in ctx.state.applications:
        for event in app.events:
            if event.type != "accepted" or event.imported_at is not None:
                continue  # an imported acceptance is history: no congratulations
            key = f"congrats:{event.id}"
            if event.id in used or key in done:
                continue
            due = as_utc(event.recorded_at)
            day = local_date(due, ctx.tzname)
            section = CongratulationsSection(app.id, app.company, app.role)
            reason = f"You accepted an offer from {label(app)}."
            nudge = Nudge("congratulations", key, day, due, (app.id,), reason, section)
            found.append(PlannedEmail(event_claim(event.id), day, due, (nudge,)))
    return found
