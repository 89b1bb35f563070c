"""What every rule reads (`Context`), and what a scheduled rule hands the scheduler (`Item`)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from ..localtime import as_utc, local_date, send_time
from ..model import NudgeKind, UserState
from .contract import Nudge
from .history import (
    Break,
    SentHistory,
    activity_records,
    clamp,
    find_breaks,
    finished_spans,
    read_sent,
)
from .window import planning_view

__all__ = ["FAR_PAST", "HORIZON_DAYS", "Context", "Item", "build_context"]

HORIZON_DAYS: Final = 35  # how far ahead `upcoming` looks, in local days
FAR_PAST: Final = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class Context:
    """One user's state at one moment, with the history facts every rule needs."""

    state: UserState
    now: datetime
    tzname: str
    hour: int
    today: date
    history: SentHistory
    breaks: tuple[Break, ...]
    reopened_at: datetime  # scheduled nudges due before this moment are dropped
    finished: list[tuple[datetime, datetime]]
    activity_days: list[date]  # every search-activity date, sorted
    latest_known_at: datetime | None  # when the latest-dated activity was recorded
    first_known_at: datetime | None  # when the user first recorded anything
    # `finished` merged into disjoint spans, as starts and ends (for `in_finished`).
    finished_starts: list[datetime]
    finished_ends: list[datetime]

    def send_at(self, day: date) -> datetime:
        """The user's send time on local date `day`."""
        return send_time(day, self.hour, self.tzname)

    def in_finished(self, moment: datetime) -> bool:
        """Whether the search was finished (an offer accepted) at `moment`."""
        index = bisect_right(self.finished_starts, moment) - 1
        return index >= 0 and moment < self.finished_ends[index]


def _merged(spans: list[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """The union of half-open spans as sorted, disjoint spans (starts, ends)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in sorted(spans):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def build_context(state: UserState, now: datetime) -> Context:
    """Read `state` once for all rules: the part of it the planner reads at `now`."""
    now = as_utc(now)
    state = planning_view(state, now)
    profile = state.profile
    finished = finished_spans(state)
    records = list(activity_records(state))
    latest = max((day for day, _ in records), default=None)
    starts, ends = _merged(finished)
    return Context(
        state=state,
        now=now,
        tzname=profile.timezone,
        hour=clamp(profile.send_hour, 0, 23),
        today=local_date(now, profile.timezone),
        history=read_sent(state),
        breaks=find_breaks(state),
        reopened_at=finished[-1][1] if finished else FAR_PAST,
        finished=finished,
        activity_days=sorted(day for day, _ in records),
        latest_known_at=max((m for d, m in records if m is not None and d == latest), default=None),
        first_known_at=min((m for _, m in records if m is not None), default=None),
        finished_starts=starts,
        finished_ends=ends,
    )


@dataclass(slots=True, kw_only=True, eq=False)
class Item:
    """A scheduled nudge waiting for its e-mail day: what the scheduler needs to place it.

    `day` is the natural local date (as an ordinal) and `due_at` its send time.
    Items of one `group` supersede each other: only the highest `rank` pending in
    an e-mail goes out. An item left unsent after the ordinal `expires` is dropped.
    A rule subclasses `Item` with the facts its content needs and builds the nudge
    in `nudge`, which is called only for items that land in an e-mail.
    """

    day: int
    kind: NudgeKind
    key: str
    due_at: datetime
    group: tuple[str, str] | None = None
    rank: int = 0
    expires: int | None = None

    def nudge(self, ctx: Context) -> Nudge:
        """The nudge this item becomes in an e-mail."""
        raise NotImplementedError

    def waiting_since(self) -> int:
        """The ordinal of the day what this item is about began (the application date,
        the interview's day); a long list names the earliest first (`lists.py`)."""
        return self.day

    def concerns(self) -> tuple[str, ...]:
        """The ids of the applications this item is about."""
        return ()
