"""Local dates and send times in a user's time zone, through `zoneinfo`.

Every date in the nudge rules (docs/behaviour.md) is a local date in the user's zone,
and "send time on date X" is `send_hour:00` local on X. These helpers are the one
place that turns those into UTC moments, so daylight-saving changes are handled
once: on a day whose `send_hour:00` does not exist (a spring-forward gap) the send
time is the first valid instant after the gap; on a day where it exists twice (a
fall-back overlap) it is the first of the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "as_utc",
    "local_date",
    "next_send_time",
    "send_time",
    "week_start",
    "zone",
]


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The zone called `name`; an unknown name falls back to UTC.

    Profiles are validated when written, so the fallback only keeps a planner
    run from failing on a zone that a later tzdata release dropped.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive moment is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=65536)
def local_date(moment: datetime, zone_name: str) -> date:
    """The user's local date at `moment` (cached: planners ask for the same events often)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name)).date()


def send_time(day: date, hour: int, zone_name: str) -> datetime:
    """`hour:00` local on `day`, as an aware UTC moment (see module docstring)."""
    return _send_time(day.toordinal(), hour, zone_name)


@lru_cache(maxsize=200_000)
def _send_time(ordinal: int, hour: int, zone_name: str) -> datetime:
    tz = zone(zone_name)
    day = date.fromordinal(ordinal)
    wall = datetime(day.year, day.month, day.day, hour)
    # fold=0: in an overlap this is the first reading; in a gap it uses the offset
    # from before the change, which lands at or after the change.
    late = wall.replace(tzinfo=tz).astimezone(UTC)
    if late.astimezone(tz).replace(tzinfo=None) == wall:
        return late
    # `wall` falls in a gap. The change happened in (early, late]: find the first
    # instant whose local reading is not before `wall`.
    early = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = early, late
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def next_send_time(moment: datetime, hour: int, zone_name: str) -> datetime:
    """The first send time (`hour:00` local) at or after `moment`."""
    day = local_date(moment, zone_name)
    candidate = send_time(day, hour, zone_name)
    if candidate >= moment:
        return candidate
    return send_time(day + timedelta(days=1), hour, zone_name)


def week_start(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())
