"""Property tests of the interview rules over the same random timelines as the planner's.

The timelines (tests/property/test_planner_properties.py) schedule interviews from
the past day to ten days ahead, move them, and mix in pauses, breaks and stops.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from bounceback.domain.localtime import as_utc, local_date
from bounceback.domain.model import Application, Event, UserState

from .test_planner_properties import SETTINGS, simulate, timelines

pytestmark = pytest.mark.property


def _interview(state: UserState, application_id: str, key: str) -> tuple[Application, Event]:
    event_id = key.split(":", 1)[1]
    app = next(a for a in state.applications if a.id == application_id)
    return app, next(e for e in app.events if e.id == event_id)


@SETTINGS
@given(timelines())
def test_prep_goes_at_most_once_per_interview_before_it_starts_and_never_in_a_pause(
    timeline: dict[str, Any],
) -> None:
    sim = simulate(timeline)
    seen: set[str] = set()
    for delivery in sim.deliveries:
        for nudge in delivery.email.nudges:
            if nudge.kind != "interview_prep":
                continue
            assert not delivery.email.scheduled
            assert nudge.key not in seen, f"second prep for {nudge.key}"
            seen.add(nudge.key)
            _, interview = _interview(delivery.state, nudge.application_ids[0], nudge.key)
            assert interview.scheduled_for is not None
            assert delivery.at < as_utc(interview.scheduled_for), "prep after the start"
            paused = delivery.state.profile.paused_until
            sent_on = local_date(delivery.at, delivery.state.profile.timezone)
            assert paused is None or sent_on > paused, "prep during a pause"


@SETTINGS
@given(timelines())
def test_debrief_never_goes_once_a_later_event_is_recorded(timeline: dict[str, Any]) -> None:
    sim = simulate(timeline)
    final = sim.state
    for delivery in sim.deliveries:
        for nudge in delivery.email.nudges:
            if nudge.kind != "interview_debrief":
                continue
            assert delivery.email.scheduled
            app, interview = _interview(final, nudge.application_ids[0], nudge.key)
            tz = final.profile.timezone
            sent_on = local_date(delivery.at, tz)
            later = [
                e
                for e in app.events
                if e.id != interview.id
                and as_utc(e.recorded_at) > as_utc(interview.recorded_at)
                and local_date(e.recorded_at, tz) <= sent_on
                and as_utc(e.recorded_at) <= delivery.at
            ]
            assert later == [], f"debrief {nudge.key} after a later event"
