"""How an application's status follows the events recorded on it.

The pipeline only moves forward (applied → screening → interviewing → offer →
accepted); a rejection, a withdrawal or silence can end it from any open stage.
`accepted`, `rejected` and `withdrawn` are final: afterwards only notes about
the past (feedback received, a follow-up sent) can still be recorded.
"""

from __future__ import annotations

from typing import Final

from .model import EventType, Status

# Where each event moves the application; None keeps the current status.
STATUS_AFTER: Final[dict[str, Status | None]] = {
    "screening": "screening",
    "interview": "interviewing",
    "offer": "offer",
    "accepted": "accepted",
    "rejection": "rejected",
    "withdrawn": "withdrawn",
    "no_response": "no_response",
    "follow_up_sent": None,
    "feedback_received": None,
}

FINAL_STATUSES: Final[frozenset[str]] = frozenset({"accepted", "rejected", "withdrawn"})
_PIPELINE: Final[tuple[str, ...]] = ("applied", "screening", "interviewing", "offer", "accepted")


class InvalidTransition(Exception):
    """The event cannot happen to an application in its current status."""

    def __init__(self, current: str, event_type: str) -> None:
        super().__init__(f"cannot record '{event_type}' on an application that is '{current}'")
        self.current = current
        self.event_type = event_type


def status_after(current: Status, event_type: EventType) -> Status:
    """The status an application has after `event_type`, or raise InvalidTransition."""
    target = STATUS_AFTER[event_type]
    if target is None:
        # Notes about the past: always allowed, except a follow-up after acceptance.
        if current == "accepted" and event_type == "follow_up_sent":
            raise InvalidTransition(current, event_type)
        return current
    if current in FINAL_STATUSES:
        raise InvalidTransition(current, event_type)
    if target == "no_response" and current in ("offer", "no_response"):
        raise InvalidTransition(current, event_type)
    if current == "no_response":
        # A late answer reopens an application the user had written off.
        return target
    if target in _PIPELINE and _PIPELINE.index(target) < _PIPELINE.index(current):
        raise InvalidTransition(current, event_type)
    return target
