"""Shared fixtures: moto-backed resources built from template.yaml, and an API client."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

from bounceback_local.events import LambdaContext, http_event
from bounceback_local.provision import provision
from bounceback_local.runtime import apply_environment, load_handler
from bounceback_local.template import Resolver, functions, load_template

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "Bounceback",
        "POWERTOOLS_DEV": "0",
    }
)
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_name, None)

TEMPLATE = load_template()


@pytest.fixture
def aws() -> Iterator[Resolver]:
    """A moto account holding every resource of template.yaml."""
    with mock_aws():
        yield provision(TEMPLATE)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


class ApiClient:
    """Calls the API function's handler with HTTP API v2 events, as a signed-in user."""

    def __init__(self, handler: Any, routes: list[tuple[str, str]]) -> None:
        self._handler = handler
        self._routes = routes

    def _route_of(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        parts = path.strip("/").split("/")
        for route_method, route_path in self._routes:
            template_parts = route_path.strip("/").split("/")
            if route_method != method or len(template_parts) != len(parts):
                continue
            params: dict[str, str] = {}
            for want, got in zip(template_parts, parts, strict=True):
                if want.startswith("{") and want.endswith("}"):
                    params[want[1:-1]] = got
                elif want != got:
                    break
            else:
                return f"{route_method} {route_path}", params
        return "$default", {}

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | str | bytes | None = None,
        *,
        user: str | None = "alice",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Reply:
        route_key, params = self._route_of(method, path)
        claims = {"sub": user, "email": f"{user}@example.com"} if user else None
        event = http_event(
            method,
            route_key,
            path,
            claims=claims,
            body=body,
            headers=headers,
            query=query,
            path_parameters=params or None,
        )
        result = self._handler(event, LambdaContext("ApiFunction"))
        return Reply(
            result["statusCode"], dict(result.get("headers") or {}), result.get("body") or ""
        )

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


def api_routes(spec_events: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for e in spec_events.values()
        if e.get("Type") == "HttpApi"
    ]


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
    from aws_lambda_powertools.utilities import parameters

    from bounceback.infra import clock

    parameters.clear_caches()
    yield Delivery(aws, api)
    clock.use(None)
