"""What invokes the functions besides HTTP: schedules, SQS and SNS, read from the template.

- `Schedule`/`ScheduleV2` events fire at the template's rate (or cron) in real mode;
  `tick()` fires them once at the clock's now in manual mode.
- `SQS` events behave like an event source mapping: batches of up to `BatchSize`,
  successes deleted, `batchItemFailures` (with `ReportBatchItemFailures`) or a raised
  error left on the queue for redelivery; moving to the DLQ after `maxReceiveCount`
  is the queue's own redrive policy, i.e. moto's.
- `SNS` events: the topic is subscribed to an internal SQS queue, whose messages are
  handed to the function one at a time as SNS events, as SNS invokes Lambda.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bounceback.infra import clock
from bounceback_local.events import LambdaContext
from bounceback_local.runtime import Handler
from bounceback_local.template import FunctionSpec, Resolver

ACCOUNT = "123456789012"

# ------------------------------------------------------------------ functions


class FunctionHost:
    """The loaded handlers; one invocation at a time, as one warm Lambda container each.

    Invocations are serialized across functions too: the functions share this
    process (environment, clock, connections), and Powertools keeps per-request
    state on module globals.
    """

    def __init__(self, specs: dict[str, FunctionSpec], handlers: dict[str, Handler]) -> None:
        self.specs = specs
        self.handlers = handlers
        self._lock = threading.RLock()

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        spec = self.specs[logical_id]
        context = LambdaContext(
            logical_id,
            memory_mb=int(spec.properties.get("MemorySize", 512)),
            timeout_s=int(spec.properties.get("Timeout", 15)),
        )
        with self._lock:
            return self.handlers[logical_id](event, context)


def _log_failure(what: str) -> None:
    print(f"[bounceback local] {what} failed:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


# ------------------------------------------------------------------ schedules

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _cron_field(text: str, low: int, high: int, names: dict[str, int]) -> set[int] | None:
    """The values a cron field allows; None for `*`/`?` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = int(names.get(first, first)), int(names.get(last, last))
        else:
            start = int(names.get(part, part))
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class Cron:
    """An EventBridge cron expression (minutes hours day-of-month month day-of-week year)."""

    minutes: set[int] | None
    hours: set[int] | None
    days: set[int] | None
    months: set[int] | None
    weekdays: set[int] | None
    years: set[int] | None

    @classmethod
    def parse(cls, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6 or any(c in body for c in "LW#"):
            raise ValueError(f"unsupported cron expression: cron({body})")
        return cls(
            _cron_field(fields[0], 0, 59, {}),
            _cron_field(fields[1], 0, 23, {}),
            _cron_field(fields[2], 1, 31, {}),
            _cron_field(fields[3].upper(), 1, 12, _MONTHS),
            _cron_field(fields[4].upper(), 1, 7, _DAYS),
            _cron_field(fields[5], 1970, 2199, {}),
        )

    def matches(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7 + 1  # Sunday is 1
        checks = [
            (self.minutes, moment.minute),
            (self.hours, moment.hour),
            (self.days, moment.day),
            (self.months, moment.month),
            (self.weekdays, weekday),
            (self.years, moment.year),
        ]
        return all(allowed is None or value in allowed for allowed, value in checks)


@dataclass
class ScheduleTrigger:
    function: str
    name: str
    expression: str
    payload: Any = None

    @property
    def interval_s(self) -> int | None:
        match = _RATE.match(self.expression.strip())
        if not match:
            return None
        return int(match.group(1)) * _UNITS[match.group(2).rstrip("s")]

    @property
    def cron(self) -> Cron | None:
        text = self.expression.strip()
        return Cron.parse(text[5:-1]) if text.startswith("cron(") else None

    def event(self, now: datetime, region: str) -> Any:
        if self.payload is not None:
            return json.loads(self.payload) if isinstance(self.payload, str) else self.payload
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region,
            "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{self.function}-{self.name}"],
            "detail": {},
        }


# ------------------------------------------------------------------ queues


@dataclass
class QueueTrigger:
    function: str
    name: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    report_failures: bool = False
    topic_arn: str | None = None  # set when the queue stands in for an SNS subscription


def _message_attributes(message: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        out[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType", "String"),
        }
    return out


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": _message_attributes(message),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sns_record(message: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    envelope = json.loads(message.get("Body") or "{}")
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": envelope.get("Type", "Notification"),
            "MessageId": envelope.get("MessageId", message["MessageId"]),
            "TopicArn": envelope.get("TopicArn", ""),
            "Subject": envelope.get("Subject"),
            "Message": envelope.get("Message", ""),
            "Timestamp": envelope.get("Timestamp", ""),
            "SignatureVersion": envelope.get("SignatureVersion", "1"),
            "Signature": envelope.get("Signature", "local"),
            "SigningCertUrl": envelope.get("SigningCertURL", ""),
            "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
            "MessageAttributes": envelope.get("MessageAttributes", {}),
        },
    }


@dataclass
class Triggers:
    """Every non-HTTP trigger of the template, and the loops or ticks that fire them."""

    host: FunctionHost
    region: str
    schedules: list[ScheduleTrigger] = field(default_factory=list)
    queues: list[QueueTrigger] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _sqs: Any = None

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = boto3.client("sqs", region_name=self.region)
        return self._sqs

    # -------------------------------------------------------------- discovery

    @classmethod
    def discover(
        cls, specs: dict[str, FunctionSpec], resolver: Resolver, host: FunctionHost, region: str
    ) -> Triggers:
        triggers = cls(host=host, region=region)
        for spec in specs.values():
            for name, event in spec.events.items():
                kind = event.get("Type")
                props = event.get("Properties") or {}
                if kind in ("Schedule", "ScheduleV2"):
                    triggers._add_schedule(spec.logical_id, name, props, resolver)
                elif kind == "SQS":
                    triggers._add_queue(spec.logical_id, name, props, resolver)
                elif kind == "SNS":
                    triggers._add_topic(spec.logical_id, name, props, resolver)
        return triggers

    def _add_schedule(
        self, function: str, name: str, props: dict[str, Any], resolver: Resolver
    ) -> None:
        expression = resolver.resolve(props.get("Schedule") or props.get("ScheduleExpression"))
        enabled = resolver.resolve(props.get("Enabled", True))
        state = str(resolver.resolve(props.get("State", "ENABLED"))).upper()
        if enabled in (False, "false") or state == "DISABLED" or not expression:
            return
        trigger = ScheduleTrigger(
            function, name, str(expression), resolver.resolve(props.get("Input"))
        )
        if trigger.interval_s is None:
            trigger.cron  # noqa: B018 - parse now: a bad expression fails at start, not later
        self.schedules.append(trigger)

    def _queue_url(self, arn: str) -> str:
        queue_name = arn.rsplit(":", 1)[-1]
        return str(self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"])

    def _add_queue(
        self, function: str, name: str, props: dict[str, Any], resolver: Resolver
    ) -> None:
        if resolver.resolve(props.get("Enabled", True)) in (False, "false"):
            return
        arn = str(resolver.resolve(props["Queue"]))
        self.queues.append(
            QueueTrigger(
                function=function,
                name=name,
                queue_url=self._queue_url(arn),
                queue_arn=arn,
                batch_size=int(resolver.resolve(props.get("BatchSize", 10))),
                report_failures="ReportBatchItemFailures"
                in (resolver.resolve(props.get("FunctionResponseTypes")) or []),
            )
        )

    def _add_topic(
        self, function: str, name: str, props: dict[str, Any], resolver: Resolver
    ) -> None:
        topic_arn = str(resolver.resolve(props["Topic"]))
        queue_name = f"bounceback-local-sns-{function}-{name}"
        queue_url = self.sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{queue_name}"
        sns = boto3.client("sns", region_name=self.region)
        existing = sns.list_subscriptions_by_topic(TopicArn=topic_arn).get("Subscriptions", [])
        if not any(s.get("Endpoint") == queue_arn for s in existing):
            attributes = {}
            if props.get("FilterPolicy"):
                attributes["FilterPolicy"] = json.dumps(resolver.resolve(props["FilterPolicy"]))
            sns.subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes
            )
        self.queues.append(
            QueueTrigger(function, name, queue_url, queue_arn, batch_size=1, topic_arn=topic_arn)
        )

    # -------------------------------------------------------------- firing

    def fire(self, schedule: ScheduleTrigger) -> None:
        try:
            self.host.invoke(schedule.function, schedule.event(clock.now(), self.region))
        except Exception:
            _log_failure(f"{schedule.function} ({schedule.name})")

    def _receive(self, queue: QueueTrigger) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < queue.batch_size:
            answer = self.sqs.receive_message(
                QueueUrl=queue.queue_url,
                MaxNumberOfMessages=min(10, queue.batch_size - len(messages)),
                WaitTimeSeconds=0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch = answer.get("Messages") or []
            if not batch:
                break
            messages.extend(batch)
        return messages

    def deliver(self, queue: QueueTrigger) -> tuple[int, list[dict[str, Any]]]:
        """Hand one batch to the function; return (messages received, those that failed)."""
        messages = self._receive(queue)
        if not messages:
            return 0, []
        failed: list[dict[str, Any]] = []
        if queue.topic_arn is not None:
            subscription = f"{queue.topic_arn}:{queue.function}-{queue.name}"
            for message in messages:
                try:
                    self.host.invoke(
                        queue.function, {"Records": [sns_record(message, subscription)]}
                    )
                except Exception:
                    _log_failure(f"{queue.function} ({queue.name})")
                    failed.append(message)
        else:
            event = {"Records": [sqs_record(m, queue.queue_arn, self.region) for m in messages]}
            try:
                answer = self.host.invoke(queue.function, event)
            except Exception:
                _log_failure(f"{queue.function} ({queue.name})")
                failed = list(messages)
            else:
                if queue.report_failures and isinstance(answer, dict):
                    ids = {
                        str(f.get("itemIdentifier"))
                        for f in answer.get("batchItemFailures") or []
                        if isinstance(f, dict)
                    }
                    failed = [m for m in messages if m["MessageId"] in ids]
        failed_ids = {m["MessageId"] for m in failed}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=queue.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        return len(messages), failed

    def tick(self, max_rounds: int = 5) -> None:
        """Fire the schedules at the clock's now, then drain every queue; repeat while work appears.

        Each message is tried once per tick; failures become visible again afterwards,
        for the next tick.
        """
        for _round in range(max_rounds):
            for schedule in self.schedules:
                self.fire(schedule)
            delivered = 0
            for queue in self.queues:
                failed: list[dict[str, Any]] = []
                while True:
                    received, batch_failed = self.deliver(queue)
                    delivered += received - len(batch_failed)
                    failed.extend(batch_failed)
                    if received == 0:
                        break
                self._release(queue, failed)
            if delivered == 0:
                return

    def _release(self, queue: QueueTrigger, failed: Iterable[dict[str, Any]]) -> None:
        for message in failed:
            try:
                self.sqs.change_message_visibility(
                    QueueUrl=queue.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=0,
                )
            except Exception:  # noqa: S112 - it moved to the DLQ meanwhile: nothing to release
                continue

    # -------------------------------------------------------------- real time

    def start(self) -> None:
        """Run the schedules at their rate and poll the queues, until `stop`."""
        for schedule in self.schedules:
            self._spawn(f"schedule {schedule.name}", self._run_schedule, schedule)
        for queue in self.queues:
            self._spawn(f"queue {queue.name}", self._poll, queue)

    def _spawn(self, name: str, target: Callable[[Any], None], argument: Any) -> None:
        thread = threading.Thread(target=target, args=(argument,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _run_schedule(self, schedule: ScheduleTrigger) -> None:
        interval = schedule.interval_s
        cron = schedule.cron if interval is None else None
        # First run right away: what fell due while the stack was down goes out on start.
        self.fire(schedule)
        while not self._stop.is_set():
            if interval is not None:
                if self._stop.wait(interval):
                    return
                self.fire(schedule)
                continue
            now = datetime.now(UTC)
            next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
            if self._stop.wait((next_minute - now).total_seconds()):
                return
            if cron is not None and cron.matches(next_minute):
                self.fire(schedule)

    def _poll(self, queue: QueueTrigger) -> None:
        while not self._stop.is_set():
            try:
                received, _failed = self.deliver(queue)
            except Exception:
                _log_failure(f"polling {queue.name}")
                received = 0
            if received == 0 and self._stop.wait(1.0):
                return

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
