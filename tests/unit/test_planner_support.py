"""Builders and a simulated sender shared by the planner, renderer and summary tests.

No tests live here: only small helpers so each test reads as Given/When/Then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bounceback.domain.model import (
    Activity,
    ActivityKind,
    Application,
    Event,
    EventType,
    Profile,
    RejectionChannel,
    SendState,
    SentEmail,
    Status,
    UserState,
)
from bounceback.domain.planner import PlannedEmail, next_wake_at, plan
from bounceback.domain.transitions import status_after

__all__ = [
    "UTC",
    "activity",
    "application",
    "at",
    "deliver",
    "event",
    "keys_of",
    "profile",
    "record",
    "run_until",
    "state_of",
]


def at(
    year: int, month: int, day: int, hour: int = 12, minute: int = 0, tz: str = "UTC"
) -> datetime:
    """A wall-clock moment in `tz`, as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def profile(**overrides: object) -> Profile:
    """A default profile (UTC, send hour 9, break 2, gap 3) with overrides."""
    return replace(Profile(user_id="u1", email="u1@example.com"), **overrides)  # type: ignore[arg-type]


def event(
    event_id: str,
    type_: EventType,
    occurred_at: datetime,
    *,
    recorded_at: datetime | None = None,
    channel: RejectionChannel | None = None,
    note: str | None = None,
    scheduled_for: datetime | None = None,
) -> Event:
    """An event; recorded when it occurred unless told otherwise."""
    if type_ == "rejection" and channel is None:
        channel = "automated_email"
    return Event(
        id=event_id,
        type=type_,
        occurred_at=occurred_at,
        recorded_at=recorded_at or occurred_at,
        channel=channel,
        note=note,
        scheduled_for=scheduled_for,
    )


def application(
    app_id: str,
    applied_on: date,
    *events: Event,
    company: str = "Acme",
    role: str = "Analyst",
    created_at: datetime | None = None,
    **fields: object,
) -> Application:
    """An application whose status follows its events (through the real transitions)."""
    status: Status = "applied"
    for item in events:
        status = status_after(status, item.type)
    return Application(
        id=app_id,
        company=company,
        role=role,
        applied_on=applied_on,
        status=status,
        events=tuple(events),
        created_at=created_at,
        **fields,  # type: ignore[arg-type]
    )


def activity(activity_id: str, kind: ActivityKind, day: date, **fields: object) -> Activity:
    return Activity(id=activity_id, kind=kind, date=day, **fields)  # type: ignore[arg-type]


def state_of(
    prof: Profile | None = None,
    applications: Iterable[Application] = (),
    activities: Iterable[Activity] = (),
    sent: Iterable[SentEmail] = (),
) -> UserState:
    return UserState(
        profile=prof or profile(),
        applications=tuple(applications),
        activities=tuple(activities),
        sent=tuple(sent),
    )


def record(email: PlannedEmail, moment: datetime, state: SendState = "sent") -> SentEmail:
    """What the sender stores after claiming (and, if `sent`, sending) `email`."""
    return SentEmail(
        claim_key=email.claim_key,
        local_date=email.local_date,
        kinds=email.kinds,
        nudge_keys=tuple(n.key for n in email.nudges),
        state=state,
        claimed_at=moment,
        sent_at=moment if state == "sent" else None,
    )


def deliver(
    state: UserState, now: datetime, outcome: SendState = "sent"
) -> tuple[UserState, list[PlannedEmail]]:
    """One sender run at `now`: claim and send everything due, like the real sender."""
    claimed = {s.claim_key for s in state.sent}
    sent = list(state.sent)
    out: list[PlannedEmail] = []
    for email in plan(state, now).due:
        assert email.claim_key not in claimed, f"planner re-offered {email.claim_key}"
        claimed.add(email.claim_key)
        sent.append(record(email, now, outcome))
        out.append(email)
    return replace(state, sent=tuple(sent)), out


def run_until(
    state: UserState, start: datetime, end: datetime
) -> tuple[UserState, list[PlannedEmail]]:
    """Wake the sender whenever `next_wake_at` says, from `start` to `end`."""
    now = start.astimezone(UTC)
    end = end.astimezone(UTC)
    out: list[PlannedEmail] = []
    for _ in range(2000):
        wake = next_wake_at(state, now)
        if wake is None or wake > end:
            break
        now = max(now, wake)
        state, emails = deliver(state, now)
        out.extend(emails)
        if not emails:
            now += timedelta(seconds=1)  # a horizon wake-up with nothing due
    return state, out


def keys_of(emails: Iterable[PlannedEmail]) -> list[str]:
    return [n.key for e in emails for n in e.nudges]
