"""The calendar feed: a user's interviews, follow-up dates and comeback day as iCalendar.

Pure: `calendar_feed(state, now)` answers the RFC 5545 text and its ETag; the
`icalendar` library escapes text and folds lines. See docs/behaviour.md,
"Calendar feed".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from icalendar import Calendar
from icalendar import Event as VEvent

from .localtime import as_utc, local_date
from .model import Application, UserState
from .planner.content import FOLLOW_UP_AFTER
from .planner.history import break_on, find_breaks, finished_spans, scheduled_interviews
from .planner.rules.follow_up import NO_RESPONSE_AFTER

__all__ = ["CALENDAR_NAME", "CalendarFeed", "calendar_feed"]

CALENDAR_NAME: Final = "Bounceback"
PRODID: Final = "-//Bounceback//Job search calendar//EN"
UID_DOMAIN: Final = "bounceback.invalid"
INTERVIEW_LENGTH: Final = timedelta(hours=1)
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """The feed's text and an ETag that changes exactly when the text does."""

    body: bytes
    etag: str


def _title(app: Application) -> str:
    return f"{app.company} — {app.role}"


def _stamp(*moments: datetime | None) -> datetime:
    """DTSTAMP: when what the entry describes last changed (stable across fetches)."""
    return max((as_utc(m) for m in moments if m is not None), default=_EPOCH)


def _entry(uid: str, summary: str, stamp: datetime, description: str | None = None) -> VEvent:
    entry = VEvent()
    entry.add("uid", f"{uid}@{UID_DOMAIN}")
    entry.add("dtstamp", stamp)
    entry.add("summary", summary)
    if description:
        entry.add("description", description)
    return entry


def _all_day(uid: str, summary: str, day: date, stamp: datetime, description: str) -> VEvent:
    entry = _entry(uid, summary, stamp, description)
    entry.add("dtstart", day)
    entry.add("dtend", day + timedelta(days=1))
    entry.add("transp", "TRANSPARENT")
    return entry


def _searching(state: UserState, now: datetime) -> bool:
    return not any(start <= now < end for start, end in finished_spans(state))


def calendar_feed(state: UserState, now: datetime) -> CalendarFeed:
    """Every scheduled interview (one hour, in UTC), each upcoming follow-up and
    no-response date of the applications still waiting (all-day, the dates
    themselves), and the comeback day of the current break (all-day)."""
    now = as_utc(now)
    today = local_date(now, state.profile.timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", CALENDAR_NAME)
    entries: list[tuple[date | datetime, VEvent]] = []
    for app in state.applications:
        for event, start in scheduled_interviews(app):
            entry = _entry(
                f"interview-{event.id}",
                f"Interview: {_title(app)}",
                _stamp(event.recorded_at),
                event.note,
            )
            entry.add("dtstart", start.astimezone(UTC))
            entry.add("dtend", (start + INTERVIEW_LENGTH).astimezone(UTC))
            entries.append((start, entry))
    if _searching(state, now):
        for app in state.applications:
            if app.status != "applied" or any(e.type != "follow_up_sent" for e in app.events):
                continue
            stamp = _stamp(app.created_at, app.updated_at)
            follow_up = app.applied_on + timedelta(days=FOLLOW_UP_AFTER)
            if not app.events and follow_up >= today:
                entry = _all_day(
                    f"follow-up-{app.id}",
                    f"Follow up: {_title(app)}",
                    follow_up,
                    stamp,
                    "A week since you applied: a short, friendly follow-up is normal.",
                )
                entries.append((follow_up, entry))
            check = app.applied_on + timedelta(days=NO_RESPONSE_AFTER)
            if check >= today:
                entry = _all_day(
                    f"no-response-{app.id}",
                    f"Still no answer? {_title(app)}",
                    check,
                    stamp,
                    "30 days without an answer: maybe mark it as no response.",
                )
                entries.append((check, entry))
    current = break_on(find_breaks(state), today)
    if current is not None:
        stamp = _stamp(*(event.recorded_at for _, event in current.rejections))
        entry = _all_day(
            f"comeback-{current.start.isoformat()}",
            "Comeback day: back to the search, gently",
            current.comeback,
            stamp,
            "Your recovery break ends: a gentle plan arrives by e-mail.",
        )
        entries.append((current.comeback, entry))
    for _, entry in sorted(entries, key=lambda item: (_sort_key(item[0]), str(item[1]["uid"]))):
        cal.add_component(entry)
    body = cal.to_ical()
    return CalendarFeed(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _sort_key(when: date | datetime) -> str:
    return when.astimezone(UTC).isoformat() if isinstance(when, datetime) else when.isoformat()
