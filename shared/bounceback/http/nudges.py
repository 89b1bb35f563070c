"""`GET /nudges`: what the planner will send, and what was sent (the nudges view).

An HTTP view of the planner's output (docs/behaviour.md says why each nudge is planned);
it decides nothing itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bounceback.domain.model import UserState
from bounceback.domain.planner import PlannedEmail, plan


def _planned(email: PlannedEmail, state: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": nudge.kind,
            "local_date": email.local_date,
            "due_at": email.send_at,
            "state": state,
            "reason": nudge.reason,
            "application_ids": list(nudge.application_ids),
        }
        for nudge in email.nudges
    ]


def nudges_view(state: UserState, now: datetime) -> dict[str, Any]:
    """Upcoming nudges (each section of each planned e-mail, soonest first) and sent e-mails.

    A nudge's `due_at` is when its e-mail will actually go out, after breaks, pauses
    and the caps have moved it; `state` is ``due`` when it goes out on the next run.
    """
    current = plan(state, now)
    upcoming = [n for email in current.due for n in _planned(email, "due")]
    upcoming += [n for email in current.upcoming for n in _planned(email, "upcoming")]
    sent = [
        {
            "kinds": list(email.kinds),
            "local_date": email.local_date,
            "due_at": email.claimed_at,
            "sent_at": email.sent_at,
            "state": email.state,
            "reason": email.subject or "E-mail about: " + ", ".join(email.kinds),
        }
        for email in sorted(state.sent, key=lambda e: e.claimed_at, reverse=True)
    ]
    return {"upcoming": upcoming, "sent": sent}
