"""Which actions a section offers, and the action token codec (pure; no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bounceback.adapters.action_tokens import ActionTokenCodec
from bounceback.domain.actions import MAX_PER_SECTION, choices_for, offers, question
from bounceback.domain.model import ACTIVITY_KINDS, REJECTION_CHANNELS
from bounceback.domain.planner import FollowUpSection, GapSection, NoResponseSection, WeekPick
from bounceback.ports import InvalidToken

pytestmark = pytest.mark.unit

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
FOLLOW = FollowUpSection("app1", "Globex", "Backend Engineer", date(2027, 2, 1), None, None)


def actions(kind: str, section: object, last: bool = False) -> list[tuple[str, str | None]]:
    return [(o.action, o.application_id) for o in offers(kind, section, last_of_scheduled=last)]


def test_each_section_kind_offers_its_actions() -> None:
    no_answer = NoResponseSection("app2", "Initech", "QA", date(2027, 1, 1))
    gap = GapSection(
        anchor=date(2027, 2, 1),
        step=1,
        days_idle=3,
        since_kind="activity",
        last_activity_on=date(2027, 2, 1),
        suggestion=WeekPick("contacts", date(2027, 2, 4), None),
        final=False,
    )
    assert actions("follow_up", FOLLOW) == [("followed_up", "app1"), ("rejected", "app1")]
    assert actions("no_response_check", no_answer) == [
        ("no_response", "app2"),
        ("followed_up", "app2"),
    ]
    assert actions("gap", gap) == [("log_activity", None)]
    assert actions("digest", object()) == []
    assert actions("acknowledgement", FOLLOW) == []


def test_the_last_section_of_a_scheduled_email_adds_a_pause_within_three() -> None:
    offered = offers("follow_up", FOLLOW, last_of_scheduled=True)
    assert [o.action for o in offered] == ["followed_up", "rejected", "pause_week"]
    assert len(offered) <= MAX_PER_SECTION
    assert offered[0].label == "I followed up with Globex"


def test_interview_debrief_offers_outcome_when_the_kind_exists() -> None:
    class Debrief:
        application_id = "app3"
        company = "Hooli"

    assert actions("interview_debrief", Debrief()) == [("outcome", "app3")]


def test_choices_are_the_models_values() -> None:
    assert [c.value for c in choices_for("rejected")] == list(REJECTION_CHANNELS)
    assert [c.value for c in choices_for("log_activity")] == list(ACTIVITY_KINDS)
    outcome = [c.value for c in choices_for("outcome")]
    assert outcome[:2] == ["offer", "interview"] and outcome[-1] == "nothing"
    assert choices_for("followed_up") == () == choices_for("pause_week")


def test_the_question_names_company_and_role() -> None:
    assert (
        question("followed_up", "Globex", "Backend Engineer")
        == "Record that you followed up with Globex about Backend Engineer?"
    )


CODEC = ActionTokenCodec(lambda: "s3cret-key")


def test_a_token_round_trips_what_it_carries() -> None:
    grant = CODEC.verify(CODEC.issue("alice", "rejected", "app1", NOW), NOW + timedelta(days=29))
    assert (grant.user_id, grant.action, grant.application_id) == ("alice", "rejected", "app1")
    assert grant.issued_at == NOW
    pause = CODEC.verify(CODEC.issue("alice", "pause_week", None, NOW), NOW)
    assert pause.application_id is None


def test_a_token_is_valid_for_thirty_days() -> None:
    token = CODEC.issue("alice", "pause_week", None, NOW)
    CODEC.verify(token, NOW + timedelta(days=30))
    with pytest.raises(InvalidToken):
        CODEC.verify(token, NOW + timedelta(days=30, seconds=1))
    with pytest.raises(InvalidToken):  # issued "in the future": edited
        CODEC.verify(token, NOW - timedelta(hours=1))


def test_another_secret_or_an_unknown_action_is_refused() -> None:
    token = CODEC.issue("alice", "pause_week", None, NOW)
    with pytest.raises(InvalidToken):
        ActionTokenCodec(lambda: "other").verify(token, NOW)
    with pytest.raises(ValueError):
        CODEC.issue("alice", "delete_everything", None, NOW)
    with pytest.raises(InvalidToken):  # an application action must name its application
        CODEC.verify(CODEC.issue("alice", "followed_up", None, NOW), NOW)
