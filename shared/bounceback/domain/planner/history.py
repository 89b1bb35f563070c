"""Facts about a user's history: breaks, activity days, finished searches, sent e-mails.

Pure functions of a `UserState`. The planner's rules and `summary.py` both read
them, so the nudges and the summary can never disagree about, say, a break.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from ..localtime import as_utc, local_date, zone
from ..model import Application, Event, UserState, known_at
from .contract import DAY_CLAIM, EVENT_CLAIM

__all__ = [
    "FAR_FUTURE",
    "Break",
    "SentHistory",
    "activity_records",
    "break_on",
    "clamp",
    "find_breaks",
    "finished_spans",
    "last_activity_date",
    "read_sent",
    "scheduled_interviews",
    "weekly_activity",
]

FAR_FUTURE: Final = datetime.max.replace(tzinfo=UTC)
# Kinds whose e-mail marks a break's comeback as done (see `read_sent`).
_COMEBACK_KINDS: Final = frozenset({"comeback", "ask_feedback", "replay", "week_plan"})
_COMEBACK_KEYS: Final = ("comeback:", "week_plan:")


def clamp(value: int, low: int, high: int) -> int:
    """`value` kept within `low` … `high`."""
    return max(low, min(high, value))


@dataclass(frozen=True, slots=True)
class Break:
    """A recovery break: local dates `start` … `comeback - 1`."""

    start: date
    comeback: date
    rejections: tuple[tuple[Application, Event], ...]

    def covers(self, day: date) -> bool:
        """Whether `day` is one of the break's days."""
        return self.start <= day < self.comeback

    @property
    def last(self) -> tuple[Application, Event]:
        """The break's latest rejection (it decides `ask_feedback` vs `replay`)."""
        return self.rejections[-1]


def find_breaks(state: UserState) -> tuple[Break, ...]:
    """The user's recovery breaks, oldest first (docs/behaviour.md, "Break").

    A rejection on local date D starts a break covering D … D+B-1. A rejection on
    D2 inside a break moves the comeback day to D2+B, but never past D1+2·B, where
    D1 is the break's first rejection.
    """
    tzname = state.profile.timezone
    length = clamp(state.profile.break_days, 1, 7)
    rejections = sorted(
        (
            (as_utc(event.occurred_at), event.id, app, event)
            for app in state.applications
            for event in app.events
            if event.type == "rejection"
        ),
        key=lambda item: (item[0], item[1]),
    )
    breaks: list[Break] = []
    start: date | None = None
    comeback: date | None = None
    members: list[tuple[Application, Event]] = []
    for moment, _, app, event in rejections:
        day = local_date(moment, tzname)
        if start is not None and comeback is not None and day < comeback:
            comeback = min(day + timedelta(days=length), start + timedelta(days=2 * length))
            members.append((app, event))
            continue
        if start is not None and comeback is not None:
            breaks.append(Break(start, comeback, tuple(members)))
        start, comeback, members = day, day + timedelta(days=length), [(app, event)]
    if start is not None and comeback is not None:
        breaks.append(Break(start, comeback, tuple(members)))
    return tuple(breaks)


def break_on(breaks: Iterable[Break], day: date) -> Break | None:
    """The break covering `day`, if any."""
    for item in breaks:
        if item.covers(day):
            return item
    return None


def scheduled_interviews(app: Application) -> list[tuple[Event, datetime]]:
    """The application's scheduled interviews that still stand, each with its start (UTC).

    An `interview` event with `scheduled_for` schedules one. A later one recorded
    before the current one has started moves it (another start: the old one no
    longer stands) or repeats it (the same start: the later one is ignored). One
    recorded after the current one started is a further round. In the order
    recorded; see docs/behaviour.md, "Interview prep".
    """
    standing: list[tuple[Event, datetime]] = []
    ordered = sorted(
        (
            (as_utc(e.recorded_at), e.id, e, as_utc(e.scheduled_for))
            for e in app.events
            if e.type == "interview" and e.scheduled_for is not None
        ),
        key=lambda item: (item[0], item[1]),
    )
    for recorded_at, _, event, start in ordered:
        if standing and recorded_at < standing[-1][1]:
            if start == standing[-1][1]:
                continue  # the same interview recorded twice
            standing.pop()  # moved: the old start no longer stands
        standing.append((event, start))
    return standing


def _activity_dates(state: UserState) -> Iterable[date]:
    return (day for day, _ in activity_records(state))


def _known(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def activity_records(state: UserState) -> Iterable[tuple[date, datetime | None]]:
    """Each search activity's date and, when known, the moment we learnt of it
    (recorded, or imported: see `known_at`). A scheduled interview counts on the
    local date it is scheduled for.
    """
    tzname = state.profile.timezone
    for app in state.applications:
        yield app.applied_on, _known(known_at(app))
        for event in app.events:
            yield local_date(event.occurred_at, tzname), _known(known_at(event))
        for event, start in scheduled_interviews(app):
            yield local_date(start, tzname), _known(known_at(event))
    for activity in state.activities:
        yield activity.date, _known(known_at(activity))


def last_activity_date(state: UserState, *, on_or_before: date | None = None) -> date | None:
    """The date of the latest search activity, optionally up to a date."""
    latest: date | None = None
    for day in _activity_dates(state):
        if on_or_before is not None and day > on_or_before:
            continue
        if latest is None or day > latest:
            latest = day
    return latest


def weekly_activity(state: UserState, first_monday: date, weeks: int) -> list[tuple[int, int]]:
    """(applications, logged activities) per local ISO week, from `first_monday` on."""
    counts = [[0, 0] for _ in range(weeks)]
    base = first_monday.toordinal()
    for app in state.applications:
        index = (app.applied_on.toordinal() - base) // 7
        if 0 <= index < weeks:
            counts[index][0] += 1
    for activity in state.activities:
        index = (activity.date.toordinal() - base) // 7
        if 0 <= index < weeks:
            counts[index][1] += 1
    return [(a, b) for a, b in counts]


def finished_spans(state: UserState) -> list[tuple[datetime, datetime]]:
    """[accepted recorded, next new application recorded) spans: the search was over.

    An imported `accepted` is history: it finishes nothing. An imported application
    counts as recorded when it was imported.
    """
    tz = zone(state.profile.timezone)
    acceptances = sorted(
        (as_utc(event.recorded_at), app.id)
        for app in state.applications
        for event in app.events
        if event.type == "accepted" and event.imported_at is None
    )
    if not acceptances:
        return []
    recorded: list[tuple[datetime, str]] = []
    for app in state.applications:
        known = known_at(app)
        if known is not None:
            moment = as_utc(known)
        else:
            moment = datetime.combine(app.applied_on, time(), tzinfo=tz).astimezone(UTC)
        recorded.append((moment, app.id))
    recorded.sort()
    moments = [moment for moment, _ in recorded]
    spans: list[tuple[datetime, datetime]] = []
    for accepted_at, app_id in acceptances:
        # The first application recorded after the acceptance, other than its own.
        reopened = FAR_FUTURE
        for moment, other in recorded[bisect_right(moments, accepted_at) :]:
            if other != app_id:
                reopened = moment
                break
        spans.append((accepted_at, reopened))
    return spans


@dataclass(slots=True)
class SentHistory:
    """What the sender's records mean for planning (docs/behaviour.md, "Sent history")."""

    done: set[str]  # nudge keys of e-mails surely sent
    used_days: set[int]  # ordinals of local dates with a day claim
    used_events: set[str]  # event ids with an event claim
    done_comebacks: list[date]  # break starts whose comeback was sent


def read_sent(state: UserState) -> SentHistory:
    """Read every claim: any claim uses its key, only ``sent`` ones make nudges done."""
    done: set[str] = set()
    used_days: set[int] = set()
    used_events: set[str] = set()
    comebacks: list[date] = []
    for sent in state.sent:
        key = sent.claim_key
        if key.startswith(DAY_CLAIM):
            used_days.add(sent.local_date.toordinal())
        elif key.startswith(EVENT_CLAIM):
            used_events.add(key.removeprefix(EVENT_CLAIM))
        if sent.state != "sent":
            continue
        done.update(sent.nudge_keys)
        if _COMEBACK_KINDS.isdisjoint(sent.kinds):
            continue
        for key in sent.nudge_keys:
            if key.startswith(_COMEBACK_KEYS):
                try:
                    comebacks.append(date.fromisoformat(key.partition(":")[2]))
                except ValueError:
                    continue
    return SentHistory(done, used_days, used_events, comebacks)
