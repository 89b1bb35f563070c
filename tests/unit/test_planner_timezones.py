"""Local dates and send times across time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bounceback.domain.localtime import local_date, next_send_time, send_time
from bounceback.domain.planner import find_breaks, plan

from .test_planner_support import (
    activity,
    application,
    at,
    event,
    keys_of,
    profile,
    run_until,
    state_of,
)

pytestmark = pytest.mark.unit

BERLIN = "Europe/Berlin"
LOS_ANGELES = "America/Los_Angeles"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
HONOLULU = "Pacific/Honolulu"  # UTC-10


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_berlin_send_time_stays_at_nine_local_across_the_spring_forward_weekend() -> None:
    # Given a Berlin user whose gap nudges (G = 2) fall on Sat 27 and Mon 29 March 2027
    state = state_of(
        profile(timezone=BERLIN, gap_days=2, digest_enabled=False),
        activities=[activity("x", "other", date(2027, 3, 25))],
    )
    # When the sender runs over the DST weekend (clocks go forward on Sun 28 March)
    _, sent = run_until(state, at(2027, 3, 25, 12, tz=BERLIN), at(2027, 3, 30, tz=BERLIN))
    # Then both go at 09:00 local: 08:00 UTC before the change, 07:00 UTC after it
    assert [e.send_at for e in sent] == [utc(2027, 3, 27, 8), utc(2027, 3, 29, 7)]


def test_berlin_send_time_across_the_fall_back_weekend() -> None:
    assert send_time(date(2027, 10, 30), 9, BERLIN) == utc(2027, 10, 30, 7)
    assert send_time(date(2027, 11, 1), 9, BERLIN) == utc(2027, 11, 1, 8)
    # 02:00 happens twice on 31 October: the first of the two is used
    assert send_time(date(2027, 10, 31), 2, BERLIN) == utc(2027, 10, 31, 0)


def test_send_hour_inside_the_spring_forward_gap_uses_the_first_valid_instant_after_it() -> None:
    # 02:00 does not exist on 28 March 2027 in Berlin nor on 14 March 2027 in Los Angeles
    assert send_time(date(2027, 3, 28), 2, BERLIN) == utc(2027, 3, 28, 1)  # 03:00 CEST
    assert send_time(date(2027, 3, 14), 2, LOS_ANGELES) == utc(2027, 3, 14, 10)  # 03:00 PDT


def test_los_angeles_send_time_stays_at_nine_local_across_both_changes() -> None:
    assert send_time(date(2027, 3, 13), 9, LOS_ANGELES) == utc(2027, 3, 13, 17)  # PST
    assert send_time(date(2027, 3, 15), 9, LOS_ANGELES) == utc(2027, 3, 15, 16)  # PDT
    assert send_time(date(2027, 11, 6), 9, LOS_ANGELES) == utc(2027, 11, 6, 16)  # PDT
    assert send_time(date(2027, 11, 8), 9, LOS_ANGELES) == utc(2027, 11, 8, 17)  # PST


def test_los_angeles_comeback_over_the_dst_weekend_goes_at_send_time() -> None:
    # Given a rejection on Friday 12 March (break of 2 days: Fri, Sat; clocks change Sunday)
    app = application(
        "a", date(2027, 3, 1), event("r", "rejection", at(2027, 3, 12, 14, tz=LOS_ANGELES))
    )
    state = state_of(profile(timezone=LOS_ANGELES, digest_enabled=False), [app])
    comeback = next(
        e for e in plan(state, at(2027, 3, 12, 15, tz=LOS_ANGELES)).upcoming if e.scheduled
    )
    # Then the comeback is Sunday 14 March at 09:00 PDT
    assert comeback.local_date == date(2027, 3, 14)
    assert comeback.send_at == utc(2027, 3, 14, 16)


def test_user_at_utc_plus_14_gets_local_dates_a_day_ahead_of_utc() -> None:
    # Given a Kiritimati user rejected at 01:00 local on 3 Feb (still 2 Feb in UTC)
    occurred = utc(2027, 2, 2, 11)
    app = application("a", date(2027, 1, 20), event("r", "rejection", occurred))
    state = state_of(profile(timezone=KIRITIMATI, digest_enabled=False), [app])
    # Then the break starts on 3 Feb local and the comeback is 5 Feb 09:00 local
    (brk,) = find_breaks(state)
    assert brk.start == date(2027, 2, 3)
    comeback = next(e for e in plan(state, occurred).upcoming if e.scheduled)
    assert comeback.claim_key == "day:2027-02-05"
    assert comeback.send_at == utc(2027, 2, 4, 19)
    # And the acknowledgement (01:00 local is quiet hours) waits for 09:00 local
    ack = plan(state, occurred).upcoming[0]
    assert ack.kinds == ("acknowledgement",)
    assert ack.send_at == utc(2027, 2, 2, 19)


def test_user_at_utc_minus_10_gets_local_dates_a_day_behind_utc() -> None:
    # Given a Honolulu user rejected at 19:00 local on 3 Feb (already 4 Feb in UTC)
    occurred = utc(2027, 2, 4, 5)
    app = application("a", date(2027, 1, 20), event("r", "rejection", occurred))
    state = state_of(profile(timezone=HONOLULU, digest_enabled=False), [app])
    assert find_breaks(state)[0].start == date(2027, 2, 3)
    # Then the acknowledgement goes at once (19:00 is not quiet) and the comeback on 5 Feb
    result = plan(state, occurred)
    assert [e.kinds for e in result.due] == [("acknowledgement",)]
    comeback = next(e for e in result.upcoming if e.scheduled)
    assert comeback.claim_key == "day:2027-02-05"
    assert comeback.send_at == utc(2027, 2, 5, 19)


def test_monday_digest_follows_the_local_monday_at_utc_plus_14() -> None:
    state = state_of(
        profile(timezone=KIRITIMATI, gap_days=14),
        [application("a", date(2027, 2, 2), event("s", "screening", utc(2027, 2, 3)))],
    )
    digest = next(e for e in plan(state, utc(2027, 2, 5)).upcoming if "digest" in e.kinds)
    assert digest.local_date == date(2027, 2, 8)  # Monday local
    assert digest.send_at == utc(2027, 2, 7, 19)  # Sunday in UTC
    assert keys_of([digest]) == ["digest:2027-02-08"]


def test_local_date_and_next_send_time_helpers() -> None:
    assert local_date(utc(2027, 2, 2, 11), KIRITIMATI) == date(2027, 2, 3)
    assert local_date(utc(2027, 2, 4, 5), HONOLULU) == date(2027, 2, 3)
    assert next_send_time(utc(2027, 2, 4, 5), 9, HONOLULU) == utc(2027, 2, 4, 19)
    # An unknown zone name falls back to UTC rather than failing the sender
    assert local_date(utc(2027, 2, 2, 23), "Mars/Olympus") == date(2027, 2, 2)
