"""What invokes the functions besides HTTP: schedules, SQS and SNS, read from the template.

- `Schedule`/`ScheduleV2` events fire at the template's `rate(...)` in real mode
  (cron expressions are refused at start: the template has none);
  `tick()` fires them once at the clock's now in manual mode.
- `SQS` events behave like an event source mapping: batches of up to `BatchSize`,
  successes deleted, `batchItemFailures` (with `ReportBatchItemFailures`) or a raised
  error left on the queue for redelivery; moving to the DLQ after `maxReceiveCount`
  is the queue's own redrive policy, i.e. moto's.
- `SNS` events: the topic is subscribed to an internal SQS queue, whose messages are
  handed to the function one at a time as SNS events, as SNS invokes Lambda.

The events themselves are built in `bounceback_local.events`; the functions run in
`bounceback_local.workers`.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3

from bounceback.infra import clock
from bounceback_local.events import ACCOUNT, scheduled_event, sns_record, sqs_record
from bounceback_local.template import FunctionSpec, Resolver
from bounceback_local.workers import FunctionHost

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def _log_failure(what: str) -> None:
    print(f"[bounceback local] {what} failed:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


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

    def event(self, now: datetime, region: str) -> Any:
        if self.payload is not None:
            return json.loads(self.payload) if isinstance(self.payload, str) else self.payload
        return scheduled_event(f"{self.function}-{self.name}", now, region)


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
    # Queue and topic events found in the template, set up on AWS by `connect`.
    _pending: list[Callable[[], None]] = field(default_factory=list)
    _connecting: threading.Lock = field(default_factory=threading.Lock)

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
        """Every trigger of the template; the queues and topics are looked up by `connect`."""
        triggers = cls(host=host, region=region)
        for spec in specs.values():
            for name, event in spec.events.items():
                kind = event.get("Type")
                props = event.get("Properties") or {}
                if kind in ("Schedule", "ScheduleV2"):
                    triggers._add_schedule(spec.logical_id, name, props, resolver)
                elif kind == "SQS":
                    add = functools.partial(
                        triggers._add_queue, spec.logical_id, name, props, resolver
                    )
                    triggers._pending.append(add)
                elif kind == "SNS":
                    add = functools.partial(
                        triggers._add_topic, spec.logical_id, name, props, resolver
                    )
                    triggers._pending.append(add)
        return triggers

    def connect(self) -> None:
        """Look the template's queues up and subscribe its topics (once; the rest wait)."""
        with self._connecting:
            while self._pending:
                self._pending[0]()
                self._pending.pop(0)

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
            raise NotImplementedError(
                f"{function} ({name}): only rate(...) schedules run locally, not {expression}"
            )
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
        self.connect()
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
        self.connect()
        if self._stop.is_set():
            return
        for schedule in self.schedules:
            self._spawn(f"schedule {schedule.name}", self._run_schedule, schedule)
        for queue in self.queues:
            self._spawn(f"queue {queue.name}", self._poll, queue)

    def _spawn(self, name: str, target: Callable[[Any], None], argument: Any) -> None:
        thread = threading.Thread(target=target, args=(argument,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _run_schedule(self, schedule: ScheduleTrigger) -> None:
        interval = schedule.interval_s or 60
        # First run right away: what fell due while the stack was down goes out on start.
        self.fire(schedule)
        while not self._stop.wait(interval):
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
