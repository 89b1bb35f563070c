"""The dispatcher's window and batching, and SES event classification (fakes; no AWS)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bounceback.ports import DueUser
from bounceback.usecases.bounces import classify, handle_notification
from bounceback.usecases.dispatch import (
    FIRST_RUN_LOOKBACK,
    MAX_CATCH_UP,
    OVERLAP,
    dispatch,
    user_of,
)

pytestmark = pytest.mark.unit

NOW = datetime(2027, 2, 2, 10, 30, tzinfo=UTC)


class FakeIndex:
    def __init__(self, due: list[DueUser], watermark: datetime | None) -> None:
        self.due = due
        self.mark = watermark
        self.windows: list[tuple[datetime, datetime]] = []

    def due_between(self, start: datetime, end: datetime) -> Iterable[DueUser]:
        self.windows.append((start, end))
        return iter(self.due)

    def watermark(self) -> datetime | None:
        return self.mark

    def advance_watermark(self, to: datetime) -> bool:
        self.mark = max(self.mark, to) if self.mark else to
        return True


class FakeQueue:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail

    def send_batch(self, bodies: Sequence[str]) -> None:
        if self.fail:
            raise RuntimeError("SQS down")
        self.batches.append(list(bodies))


def users(n: int) -> list[DueUser]:
    return [DueUser(f"u{i}", "2027-02-02T10:29:00Z") for i in range(n)]


def test_a_run_reads_from_the_watermark_minus_the_overlap_up_to_now() -> None:
    index = FakeIndex([], NOW - timedelta(minutes=5))
    dispatch(index, FakeQueue(), NOW)
    assert index.windows == [(NOW - timedelta(minutes=5) - OVERLAP, NOW)]
    assert index.mark == NOW


def test_the_first_run_looks_back_a_day() -> None:
    index = FakeIndex([], None)
    dispatch(index, FakeQueue(), NOW)
    assert index.windows == [(NOW - FIRST_RUN_LOOKBACK, NOW)]


def test_after_an_outage_the_window_covers_it_but_never_more_than_the_cap() -> None:
    three_hours = FakeIndex([], NOW - timedelta(hours=3))
    dispatch(three_hours, FakeQueue(), NOW)
    assert three_hours.windows[0][0] == NOW - timedelta(hours=3) - OVERLAP
    month = FakeIndex([], NOW - timedelta(days=30))
    dispatch(month, FakeQueue(), NOW)
    assert month.windows[0][0] == NOW - MAX_CATCH_UP


def test_due_users_are_queued_once_each_in_batches_of_ten() -> None:
    index = FakeIndex([*users(23), *users(2)], NOW)
    queue = FakeQueue()
    report = dispatch(index, queue, NOW)
    assert [len(b) for b in queue.batches] == [10, 10, 3]
    assert report.users_queued == 23
    assert [user_of(body) for b in queue.batches for body in b] == [f"u{i}" for i in range(23)]


def test_a_failed_enqueue_leaves_the_watermark_for_the_next_run() -> None:
    before = NOW - timedelta(minutes=5)
    index = FakeIndex(users(3), before)
    with pytest.raises(RuntimeError):
        dispatch(index, FakeQueue(fail=True), NOW)
    assert index.mark == before


@pytest.mark.parametrize("body", ["{}", "[]", '{"user_id": ""}', '{"user_id": 7}'])
def test_a_message_without_a_user_is_refused(body: str) -> None:
    with pytest.raises(ValueError):
        user_of(body)


@pytest.mark.parametrize(
    ("notification", "action"),
    [
        ({"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}, "suppress"),
        ({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent"}}, "suppress"),
        ({"eventType": "Bounce", "bounce": {"bounceType": "Transient"}}, "ignore"),
        ({"eventType": "Bounce", "bounce": {"bounceType": "Undetermined"}}, "ignore"),
        ({"eventType": "Complaint", "complaint": {}}, "suppress"),
        ({"eventType": "Delivery"}, "ignore"),
    ],
)
def test_only_permanent_bounces_and_complaints_suppress(
    notification: dict[str, object], action: str
) -> None:
    assert classify(notification) == action


class FakeSuppressor:
    def __init__(self) -> None:
        self.stopped: list[tuple[str, str]] = []

    def stop(self, user_id: str, flag: str) -> bool:
        self.stopped.append((user_id, flag))
        return True


class FakeSent:
    """Message ids the sender recorded, per user."""

    def __init__(self, sent: dict[str, set[str]]) -> None:
        self.sent = sent

    def sent_to(self, user_id: str, message_id: str) -> bool:
        return message_id in self.sent.get(user_id, set())


class FakeSuppressions:
    def __init__(self) -> None:
        self.added: list[tuple[str, str]] = []

    def is_suppressed(self, address: str) -> bool:
        return any(a == address for a, _ in self.added)

    def suppress(self, address: str, reason: str, now: datetime) -> None:
        self.added.append((address, reason))


def complaint(message_id: str = "m-1") -> str:
    return json.dumps(
        {
            "eventType": "Complaint",
            "mail": {
                "messageId": message_id,
                "destination": ["someone@example.com"],
                "tags": {"bb_user": ["YWxpY2U"]},
            },
            "complaint": {"complainedRecipients": [{"emailAddress": "someone@example.com"}]},
        }
    )


def test_the_user_comes_from_the_tag_not_the_address() -> None:
    suppressor, suppressions = FakeSuppressor(), FakeSuppressions()
    sent = FakeSent({"alice": {"m-1"}})
    assert handle_notification(complaint(), suppressor, sent, suppressions, NOW) == "suppressed"
    assert suppressor.stopped == [("alice", "suppressed")]
    assert suppressions.added == [("someone@example.com", "complaint")]


def test_an_event_about_a_message_not_sent_to_that_user_changes_nothing() -> None:
    suppressor, suppressions = FakeSuppressor(), FakeSuppressions()
    sent = FakeSent({"alice": {"m-1"}, "bob": {"m-2"}})
    outcome = handle_notification(complaint("m-2"), suppressor, sent, suppressions, NOW)
    assert outcome == "unmatched"
    assert suppressor.stopped == [] and suppressions.added == []


def test_a_message_that_is_not_json_is_ignored() -> None:
    outcome = handle_notification(
        "not json", FakeSuppressor(), FakeSent({}), FakeSuppressions(), NOW
    )
    assert outcome == "ignored"
