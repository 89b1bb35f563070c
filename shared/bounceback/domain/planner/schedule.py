"""The scheduler: rules' items placed on e-mail days under breaks, pauses and the caps.

See docs/behaviour.md, "Scheduling and caps". `plan` and `next_wake_at` are the
planner's two public questions; both run the same walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, get_args

from ..localtime import send_time
from ..model import NudgeKind, UserState
from .context import HORIZON_DAYS, Context, Item, build_context
from .contract import Plan, PlannedEmail, day_claim
from .lists import cap
from .rules import BEYOND_HORIZON, IMMEDIATE, SCHEDULED

__all__ = ["MAX_EMAILS_PER_WINDOW", "SECTION_ORDER", "WINDOW_DAYS", "next_wake_at", "plan"]

# Sections of one e-mail, in the order `NudgeKind` lists.
SECTION_ORDER: Final[tuple[NudgeKind, ...]] = get_args(NudgeKind)
_RANK: Final[dict[str, int]] = {kind: i for i, kind in enumerate(SECTION_ORDER)}
MAX_EMAILS_PER_WINDOW: Final = 4
WINDOW_DAYS: Final = 7
_PAST_LOOKBACK: Final = 400  # days searched backwards for a missed sending day


def _fits_caps(day: int, used: set[int]) -> bool:
    """Whether one more e-mail on `day` keeps every 7-day window at 4 or fewer."""
    flags = [(day + offset) in used for offset in range(1 - WINDOW_DAYS, WINDOW_DAYS)]
    flags[WINDOW_DAYS - 1] = True
    if sum(flags) <= MAX_EMAILS_PER_WINDOW:
        return True
    return all(
        sum(flags[start : start + WINDOW_DAYS]) <= MAX_EMAILS_PER_WINDOW
        for start in range(WINDOW_DAYS)
    )


def _combine(items: list[Item]) -> list[Item]:
    """Drop superseded items: only the best of each group goes out."""
    best: dict[tuple[str, str], int] = {}
    for item in items:
        if item.group is not None and item.rank > best.get(item.group, -1):
            best[item.group] = item.rank
    return [i for i in items if i.group is None or i.rank == best[i.group]]


def _section_key(item: Item) -> tuple[int, int, str]:
    return (_RANK[item.kind], item.day, item.key)


@dataclass(frozen=True, slots=True)
class _Day:
    """One scheduled e-mail before its content is built."""

    local: date
    send_at: datetime
    items: tuple[Item, ...]


@dataclass(slots=True)
class _Schedule:
    days: list[_Day]
    later: bool  # something is pending beyond the horizon


def _schedule(ctx: Context, items: list[Item], *, first_only: bool = False) -> _Schedule:
    """Assign pending items to e-mail days; with `first_only`, stop at the first one
    that is not due yet (all `next_wake_at` needs)."""
    profile = ctx.state.profile
    today = ctx.today.toordinal()
    end = today + HORIZON_DAYS
    pause_end = profile.paused_until.toordinal() if profile.paused_until is not None else None
    blocked: set[int] = set()
    for brk in ctx.breaks:
        if brk.comeback.toordinal() > today - _PAST_LOOKBACK and brk.start.toordinal() <= end:
            blocked.update(range(brk.start.toordinal(), brk.comeback.toordinal()))
    used = set(ctx.history.used_days)

    def allowed(day: int) -> bool:
        if day in blocked or day in used or (pause_end is not None and day <= pause_end):
            return False
        return _fits_caps(day, used)

    items.sort(key=lambda i: i.day)
    # The last past day on which something could have been sent (for catch-up).
    last_open: int | None = None
    if items and items[0].day < today:
        floor = max(items[0].day, today - _PAST_LOOKBACK)
        for day in range(today - 1, floor - 1, -1):
            if allowed(day):
                last_open = day
                break

    days: list[_Day] = []
    queue: list[Item] = []
    index = 0
    day = today - 1
    while day < end:
        day += 1
        if not queue:
            if index >= len(items):
                break
            day = max(day, items[index].day)  # jump over empty days
            if day > end:
                break
        while index < len(items) and items[index].day <= day:
            queue.append(items[index])
            index += 1
        if any(i.expires is not None and i.expires < day for i in queue):
            queue = [i for i in queue if i.expires is None or i.expires >= day]
        if not queue or not allowed(day):
            continue
        batch = queue
        send_at = ctx.send_at(date.fromordinal(day))
        if last_open is not None and any(i.day <= last_open for i in queue):
            # Catch-up: something should have gone on an earlier open day and did not
            # (the service was down), so it is due from the first moment this day can
            # be claimed; what falls due later this day waits for the next allowed day.
            start = send_time(date.fromordinal(day), 0, ctx.tzname)
            cutoff = max(ctx.now, start) if day == today else start
            batch = [i for i in queue if i.due_at <= cutoff]
            send_at = max([start] + [i.due_at for i in batch])
        chosen = cap(sorted(_combine(batch), key=_section_key))
        sent_ids = {id(i) for i in batch}
        queue = [i for i in queue if id(i) not in sent_ids]
        used.add(day)
        days.append(_Day(date.fromordinal(day), send_at, tuple(chosen)))
        if first_only and send_at > ctx.now:
            break
    return _Schedule(days, later=bool(queue) or index < len(items))


def _emails(ctx: Context, schedule: _Schedule) -> list[PlannedEmail]:
    """Every e-mail with its content: immediate ones and the scheduled days."""
    emails = [email for source in IMMEDIATE for email in source(ctx)]
    for day in schedule.days:
        nudges = tuple(item.nudge(ctx) for item in day.items)
        emails.append(PlannedEmail(day_claim(day.local), day.local, day.send_at, nudges))
    emails.sort(key=lambda e: (e.send_at, e.claim_key))
    return emails


def _wake(ctx: Context, sends: list[datetime], schedule: _Schedule) -> datetime | None:
    """The earliest send time, or the horizon's end when something lies beyond it."""
    due = [moment for moment in sends if moment <= ctx.now]
    wake = min(sends, default=None)
    if not due and (schedule.later or any(more(ctx) for more in BEYOND_HORIZON)):
        horizon = max(ctx.send_at(ctx.today + timedelta(days=HORIZON_DAYS)), ctx.now)
        wake = horizon if wake is None else min(wake, horizon)
    return wake


def _stopped(state: UserState) -> bool:
    return state.profile.unsubscribed or state.profile.suppressed


def _items(ctx: Context) -> list[Item]:
    return [item for source in SCHEDULED for item in source(ctx)]


def plan(state: UserState, now: datetime) -> Plan:
    """The user's due and upcoming e-mails at `now` (docs/behaviour.md)."""
    if _stopped(state):
        return Plan((), ())
    ctx = build_context(state, now)
    emails = _emails(ctx, _schedule(ctx, _items(ctx)))
    due = tuple(e for e in emails if e.send_at <= ctx.now)
    upcoming = tuple(e for e in emails if e.send_at > ctx.now)
    return Plan(due, upcoming)


def next_wake_at(state: UserState, now: datetime) -> datetime | None:
    """The earliest moment anything could become due; None if nothing ever can.

    Never later than the next due e-mail (when something is due already, that is its
    send time, which may lie in the past); never before `now` when nothing is due; at
    most the horizon's end when something lies beyond it.
    """
    if _stopped(state):
        return None
    ctx = build_context(state, now)
    schedule = _schedule(ctx, _items(ctx), first_only=True)
    sends = [email.send_at for source in IMMEDIATE for email in source(ctx)]
    sends += [day.send_at for day in schedule.days]
    return _wake(ctx, sends, schedule)
