"""Shared fixtures: moto-backed resources built from template.yaml, and an API client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

from bounceback_local.events import LambdaContext
from bounceback_local.harness import ApiClient, api_routes, use_fake_aws
from bounceback_local.provision import provision
from bounceback_local.runtime import apply_environment, load_handler
from bounceback_local.template import Resolver, functions, load_template

use_fake_aws({"POWERTOOLS_DEV": "0"})

TEMPLATE = load_template()


@pytest.fixture
def aws() -> Iterator[Resolver]:
    """A moto account holding every resource of template.yaml."""
    with mock_aws():
        yield provision(TEMPLATE)


@pytest.fixture
def api(aws: Resolver) -> ApiClient:
    """The API function, loaded fresh with the environment the template gives it."""
    specs = functions(TEMPLATE, aws)
    spec = specs["ApiFunction"]
    apply_environment(list(specs.values()))
    return ApiClient(load_handler(spec), api_routes(spec.events))


# ---------------------------------------------------------------- delivery


@dataclass
class SentMail:
    """One e-mail SES accepted: the request the sender made, and SES's message id."""

    message_id: str
    request: dict[str, Any]

    @property
    def to(self) -> list[str]:
        return list(self.request["Destination"]["ToAddresses"])

    @property
    def subject(self) -> str:
        return str(self.request["Content"]["Simple"]["Subject"]["Data"])

    @property
    def text(self) -> str:
        return str(self.request["Content"]["Simple"]["Body"]["Text"]["Data"])

    @property
    def html(self) -> str:
        return str(self.request["Content"]["Simple"]["Body"]["Html"]["Data"])

    @property
    def headers(self) -> dict[str, str]:
        return {h["Name"]: h["Value"] for h in self.request["Content"]["Simple"]["Headers"]}

    @property
    def kinds(self) -> list[str]:
        return self.headers["X-Bounceback-Kinds"].split(",")

    @property
    def tags(self) -> dict[str, str]:
        return {t["Name"]: t["Value"] for t in self.request.get("EmailTags", [])}


class Delivery:
    """The dispatcher, the send queue and the sender, run in-process against moto."""

    def __init__(self, resolver: Resolver, api: ApiClient) -> None:
        import sys

        import boto3

        specs = functions(TEMPLATE, resolver)
        self.api = api
        self.resolver = resolver
        self.dispatcher = load_handler(specs["DispatcherFunction"])
        self.sender = load_handler(specs["SenderFunction"])
        self.ses_events = load_handler(specs["SesEventsFunction"])
        self.sender_module: Any = sys.modules["bounceback_function_SenderFunction"]
        self.queue_url = resolver.refs["SendQueue"]
        self.queue_arn = resolver.attributes["SendQueue.Arn"]
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.outbox: list[SentMail] = []
        self._pending: list[dict[str, Any]] = []
        events = self.sender_module.mailer.client.meta.events
        events.register("provide-client-params.sesv2.SendEmail", self._capture)
        events.register("after-call.sesv2.SendEmail", self._accepted)

    def _capture(self, params: dict[str, Any], **_: Any) -> None:
        import copy

        self._pending.append(copy.deepcopy(params))

    def _accepted(self, parsed: dict[str, Any], **_: Any) -> None:
        request = self._pending.pop()
        if "MessageId" in parsed:
            self.outbox.append(SentMail(parsed["MessageId"], request))

    def dispatch(self) -> dict[str, Any]:
        result: dict[str, Any] = self.dispatcher({}, LambdaContext("DispatcherFunction"))
        return result

    def receive(self) -> list[dict[str, Any]]:
        """Every visible message of the send queue, as SQS event records."""
        records: list[dict[str, Any]] = []
        while True:
            reply = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
            )
            messages = reply.get("Messages", [])
            if not messages:
                return records
            records += [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": "us-east-1",
                }
                for m in messages
            ]

    def send(self, records: list[dict[str, Any]]) -> list[str]:
        """Run the sender on `records` as Lambda would; returns the failed message ids.

        Like the event source mapping, deletes the records that did not fail.
        """
        failed: list[str] = []
        for start in range(0, len(records), 10):
            batch = records[start : start + 10]
            reply = self.sender({"Records": batch}, LambdaContext("SenderFunction"))
            ids = {f["itemIdentifier"] for f in reply["batchItemFailures"]}
            failed += sorted(ids)
            for record in batch:
                if record["messageId"] not in ids:
                    self.sqs.delete_message(
                        QueueUrl=self.queue_url, ReceiptHandle=record["receiptHandle"]
                    )
        return failed

    def tick(self) -> list[str]:
        """One dispatcher run, then the sender until the queue is empty; failed ids."""
        self.dispatch()
        return self.send(self.receive())

    def make_visible(self, records: list[dict[str, Any]]) -> None:
        """The visibility timeout of `records` has passed (SQS will redeliver them)."""
        for record in records:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
            )

    def mails_to(self, user: str) -> list[SentMail]:
        return [m for m in self.outbox if m.to == [f"{user}@example.com"]]


@pytest.fixture
def delivery(aws: Resolver, api: ApiClient) -> Iterator[Delivery]:
    """API, dispatcher and sender on one moto account; the clock is reset afterwards."""
    from bounceback.adapters.tokens import forget_secrets
    from bounceback.infra import clock

    forget_secrets()
    yield Delivery(aws, api)
    clock.use(None)
