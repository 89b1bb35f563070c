"""A month of Bounceback for 1,000 active users, counted through the real code, priced.

Every request is counted, not estimated: the API handler, the dispatcher (every 5
minutes, as the template's schedule says), the send queue and the sender all run
in-process against moto, created from template.yaml. Simulated users (seeded RNG)
record applications, outcomes (rejections included) and activities at local daytime
hours, and read their nudges, summary and lists. Counted through botocore event hooks
on every client: DynamoDB requests and their request units, SQS requests, SES e-mails;
Lambda invocations and their duration are measured around each handler call.

How the counts become units:
- DynamoDB on-demand request units from the bytes on the wire (item size rules:
  attribute names + values): reads 4 KB per RRU (half for eventually consistent
  reads), writes 1 KB per WRU, every item of a transaction twice; a transactional
  update or condition check, whose item is not on the wire, counts as 1 KB.
- SQS: SendMessageBatch from the dispatcher; one ReceiveMessage and one
  DeleteMessageBatch per sender batch (what Lambda's poller does). The poller's idle
  long polls are not simulated; they are added as a stated estimate.
- Lambda: measured in-process duration (moto answering in place of AWS; same order
  as real service latency), billed per ms at the template's 512 MB, arm64.
- Sender batches: the messages queued at each tick, 10 per invocation.

Speed-up (bench only): moto answers every Query by walking and sorting every item of the
table; the bench narrows that walk to the queried partition (base table) or to profile
items (DueIndex: the only items with its keys), and its per-transaction backup of the
whole table to a backup of the items touched (the local stack's emulator adjustment).
Answers and counts are unchanged; a simulated month runs in tens of minutes instead of
days. `--days 7` simulates the first week of the same month of behaviour and scales the
counts to 30 days.

Prices: AWS public list prices, us-east-1, as published on the AWS pricing pages in
June 2025 (re-check before relying on them):
- Lambda arm64: $0.0000133334 per GB-second, $0.20 per million requests;
  free tier 400,000 GB-s and 1M requests a month.
- API Gateway HTTP API: $1.00 per million requests; free tier 1M a month (first 12 months).
- DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read
  request units (November 2024 prices); storage $0.25/GB-month, 25 GB free.
- SQS standard: $0.40 per million requests (64 KB chunks); first 1M a month free.
- SES: $0.10 per 1,000 e-mails; free tier 3,000 a month (first 12 months).
- Cognito user pools, Essentials tier: $0.015 per MAU above 10,000 free MAUs.
- Secrets Manager (not in the split): $0.40 per secret-month, $0.05 per 10,000 calls.

    .venv/bin/python bench/cost.py                    # 1,000 users, 30 days (~10-20 minutes)
    .venv/bin/python bench/cost.py --users 100 --days 7

Target: Lambda + API Gateway + DynamoDB + SQS <= 0.5 x the SES cost of the
e-mails. Ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import botocore.handlers

from bounceback_local.harness import ApiClient, api_routes, use_fake_aws

REQUESTS: Counter[str] = Counter()
UNITS = {"rru": 0.0, "wru": 0.0}
_PARAMS: dict[int, dict[str, Any]] = {}


def _size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's item size rules (close enough)."""
    ((kind, raw),) = value.items()
    if kind in ("S", "B"):
        return len(raw.encode() if isinstance(raw, str) else raw)
    if kind == "N":
        return len(str(raw)) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v)) for v in raw)
    if kind == "L":
        return 3 + sum(1 + _size(v) for v in raw)
    if kind == "M":
        return 3 + sum(len(k) + 1 + _size(v) for k, v in raw.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(k) + _size(v) for k, v in (item or {}).items())


def _read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    _PARAMS[id(context)] = params


def _after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    service = model.service_model.service_name
    op = model.name
    REQUESTS[f"{service}:{op}"] += 1
    params = _PARAMS.pop(id(context), {})
    if service != "dynamodb":
        return
    consistent = bool(params.get("ConsistentRead"))
    if op == "GetItem":
        UNITS["rru"] += _read_units(item_size(parsed.get("Item")), consistent)
    elif op in ("Query", "Scan"):
        UNITS["rru"] += _read_units(sum(item_size(i) for i in parsed.get("Items", [])), consistent)
    elif op == "BatchGetItem":
        for items in parsed.get("Responses", {}).values():
            UNITS["rru"] += sum(_read_units(item_size(i), False) for i in items)
    elif op == "PutItem":
        UNITS["wru"] += _write_units(item_size(params.get("Item")))
    elif op == "UpdateItem":
        UNITS["wru"] += _write_units(item_size(parsed.get("Attributes")) or 1024)
    elif op == "DeleteItem":
        UNITS["wru"] += 1
    elif op == "BatchWriteItem":
        for requests in params.get("RequestItems", {}).values():
            for r in requests:
                UNITS["wru"] += _write_units(item_size(r.get("PutRequest", {}).get("Item")))
    elif op == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            put = entry.get("Put")
            UNITS["wru"] += 2 * (_write_units(item_size(put["Item"])) if put else 1)


for _service in ("dynamodb", "sqs", "sesv2", "secretsmanager"):
    botocore.handlers.BUILTIN_HANDLERS.append((f"before-call.{_service}", _before))
    botocore.handlers.BUILTIN_HANDLERS.append((f"after-call.{_service}", _after))

use_fake_aws()

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402

from bounceback.infra import clock  # noqa: E402
from bounceback_local import emulator  # noqa: E402
from bounceback_local.events import LambdaContext  # noqa: E402
from bounceback_local.provision import provision  # noqa: E402
from bounceback_local.runtime import apply_environment, load_handler  # noqa: E402
from bounceback_local.template import functions, load_template  # noqa: E402

# ------------------------------------------------------------------ prices (see docstring)
LAMBDA_GB_SECOND = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_FREE_GB_SECONDS = 400_000
LAMBDA_FREE_REQUESTS = 1_000_000
HTTP_API_REQUEST = 1.00 / 1e6
HTTP_API_FREE = 1_000_000
DYNAMODB_WRU = 0.625 / 1e6
DYNAMODB_RRU = 0.125 / 1e6
DYNAMODB_STORAGE_GB_MONTH = 0.25
SQS_REQUEST = 0.40 / 1e6
SQS_FREE = 1_000_000
SES_EMAIL = 0.10 / 1000
SES_FREE = 3_000
COGNITO_MAU = 0.015
COGNITO_FREE_MAU = 10_000
SECRET_MONTH = 0.40
SECRET_CALL = 0.05 / 10_000
MEMORY_GB = 0.5
# Lambda's SQS poller long-polls an idle queue: about 5 pollers x 3 receives a minute.
POLLER_IDLE_RECEIVES_PER_MINUTE = 15

START = datetime(2027, 3, 1, tzinfo=UTC)  # a Monday
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata")
CHANNELS = ("recruiter_call", "direct_email", "automated_email", "agency", "no_response")
ACTIVITIES = (
    "networking_event",
    "contacts_reviewed",
    "resume_updated",
    "industry_news",
    "exercise",
)


def _fast_moto_queries() -> None:
    """Let moto answer a query from the items it can match (same answers, same counts).

    moto walks (and sorts) every item of the table for each Query. A base-table query
    can only match the items of its own partition, and a DueIndex query only profile
    items (the only ones with due-index keys); the walk is narrowed to those.
    """
    original = Table.query
    profile_key = DynamoType({"S": "PROFILE"})

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name == "DueIndex":
            candidates = [r[profile_key] for r in self.items.values() if profile_key in r]
        elif not index_name:
            candidates = list(self.items.get(hash_key, {}).values())
        else:
            return original(self, hash_key, *args, **kwargs)
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]

    # moto backs up every table a transaction touches with a deep copy of the whole
    # table; the local stack's adjustment backs up only the items touched.
    emulator.install()


@dataclass(order=True)
class Action:
    at: datetime
    user: str = field(compare=False)
    kind: str = field(compare=False)
    detail: dict[str, Any] = field(compare=False, default_factory=dict)


def _local(
    rng: random.Random, day: datetime, zone: str, first: int = 8, last: int = 22
) -> datetime:
    local = day.astimezone(ZoneInfo(zone)).replace(
        hour=rng.randint(first, last - 1), minute=rng.randint(0, 59), second=0, microsecond=0
    )
    return local.astimezone(UTC)


def user_actions(n: int, rng: random.Random, days: int) -> list[Action]:
    """One active job seeker's month of API calls (those in the first `days` days)."""
    user = f"user-{n:05d}"
    zone = rng.choice(ZONES)
    end = START + timedelta(days=30)
    actions = [
        Action(START + timedelta(minutes=rng.randint(0, 600)), user, "settings", {"tz": zone})
    ]

    def some_day(after: datetime = START) -> datetime:
        return after + timedelta(days=rng.uniform(0, max(0.0, (end - after).days - 0.01)))

    for i in range(rng.randint(8, 16)):
        applied = _local(rng, some_day(), zone)
        actions.append(Action(applied, user, "apply", {"ref": f"{user}-{i}"}))
        roll = rng.random()
        if roll < 0.55:
            outcome = applied + timedelta(days=rng.uniform(2, 14))
            if outcome < end:
                kind = "rejection" if roll < 0.40 else rng.choice(("screening", "interview"))
                actions.append(
                    Action(
                        _local(rng, outcome, zone, 7, 23),
                        user,
                        "event",
                        {"ref": f"{user}-{i}", "type": kind},
                    )
                )
    for _ in range(rng.randint(3, 9)):
        actions.append(
            Action(
                _local(rng, some_day(), zone), user, "activity", {"kind": rng.choice(ACTIVITIES)}
            )
        )
    for kind, count in (("nudges", 4), ("summary", 4), ("list", 3), ("me", 1)):
        for _ in range(count):
            actions.append(Action(_local(rng, some_day(), zone), user, kind))
    return [a for a in actions if a.at < START + timedelta(days=days)]


@dataclass
class Lambda:
    invocations: int = 0
    seconds: float = 0.0
    billed_ms: int = 0

    def run(self, handler: Any, event: dict[str, Any], name: str) -> Any:
        started = time.perf_counter()
        result = handler(event, LambdaContext(name))
        elapsed = time.perf_counter() - started
        self.invocations += 1
        self.seconds += elapsed
        self.billed_ms += max(1, math.ceil(elapsed * 1000))
        return result


def simulate(users: int, days: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    timeline = sorted(a for n in range(users) for a in user_actions(n, rng, days))
    template = load_template()
    lambdas = {"api": Lambda(), "dispatcher": Lambda(), "sender": Lambda()}
    api_calls = 0
    with mock_aws():
        resolver = provision(template)
        specs = functions(template, resolver)
        apply_environment(list(specs.values()), {"POWERTOOLS_LOG_LEVEL": "ERROR"})
        api_handler = load_handler(specs["ApiFunction"])
        dispatcher = load_handler(specs["DispatcherFunction"])
        sender = load_handler(specs["SenderFunction"])
        queue_url = resolver.refs["SendQueue"]
        queue_arn = resolver.attributes["SendQueue.Arn"]
        sqs = boto3.client("sqs", region_name="us-east-1")
        REQUESTS.clear()
        UNITS.update(rru=0.0, wru=0.0)

        def timed_api(event: dict[str, Any], _: Any) -> Any:
            return lambdas["api"].run(api_handler, event, "ApiFunction")

        api = ApiClient(timed_api, api_routes(specs["ApiFunction"].events))
        app_ids: dict[str, str] = {}
        failures: Counter[str] = Counter()
        tick = START
        end = START + timedelta(days=days)
        position = 0
        wall = time.perf_counter()
        while tick < end:
            next_tick = tick + timedelta(minutes=5)
            while position < len(timeline) and timeline[position].at < next_tick:
                action = timeline[position]
                position += 1
                clock.use(lambda at=action.at: at)
                status = _call(api, action, app_ids)
                api_calls += 1
                if status >= 400:
                    failures[f"{action.kind}:{status}"] += 1
            clock.use(lambda at=next_tick: at)
            lambdas["dispatcher"].run(dispatcher, {}, "DispatcherFunction")
            _drain(sqs, queue_url, queue_arn, sender, lambdas["sender"])
            tick = next_tick
            if tick.hour == 0 and tick.minute == 0:
                day = (tick - START).days
                print(
                    f"day {day:>2}: {api_calls} API calls, {REQUESTS['sesv2:SendEmail']} e-mails, "
                    f"{time.perf_counter() - wall:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        clock.use(None)
    return {
        "api_calls": api_calls,
        "api_failures": dict(failures),
        "lambdas": lambdas,
        "requests": dict(REQUESTS),
        "units": dict(UNITS),
    }


def _call(api: ApiClient, action: Action, app_ids: dict[str, str]) -> int:
    user = action.user
    if action.kind == "settings":
        return api.patch("/me", {"timezone": action.detail["tz"]}, user=user).status
    if action.kind == "apply":
        reply = api.post(
            "/applications",
            {
                "company": "Acme & Sons",
                "role": "Data analyst",
                "source": "job_board",
                "notes": "Applied via the site; " * 4,
            },
            user=user,
        )
        if reply.status == 201:
            app_ids[action.detail["ref"]] = reply.json["id"]
        return reply.status
    if action.kind == "event":
        app_id = app_ids.get(action.detail["ref"])
        if app_id is None:
            return 0
        body: dict[str, Any] = {"type": action.detail["type"]}
        if body["type"] == "rejection":
            body["channel"] = random.Random(app_id).choice(CHANNELS)
        return api.post(f"/applications/{app_id}/events", body, user=user).status
    if action.kind == "activity":
        return api.post("/activities", {"kind": action.detail["kind"]}, user=user).status
    path = {"nudges": "/nudges", "summary": "/summary", "list": "/applications", "me": "/me"}[
        action.kind
    ]
    return api.get(path, user=user).status


def _drain(sqs: Any, url: str, arn: str, sender: Any, meter: Lambda) -> None:
    """Deliver the queue to the sender in batches of 10, as Lambda's poller would."""
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            REQUESTS["sqs:ReceiveMessage"] -= (
                1  # the poller's empty receive is in the idle estimate
            )
            return
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
        reply = meter.run(sender, {"Records": records}, "SenderFunction")
        failed = {f["itemIdentifier"] for f in reply["batchItemFailures"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )


def price(result: dict[str, Any], users: int, days: int) -> dict[str, Any]:
    scale = 30 / days  # figures are per 30-day month
    req = {k: v * scale for k, v in result["requests"].items()}
    lambdas: dict[str, Lambda] = result["lambdas"]
    invocations = sum(m.invocations for m in lambdas.values()) * scale
    gb_seconds = sum(m.billed_ms for m in lambdas.values()) / 1000 * MEMORY_GB * scale
    api_requests = result["api_calls"] * scale
    emails = req.get("sesv2:SendEmail", 0)
    sqs_counted = sum(v for k, v in req.items() if k.startswith("sqs:"))
    sqs_idle = POLLER_IDLE_RECEIVES_PER_MINUTE * 60 * 24 * 30
    rru = result["units"]["rru"] * scale
    wru = result["units"]["wru"] * scale
    ddb_requests = sum(v for k, v in req.items() if k.startswith("dynamodb:"))

    def both(full: float, free: float) -> dict[str, float]:
        return {"without_free_tier": round(full, 4), "with_free_tier": round(free, 4)}

    lambda_full = invocations * LAMBDA_REQUEST + gb_seconds * LAMBDA_GB_SECOND
    lambda_free = (
        max(0.0, invocations - LAMBDA_FREE_REQUESTS) * LAMBDA_REQUEST
        + max(0.0, gb_seconds - LAMBDA_FREE_GB_SECONDS) * LAMBDA_GB_SECOND
    )
    ddb = rru * DYNAMODB_RRU + wru * DYNAMODB_WRU  # storage: well under the 25 GB free
    ddb_storage = (
        0.05 * DYNAMODB_STORAGE_GB_MONTH
    )  # ~50 MB for 1,000 users, shown without free tier
    sqs_total = sqs_counted + sqs_idle
    costs = {
        "lambda": both(lambda_full, lambda_free),
        "api_gateway": both(
            api_requests * HTTP_API_REQUEST,
            max(0.0, api_requests - HTTP_API_FREE) * HTTP_API_REQUEST,
        ),
        "dynamodb": both(ddb + ddb_storage, ddb),
        "sqs": both(sqs_total * SQS_REQUEST, max(0.0, sqs_total - SQS_FREE) * SQS_REQUEST),
        "ses": both(emails * SES_EMAIL, max(0.0, emails - SES_FREE) * SES_EMAIL),
        "cognito": both(users * COGNITO_MAU, max(0, users - COGNITO_FREE_MAU) * COGNITO_MAU),
    }
    infra_idle = sum(
        costs[k]["without_free_tier"] for k in ("lambda", "api_gateway", "dynamodb", "sqs")
    )
    infra = infra_idle - sqs_idle * SQS_REQUEST
    ses = costs["ses"]["without_free_tier"]
    secret_calls = req.get("secretsmanager:GetSecretValue", 0)
    return {
        "users": users,
        "simulated_days": days,
        "per_month": {
            "api_calls": round(api_requests),
            "dispatcher_runs": round(lambdas["dispatcher"].invocations * scale),
            "sender_invocations": round(lambdas["sender"].invocations * scale),
            "lambda_invocations": round(invocations),
            "lambda_gb_seconds": round(gb_seconds, 1),
            "dynamodb_requests": round(ddb_requests),
            "dynamodb_rru": round(rru),
            "dynamodb_wru": round(wru),
            "sqs_requests_counted": round(sqs_counted),
            "sqs_idle_poll_estimate": sqs_idle,
            "emails": round(emails),
            "emails_per_user": round(emails / users, 2),
            "secretsmanager_calls": round(secret_calls),
        },
        "cost_usd": costs,
        "infra_counted": round(infra, 4),
        "ses_without_free_tier": round(ses, 4),
        "infra_to_ses_ratio": round(infra / ses, 3) if ses else None,
        "target_met": bool(ses) and infra <= 0.5 * ses,
        "infra_with_idle_poll_estimate": round(infra_idle, 4),
        "ratio_with_idle_poll_estimate": round(infra_idle / ses, 3) if ses else None,
        "not_in_split": {
            "secrets_manager": round(SECRET_MONTH + secret_calls * SECRET_CALL, 4),
        },
        "operations": {k: round(v) for k, v in sorted(req.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    _fast_moto_queries()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the handlers' EMF metric lines
        result = simulate(args.users, args.days, args.seed)
    figures = price(result, args.users, args.days)
    elapsed = time.perf_counter() - started
    print(f"simulated {args.users} users for {args.days} days in {elapsed:.0f} s")
    if result["api_failures"]:
        print(f"API answers >= 400 (expected for none): {result['api_failures']}")
    for name, value in figures["per_month"].items():
        print(f"  {name:28} {value:>12,}")
    print(f"  {'service':14} {'no free tier $':>15} {'with free tier $':>17}")
    for name, cost in figures["cost_usd"].items():
        print(f"  {name:14} {cost['without_free_tier']:>15.4f} {cost['with_free_tier']:>17.4f}")
    ses = figures["ses_without_free_tier"]
    print(
        f"Lambda+API Gateway+DynamoDB+SQS (counted) = ${figures['infra_counted']:.4f} = "
        f"{figures['infra_to_ses_ratio']} x SES (${ses:.4f}); target <= 0.5"
    )
    print(
        f"  with the SQS poller's idle long polls (estimate) = "
        f"${figures['infra_with_idle_poll_estimate']:.4f} = "
        f"{figures['ratio_with_idle_poll_estimate']} x SES"
    )
    print(f"not in the split: Secrets Manager ${figures['not_in_split']['secrets_manager']:.2f}")
    summary = {k: v for k, v in figures.items() if k != "operations"}
    print(json.dumps({"benchmark": "cost", **summary}))


if __name__ == "__main__":
    main()
