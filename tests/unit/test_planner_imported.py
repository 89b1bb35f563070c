"""Imported records are history (docs/behaviour.md, "Import")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bounceback.domain.model import Application, Event
from bounceback.domain.planner import MoreSection, plan

from .test_planner_support import application, at, event, profile, state_of

pytestmark = pytest.mark.unit

NOW = at(2027, 2, 3, 10)  # a Wednesday, 10:00 UTC; send time 9:00 UTC


def imported(app: Application, moment=NOW) -> Application:  # type: ignore[no-untyped-def]
    events = tuple(replace(e, recorded_at=moment, imported_at=moment) for e in app.events)
    return replace(app, events=events, created_at=moment, imported_at=moment)


def kinds(state, now=NOW) -> list[str]:  # type: ignore[no-untyped-def]
    result = plan(state, now)
    return [n.kind for email in (*result.due, *result.upcoming) for n in email.nudges]


def rejection_yesterday() -> Application:
    return application("a1", date(2027, 1, 20), event("r1", "rejection", at(2027, 2, 2, 12)))


def test_a_recorded_rejection_is_acknowledged_but_an_imported_one_is_not() -> None:
    recorded = state_of(profile(), [rejection_yesterday()])
    assert "acknowledgement" in kinds(recorded)
    history = state_of(profile(), [imported(rejection_yesterday())])
    assert "acknowledgement" not in kinds(history)
    # The imported rejection still shapes the break: its comeback is planned.
    assert "week_plan" in kinds(history)


def test_an_imported_acceptance_is_not_congratulated_and_does_not_finish_the_search() -> None:
    offer = application("a1", date(2027, 1, 5), event("o1", "accepted", at(2027, 2, 2, 12)))
    waiting = application("a2", date(2027, 1, 20), created_at=at(2027, 1, 20, 12))
    recorded = state_of(profile(), [offer, waiting])
    assert "congratulations" in kinds(recorded)
    assert "follow_up" not in kinds(recorded)  # the search is finished
    history = state_of(profile(), [imported(offer), waiting])
    assert "congratulations" not in kinds(history)
    assert "follow_up" in kinds(history)


def test_what_imported_history_makes_overdue_goes_out_at_the_next_send_time_combined() -> None:
    old = [
        imported(application(f"a{n}", date(2026, 12, 1) + timedelta(days=n), company=f"C{n}"))
        for n in range(10)
    ]
    result = plan(state_of(profile(), old), NOW)
    assert result.due == ()  # nothing at once
    first = result.upcoming[0]
    assert first.send_at == at(2027, 2, 4, 9)  # the next send time, 9:00 tomorrow
    assert {n.kind for n in first.nudges} == {"no_response_check"}
    # All ten in that one e-mail: the five waiting longest named, the other five counted.
    named, more = first.nudges[:-1], first.nudges[-1]
    assert [n.application_ids for n in named] == [(f"a{n}",) for n in range(5)]
    assert isinstance(more.section, MoreSection) and more.section.count == 5
    assert set(more.application_ids) == {f"a{n}" for n in range(5, 10)}


def test_known_at_prefers_the_import_over_the_original_recording() -> None:
    from bounceback.domain.model import known_at

    original = Event("e", "interview", at(2026, 5, 1), recorded_at=at(2026, 5, 1))
    assert known_at(original) == at(2026, 5, 1)
    assert known_at(replace(original, imported_at=NOW)) == NOW
