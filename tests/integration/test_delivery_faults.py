"""Faults in delivery: each asserts that nothing is lost and nothing is doubled."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bounceback.adapters.claims import DynamoClaims
from bounceback.adapters.store import DynamoRecordStore
from bounceback.domain.model import UserState
from bounceback.domain.render import render_email
from bounceback.infra import clock
from bounceback.infra.settings import SenderSettings
from bounceback.ports import OutgoingEmail, TransientSendError
from bounceback.usecases.delivery import Sender, Tally
from bounceback.wiring import suppression_list, unsubscribe_tokens
from bounceback_local.events import LambdaContext
from tests.conftest import Delivery

pytestmark = pytest.mark.integration

TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)


def at(moment: datetime) -> None:
    clock.use(lambda: moment)


def reject(delivery: Delivery, user: str) -> None:
    created = delivery.api.post(
        "/applications",
        {"company": "Acme", "role": "Analyst", "applied_on": "2027-01-20"},
        user=user,
    )
    assert created.status == 201, created.text
    recorded = delivery.api.post(
        f"/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "automated_email"},
        user=user,
    )
    assert recorded.status == 201, recorded.text


def claims_of(user: str) -> dict[str, str]:
    state = DynamoRecordStore().load_state(user)
    assert state is not None
    return {s.claim_key: s.state for s in state.sent}


def profile_item(user: str) -> Any:
    from bounceback.adapters import dynamo as d

    return d.ProfileItem.get(d.user_pk(user), d.PROFILE_SK, consistent_read=True)


def metric_total(output: str, name: str) -> float:
    """Sum of metric `name` in the EMF lines Powertools printed."""
    total = 0.0
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            value = document.get(name)
            if value is not None:
                total += sum(value) if isinstance(value, list) else value
    return total


def kinds_sent(delivery: Delivery, user: str) -> list[list[str]]:
    return [m.kinds for m in delivery.mails_to(user)]


def test_the_same_sqs_message_delivered_twice_sends_one_email(delivery: Delivery) -> None:
    # Given alice's acknowledgement is due and her message is in the queue
    at(TUESDAY_10)
    reject(delivery, "alice")
    delivery.dispatch()
    records = delivery.receive()
    assert len(records) == 1

    # When SQS delivers the same message twice (at-least-once)
    assert (
        delivery.sender({"Records": records}, LambdaContext("SenderFunction"))["batchItemFailures"]
        == []
    )
    assert (
        delivery.sender({"Records": records}, LambdaContext("SenderFunction"))["batchItemFailures"]
        == []
    )

    # Then one e-mail went out, and one claim says so
    assert kinds_sent(delivery, "alice") == [["acknowledgement"]]
    assert list(claims_of("alice").values()) == ["sent"]


def test_two_dispatcher_runs_at_once_queue_twice_but_send_once(delivery: Delivery) -> None:
    # Given two users with an acknowledgement due
    at(TUESDAY_10)
    reject(delivery, "alice")
    reject(delivery, "bob")

    # When two dispatcher runs overlap (same window) before any sender runs
    first, second = delivery.dispatch(), delivery.dispatch()
    assert first["users_queued"] == second["users_queued"] == 2
    records = delivery.receive()
    assert len(records) == 4

    # Then the sender, fed every copy, sends each user's e-mail once
    assert delivery.send(records) == []
    assert kinds_sent(delivery, "alice") == [["acknowledgement"]]
    assert kinds_sent(delivery, "bob") == [["acknowledgement"]]
    # and the duplicates were skipped, then the users re-planned out of "due now"
    at(TUESDAY_10 + timedelta(minutes=5))
    assert delivery.dispatch()["users_queued"] == 0


def test_ses_throttling_fails_only_the_throttled_records_and_the_retry_sends_them(
    delivery: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three users with an acknowledgement due, and SES throttling bob's send
    at(TUESDAY_10)
    for user in ("alice", "bob", "carol"):
        reject(delivery, user)
    mailer = delivery.sender_module.mailer
    real_send = mailer.send

    def throttled(email: OutgoingEmail) -> str:
        if email.user_id == "bob":
            raise TransientSendError("TooManyRequestsException")
        return str(real_send(email))

    monkeypatch.setattr(mailer, "send", throttled)

    # When the batch is processed
    delivery.dispatch()
    records = delivery.receive()
    failed = delivery.send(records)

    # Then only bob's record failed (partial batch response), and his claim was released
    bob_record = next(r for r in records if '"bob"' in r["body"])
    assert failed == [bob_record["messageId"]]
    assert kinds_sent(delivery, "alice") == kinds_sent(delivery, "carol") == [["acknowledgement"]]
    assert kinds_sent(delivery, "bob") == []
    assert claims_of("bob") == {}

    # When SES recovers and SQS redelivers bob's message after its visibility timeout
    monkeypatch.setattr(mailer, "send", real_send)
    at(TUESDAY_10 + timedelta(minutes=3))
    delivery.make_visible([bob_record])
    assert delivery.send(delivery.receive()) == []

    # Then bob got his e-mail once and nobody got a second one
    assert kinds_sent(delivery, "bob") == [["acknowledgement"]]
    assert len(delivery.outbox) == 3


def test_ses_message_rejected_suppresses_the_user_and_is_not_retried(
    delivery: Delivery, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given alice's acknowledgement is due and SES rejects her address
    at(TUESDAY_10)
    reject(delivery, "alice")
    client = delivery.sender_module.mailer.client

    def rejected(**_: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "MessageRejected", "Message": "Address blacklisted."}}, "SendEmail"
        )

    monkeypatch.setattr(client, "send_email", rejected)

    # When the schedule fires
    failed = delivery.tick()

    # Then the record is done (no pointless retries), nothing was sent or claimed,
    # and alice is suppressed and out of the due index
    assert failed == []
    assert delivery.outbox == []
    assert claims_of("alice") == {}
    profile = profile_item("alice")
    assert profile.suppressed is True
    assert profile.due_bucket is None
    assert metric_total(capsys.readouterr().out, "SendFailures") == 1

    # and nothing is sent to her later either
    monkeypatch.undo()
    at(datetime(2027, 2, 4, 9, 5, tzinfo=UTC))
    delivery.tick()
    assert delivery.outbox == []


class Crash(BaseException):
    """The Lambda process dies (timeout, out of memory): nothing after it runs."""


def test_sender_dying_after_ses_accepted_never_resends_and_the_content_comes_next_day(
    delivery: Delivery, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given alice logged an application on Monday 25 Jan, so a gap nudge is due on Thursday
    at(datetime(2027, 1, 25, 12, 0, tzinfo=UTC))
    created = delivery.api.post(
        "/applications", {"company": "Acme", "role": "Analyst", "applied_on": "2027-01-25"}
    )
    assert created.status == 201
    at(datetime(2027, 1, 25, 12, 5, tzinfo=UTC))
    delivery.tick()
    assert delivery.outbox == []

    # When the sender dies right after SES accepted Thursday's e-mail
    claims = delivery.sender_module.sender._claims
    real_mark_sent = claims.mark_sent

    def die(*_: Any, **__: Any) -> None:
        raise Crash

    monkeypatch.setattr(claims, "mark_sent", die)
    at(datetime(2027, 1, 28, 9, 5, tzinfo=UTC))
    delivery.dispatch()
    records = delivery.receive()
    with pytest.raises(Crash):
        delivery.sender({"Records": records}, LambdaContext("SenderFunction"))
    assert kinds_sent(delivery, "alice") == [["gap"]]
    assert claims_of("alice") == {"day:2027-01-28": "claimed"}

    # and SQS redelivers the message after the visibility timeout (3 minutes)
    monkeypatch.setattr(claims, "mark_sent", real_mark_sent)
    at(datetime(2027, 1, 28, 9, 8, tzinfo=UTC))
    delivery.make_visible(records)
    assert delivery.send(delivery.receive()) == []

    # Then nothing was re-sent blind: the claim is now unknown, counted once
    assert kinds_sent(delivery, "alice") == [["gap"]]
    assert claims_of("alice") == {"day:2027-01-28": "unknown"}
    assert metric_total(capsys.readouterr().out, "ClaimsUnknown") == 1

    # and the schedule keeps firing that day without sending again
    for minute in (15, 30, 55):
        at(datetime(2027, 1, 28, 9, minute, tzinfo=UTC))
        delivery.tick()
    assert len(delivery.mails_to("alice")) == 1

    # When the next day's send time comes
    at(datetime(2027, 1, 29, 9, 5, tzinfo=UTC))
    delivery.tick()

    # Then the unknown e-mail's content goes out again, in the next day's e-mail
    state = DynamoRecordStore().load_state("alice")
    assert state is not None
    by_key = {s.claim_key: s for s in state.sent}
    assert by_key["day:2027-01-29"].state == "sent"
    assert set(by_key["day:2027-01-28"].nudge_keys) <= set(by_key["day:2027-01-29"].nudge_keys)
    assert kinds_sent(delivery, "alice") == [["gap"], ["gap"]]


def test_claims_unknown_metric_counts_an_abandoned_claim_once(delivery: Delivery) -> None:
    # Given a claim abandoned in `claimed` ten minutes ago
    at(TUESDAY_10)
    reject(delivery, "alice")
    state = DynamoRecordStore().load_state("alice")
    assert state is not None
    from bounceback.domain.planner import plan

    [email] = plan(state, TUESDAY_10).due
    from bounceback.domain.model import SentEmail

    DynamoClaims().claim(
        "alice",
        SentEmail(email.claim_key, email.local_date, email.kinds, (), "claimed", TUESDAY_10),
    )

    # When two senders handle alice later
    later = TUESDAY_10 + timedelta(minutes=10)
    tallies = [Tally(), Tally()]
    for tally in tallies:
        sender_for(delivery, tally).deliver("alice", later)

    # Then the claim became unknown once, was counted once, and nothing was sent
    assert [t.get("ClaimsUnknown") for t in tallies] == [1, 0]
    assert claims_of("alice") == {email.claim_key: "unknown"}
    assert delivery.outbox == []


def sender_for(delivery: Delivery, tally: Tally, store: Any = None) -> Sender:
    return Sender(
        store=store or DynamoRecordStore(),
        claims=DynamoClaims(),
        mailer=delivery.sender_module.mailer,
        tokens=unsubscribe_tokens(SenderSettings.from_env()),
        render=render_email,
        link_base_url="https://bounceback.example",
        suppressions=suppression_list(SenderSettings.from_env()),
        tally=tally,
    )


class StaleStore(DynamoRecordStore):
    """Hands out the state read before another sender ran (a conditional-check race)."""

    def __init__(self, stale: tuple[UserState, int]) -> None:
        super().__init__()
        self.stale = stale
        self.marked: list[Any] = []

    def load_state_for_planning(
        self, user_id: str, since: date | None = None
    ) -> tuple[UserState, int] | None:
        return self.stale

    def mark_planned(self, user_id: str, seen_version: int, wake_at: datetime | None) -> bool:
        self.marked.append(wake_at)
        return super().mark_planned(user_id, seen_version, wake_at)


def test_a_sender_racing_with_stale_state_loses_the_claim_and_sends_nothing(
    delivery: Delivery,
) -> None:
    # Given two senders loaded alice's state before either claimed her e-mail
    at(TUESDAY_10)
    reject(delivery, "alice")
    stale = DynamoRecordStore().load_state_for_planning("alice")
    assert stale is not None

    # When the first sends and the second, still holding the old state, tries too
    first, second = Tally(), Tally()
    sender_for(delivery, first).deliver("alice", TUESDAY_10)
    racing = StaleStore(stale)
    sender_for(delivery, second, racing).deliver("alice", TUESDAY_10)

    # Then the conditional claim stops the second: one e-mail, a skip counted,
    # and the loser does not overwrite the winner's re-plan with its partial view
    assert len(delivery.outbox) == 1
    assert first.get("NudgesSent", ("kind", "acknowledgement")) == 1
    assert second.get("NudgesSkipped", ("reason", "already_claimed")) == 1
    assert racing.marked == []


def test_a_write_racing_with_the_replan_keeps_the_user_due_now(delivery: Delivery) -> None:
    # Given the sender has read alice's state (plan version v)
    at(TUESDAY_10)
    reject(delivery, "alice")
    loaded = DynamoRecordStore().load_state_for_planning("alice")
    assert loaded is not None

    class WriteInBetween(StaleStore):
        def mark_planned(self, user_id: str, seen_version: int, wake_at: datetime | None) -> bool:
            # alice logs an activity after the sender read her state
            at(TUESDAY_10 + timedelta(seconds=30))
            reply = delivery.api.post("/activities", {"kind": "exercise", "date": "2027-02-02"})
            assert reply.status == 201
            return super().mark_planned(user_id, seen_version, wake_at)

    racing = WriteInBetween(loaded)

    # When the sender stores its re-plan on the old version
    sender_for(delivery, Tally(), racing).deliver("alice", TUESDAY_10)

    # Then the conditional update refused it: alice stays due at the write's time
    assert racing.marked and racing.marked[0] is not None
    assert profile_item("alice").due_at == "2027-02-02T10:00:30Z"
    # and the next run re-plans her without sending the acknowledgement again
    at(TUESDAY_10 + timedelta(minutes=5))
    delivery.tick()
    assert len(delivery.outbox) == 1
    assert profile_item("alice").due_at > "2027-02-02T10:05:00Z"


def test_a_missed_schedule_for_three_hours_is_caught_up_without_doubling(
    delivery: Delivery,
) -> None:
    # Given the dispatcher last ran at 09:58
    at(datetime(2027, 2, 2, 9, 58, tzinfo=UTC))
    delivery.tick()

    # and while it was down, three users became due at 10:00, 11:00 and 12:00
    for hour, user in ((10, "alice"), (11, "bob"), (12, "carol")):
        at(datetime(2027, 2, 2, hour, 0, tzinfo=UTC))
        reject(delivery, user)

    # When it runs again at 13:00, and again at 13:05
    at(datetime(2027, 2, 2, 13, 0, tzinfo=UTC))
    assert delivery.dispatch()["users_queued"] == 3
    assert delivery.send(delivery.receive()) == []
    at(datetime(2027, 2, 2, 13, 5, tzinfo=UTC))
    assert delivery.dispatch()["users_queued"] == 0

    # Then each user got their acknowledgement exactly once
    for user in ("alice", "bob", "carol"):
        assert kinds_sent(delivery, user) == [["acknowledgement"]]


def test_an_unsubscribe_racing_with_the_sender_stops_the_claim(delivery: Delivery) -> None:
    # Given the sender read alice's state while she was still subscribed
    at(TUESDAY_10)
    reject(delivery, "alice")
    loaded = DynamoRecordStore().load_state_for_planning("alice")
    assert loaded is not None
    DynamoClaims().stop("alice", "unsubscribed")

    # When it tries to send with that state
    tally = Tally()
    sender_for(delivery, tally, StaleStore(loaded)).deliver("alice", TUESDAY_10)

    # Then the claim's profile check refused: nothing sent, nothing claimed
    assert delivery.outbox == []
    assert claims_of("alice") == {}
    assert tally.get("NudgesSkipped", ("reason", "stopped")) == 1
