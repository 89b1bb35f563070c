"""Property: the planner's bounded read gives the plan the whole history gives.

The store reads activities dated from a cutoff on, plus the latest one before it
(`DynamoRecordStore.load_state_for_planning` with `since`). For random histories
reaching far behind the cutoff, random sent e-mails and random moments, planning
from that read equals planning from the full state, for every `since` the store may
be given (at most `activity_cutoff(now)`), in the store's key order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceback.domain.model import (
    ACTIVITY_KINDS,
    Activity,
    Application,
    Event,
    Profile,
    SentEmail,
    UserState,
)
from bounceback.domain.planner import (
    ACTIVITY_WINDOW_DAYS,
    activity_cutoff,
    next_wake_at,
    plan,
    planning_view,
)

pytestmark = pytest.mark.property

ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin")
START = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Spread records over twice the window, so many fall before the cutoff.
SPAN_DAYS = 2 * ACTIVITY_WINDOW_DAYS + 40


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    now = START + timedelta(
        days=draw(st.integers(SPAN_DAYS, SPAN_DAYS + 30)), minutes=draw(st.integers(0, 1439))
    )

    def moment(lo: int = 0) -> datetime:
        return now - timedelta(minutes=draw(st.integers(lo, SPAN_DAYS * 24 * 60)))

    activities = []
    for n in range(draw(st.integers(0, 30))):
        day = (now - timedelta(days=draw(st.integers(-1, SPAN_DAYS)))).date()
        # Known on its date or later (back-dated), sometimes through an import.
        known = min(now, datetime.combine(day, datetime.min.time(), UTC)) + timedelta(
            hours=draw(st.integers(0, 24 * 20))
        )
        imported = draw(st.booleans())
        activities.append(
            Activity(
                id=f"t{draw(st.integers(0, 99)):02d}{n}",
                kind=draw(st.sampled_from(ACTIVITY_KINDS)),
                date=day,
                created_at=min(known, now),
                imported_at=min(known, now) if imported else None,
            )
        )
    applications = []
    for n in range(draw(st.integers(0, 4))):
        applied = moment(24 * 60)
        events = []
        for k in range(draw(st.integers(0, 3))):
            at = applied + timedelta(hours=draw(st.integers(1, 24 * 60)))
            kind = draw(st.sampled_from(["rejection", "interview", "follow_up_sent", "screening"]))
            events.append(
                Event(
                    id=f"e{n}{k}",
                    type=kind,  # type: ignore[arg-type]
                    occurred_at=min(at, now),
                    recorded_at=min(at, now),
                    channel="direct_email" if kind == "rejection" else None,
                )
            )
        status = "rejected" if any(e.type == "rejection" for e in events) else "applied"
        applications.append(
            Application(
                id=f"a{n}",
                company="Acme",
                role="Analyst",
                applied_on=applied.date(),
                status=status,  # type: ignore[arg-type]
                events=tuple(events),
                created_at=applied,
            )
        )
    sent = []
    for _ in range(draw(st.integers(0, 6))):
        day = (now - timedelta(days=draw(st.integers(0, SPAN_DAYS)))).date()
        key = draw(
            st.sampled_from(
                [f"gap:{day.isoformat()}:{draw(st.integers(1, 4))}", f"digest:{day.isoformat()}"]
            )
        )
        sent.append(
            SentEmail(
                claim_key=f"day:{day.isoformat()}",
                local_date=day,
                kinds=(key.partition(":")[0],),
                nudge_keys=(key,),
                state="sent",
                claimed_at=now - timedelta(days=1),
            )
        )
    profile = Profile(
        user_id="u",
        email="u@example.com",
        timezone=draw(st.sampled_from(ZONES)),
        send_hour=draw(st.integers(0, 23)),
        break_days=draw(st.integers(1, 7)),
        gap_days=draw(st.integers(2, 14)),
        digest_enabled=draw(st.booleans()),
    )
    state = UserState(
        profile=profile,
        applications=tuple(applications),
        activities=tuple(activities),
        sent=tuple({s.claim_key: s for s in sent}.values()),
    )
    return {"state": state, "now": now, "earlier_by": draw(st.integers(0, 3))}


def store_read(state: UserState, since: date) -> UserState:
    """What the store's two queries return, in key order (date, then id)."""
    ordered = sorted(state.activities, key=lambda a: (a.date, a.id))
    older = [a for a in ordered if a.date < since][-1:]
    recent = [a for a in ordered if a.date >= since]
    return UserState(
        profile=state.profile,
        applications=state.applications,
        activities=(*older, *recent),
        sent=state.sent,
    )


@SETTINGS
@given(histories())
def test_plan_from_the_bounded_read_equals_plan_from_the_full_history(
    history: dict[str, Any],
) -> None:
    state, now = history["state"], history["now"]
    since = activity_cutoff(now) - timedelta(days=history["earlier_by"])
    bounded = store_read(state, since)
    assert plan(bounded, now) == plan(state, now)
    assert next_wake_at(bounded, now) == next_wake_at(state, now)
    # Later in the same day the same read still serves (the sender plans again).
    later = now + timedelta(hours=1)
    if activity_cutoff(later) >= since:
        assert plan(bounded, later) == plan(state, later)


@SETTINGS
@given(histories())
def test_the_view_keeps_the_window_and_the_latest_activity_before_it(
    history: dict[str, Any],
) -> None:
    state, now = history["state"], history["now"]
    cutoff = activity_cutoff(now)
    kept = planning_view(state, now).activities
    before = [a for a in state.activities if a.date < cutoff]
    assert {a.id for a in kept if a.date >= cutoff} == {
        a.id for a in state.activities if a.date >= cutoff
    }
    assert len(kept) - sum(1 for a in kept if a.date >= cutoff) == min(1, len(before))
    if before:
        latest = max(before, key=lambda a: (a.date, a.id))
        assert latest in kept
