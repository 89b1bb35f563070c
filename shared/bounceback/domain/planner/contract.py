"""The planner's answer: planned e-mails, their nudges, and the keys that name them.

A claim key is the sender's idempotency unit: ``day:<local date>`` for a day's
scheduled e-mail, ``event:<event id>`` for an e-mail answering one event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from ..model import NudgeKind
from .sections import Section

__all__ = [
    "DAY_CLAIM",
    "EVENT_CLAIM",
    "Nudge",
    "Plan",
    "PlannedEmail",
    "day_claim",
    "event_claim",
    "event_of_claim",
]

DAY_CLAIM: Final = "day:"  # prefix of a day's claim key
EVENT_CLAIM: Final = "event:"  # prefix of an event's claim key


def day_claim(day: date) -> str:
    """The claim key of `day`'s scheduled e-mail."""
    return DAY_CLAIM + day.isoformat()


def event_claim(event_id: str) -> str:
    """The claim key of the e-mail answering event `event_id`."""
    return EVENT_CLAIM + event_id


def event_of_claim(claim_key: str) -> str | None:
    """The event id an ``event:`` claim key names; None for any other key."""
    return claim_key.removeprefix(EVENT_CLAIM) if claim_key.startswith(EVENT_CLAIM) else None


def is_day_claim(claim_key: str) -> bool:
    """Whether `claim_key` names a day's scheduled e-mail."""
    return claim_key.startswith(DAY_CLAIM)


@dataclass(frozen=True, slots=True)
class Nudge:
    """One planned nudge: a section of an e-mail, with its reason."""

    kind: NudgeKind
    key: str
    local_date: date
    due_at: datetime
    application_ids: tuple[str, ...]
    reason: str
    section: Section = field(hash=False)


@dataclass(frozen=True, slots=True)
class PlannedEmail:
    """One e-mail: a day's scheduled nudges, or one e-mail answering an event."""

    claim_key: str
    local_date: date
    send_at: datetime
    nudges: tuple[Nudge, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Section kinds in order, each once (the X-Bounceback-Kinds value, joined)."""
        seen: list[str] = []
        for nudge in self.nudges:
            if nudge.kind not in seen:
                seen.append(nudge.kind)
        return tuple(seen)

    @property
    def scheduled(self) -> bool:
        """True for a day's scheduled e-mail, False for one answering an event."""
        return is_day_claim(self.claim_key)


@dataclass(frozen=True, slots=True)
class Plan:
    """What must be sent now, and what will follow if nothing changes."""

    due: tuple[PlannedEmail, ...]
    upcoming: tuple[PlannedEmail, ...]
