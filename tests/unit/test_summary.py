"""The momentum summary behind GET /summary."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bounceback.domain.model import STATUSES
from bounceback.domain.summary import summarize

from .test_planner_support import activity, application, at, event, profile, state_of

pytestmark = pytest.mark.unit


def test_summary_of_a_new_user_is_empty_but_complete() -> None:
    summary = summarize(state_of(profile()), at(2027, 2, 3))
    assert summary.days_since_last_activity is None
    assert summary.on_break is False and summary.break_ends_on is None
    assert set(summary.counts_by_status) == set(STATUSES)
    assert sum(summary.counts_by_status.values()) == 0
    assert summary.response_rate == 0.0


def test_summary_during_a_break_shows_the_comeback_day() -> None:
    app = application("a", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 3)))
    summary = summarize(state_of(profile(), [app]), at(2027, 2, 4))
    assert summary.on_break is True
    assert summary.break_ends_on == date(2027, 2, 5)
    assert summary.days_since_last_activity == 1


def test_summary_counts_weeks_statuses_and_response_rate() -> None:
    # Given (Wed 3 Feb 2027) two applications this week, one last week, one answered
    apps = [
        application("a", date(2027, 2, 1)),
        application("b", date(2027, 2, 2), event("s", "screening", at(2027, 2, 3))),
        application("c", date(2027, 1, 27), event("f", "follow_up_sent", at(2027, 2, 1))),
    ]
    acts = [activity("x", "networking_event", date(2027, 1, 31))]
    summary = summarize(state_of(profile(), apps, acts), at(2027, 2, 3, 18))
    assert (summary.this_week.applications, summary.this_week.activities) == (2, 0)
    assert (summary.last_week.applications, summary.last_week.activities) == (1, 1)
    assert summary.this_week.week_of == date(2027, 2, 1)
    assert summary.counts_by_status["applied"] == 2
    assert summary.counts_by_status["screening"] == 1
    assert summary.response_rate == pytest.approx(1 / 3, abs=1e-4)
    assert summary.days_since_last_activity == 0


def test_summary_weeks_are_local_iso_weeks() -> None:
    # Sunday 23:30 in Honolulu is already Monday in UTC: still last week's Sunday locally
    state = state_of(profile(timezone="Pacific/Honolulu"), [application("a", date(2027, 2, 7))])
    summary = summarize(state, at(2027, 2, 7, 23, 30, tz="Pacific/Honolulu"))
    assert summary.this_week.week_of == date(2027, 2, 1)
    assert summary.this_week.applications == 1


def test_summary_to_dict_is_json_ready() -> None:
    app = application("a", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 3)))
    data = summarize(state_of(profile(), [app]), at(2027, 2, 4)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["break_ends_on"] == "2027-02-05"
    assert data["this_week"] == {"week_of": "2027-02-01", "applications": 0, "activities": 0}
