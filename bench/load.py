"""Load on the local stack: concurrent clients on the real HTTP API, then a reconciliation.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--users N] [--days 35]
                                   [--seed 7]

1. Starts `bounceback local --clock manual` on a free 127.0.0.1 port with a temporary
   data directory, moves its clock to the next 10:00 UTC (daytime, so
   acknowledgements go out at once) and signs `--users` users in (`/_local/login`).
2. Load: `--clients` threads, each one user's client with a kept-alive connection,
   for `--seconds`: create applications (some with an Idempotency-Key, some of those
   retried with the same key, some sent twice at once as a double-submitting browser
   would), list them page by page, record events on them (screening, interviews,
   rejections with their channel, ...), record an impossible event now and then
   (a 409 the client expects), and log activities. Every request is timed.
3. Reconciliation of records: per user, the applications the client believes it
   created against `GET /me/export` and against `GET /applications` paged to the end
   (each exactly once; idempotent retries created nothing), the events it recorded
   and the activities it logged.
4. E-mails: the clock moves from the load's instant through 09:00 UTC of each of the
   next `--days` days (the users' default send time and zone). At each step, what
   `GET /nudges` calls "due" for every user is noted, then `/_local/tick` runs until
   it sends nothing more, and the e-mails that went out in that step are compared
   with what was due, per user (acknowledgements, scheduled e-mails, and the kinds
   they carry): missing = lost, extra = doubled. Also:
   one acknowledgement per recorded rejection (claim keys `event:<rejection id>`),
   no two scheduled e-mails for a user on one local date, at most 4 in any 7
   consecutive dates, the outbox agreeing with the sent records in the store, no
   claim left `claimed`/`unknown`, and nothing due at the end.

Targets: 0 errors, 0 lost, 0 doubled. Prints the figures, then one JSON line of them;
exits 1 when a target is missed. All traffic goes to the 127.0.0.1 stack it started;
everything is bounded by `--seconds`, `--days` and per-request timeouts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]

from bounceback.domain.model import ACTIVITY_KINDS, REJECTION_CHANNELS  # noqa: E402
from bounceback_local.client import RunningStack, call  # noqa: E402
from bounceback_local.harness import percentile  # noqa: E402

TIMEOUT_S = 120.0
# Events a client may record next, by the status the application has now
# (the forward-moving pipeline of bounceback.domain.transitions; no `accepted`,
# whose "search finished" rule would make the expected e-mails depend on ordering).
NEXT_EVENTS: dict[str, tuple[str, ...]] = {
    "applied": (
        "screening",
        "interview",
        "rejection",
        "rejection",
        "no_response",
        "follow_up_sent",
    ),
    "screening": ("interview", "rejection", "rejection", "withdrawn", "feedback_received"),
    "interviewing": ("rejection", "rejection", "offer", "feedback_received"),
    "offer": ("rejection", "withdrawn"),
    "no_response": ("screening", "rejection"),
}
FINAL = frozenset({"rejected", "withdrawn", "accepted"})
SCHEDULED_EXEMPT = frozenset({"acknowledgement", "congratulations"})


@dataclass
class Sample:
    op: str
    status: int
    seconds: float
    expected: bool
    failure: str = ""  # why no answer came (status 0)
    started: float = 0.0  # time.perf_counter() when it was sent


@dataclass
class UserLedger:
    """What one client believes it did, to check against what the service stored."""

    email: str
    token: str = ""
    user_id: str = ""
    applications: dict[str, str] = field(default_factory=dict)  # id -> status
    create_answers: int = 0
    keyed_creates: int = 0
    keyed_retries: int = 0
    id_reuse: list[str] = field(default_factory=list)  # a key answered with another id
    events: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    rejections: list[str] = field(default_factory=list)  # event ids
    activities: list[str] = field(default_factory=list)
    uncertain: int = 0  # writes whose outcome is unknown (no answer)


class Client:
    """One user's HTTP client on a kept-alive connection to the local stack."""

    def __init__(self, url: str, ledger: UserLedger, rng: random.Random) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.ledger = ledger
        self.rng = rng
        self.samples: list[Sample] = []
        self._connection: http.client.HTTPConnection | None = None

    def request(
        self,
        op: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201),
        connection: http.client.HTTPConnection | None = None,
    ) -> tuple[int, Any]:
        sent = {"Authorization": f"Bearer {self.ledger.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        own = connection is None
        started = time.perf_counter()
        try:
            conn = connection or self._connect()
            conn.request(method, path, body=data, headers=sent)
            answer = conn.getresponse()
            raw = answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException) as exc:
            if own:
                self._reset()
            status, raw, failure = 0, b"", f"{type(exc).__name__}: {exc}"
        else:
            failure = ""
        elapsed = time.perf_counter() - started
        self.samples.append(Sample(op, status, elapsed, status in expect, failure, started))
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        return self._connection

    def _reset(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def close(self) -> None:
        self._reset()

    # ------------------------------------------------------------------ the workload

    def step(self, number: int) -> None:
        roll = self.rng.random()
        if roll < 0.30:
            self.create(number)
        elif roll < 0.45:
            self.list_applications()
        elif roll < 0.75:
            self.record_event()
        elif roll < 0.80:
            self.impossible_event()
        else:
            self.log_activity()

    def _application_body(self, number: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "company": f"Company {self.rng.randrange(10_000)}",
            "role": self.rng.choice(("Analyst", "Engineer", "Designer", "Editor")),
            "source": self.rng.choice(("direct", "referral", "recruiter", "job_board")),
        }
        if self.rng.random() < 0.3:
            body["notes"] = f"Load note {number}"
        return body

    def _created(self, status: int, answer: Any) -> str | None:
        if status != 201 or not isinstance(answer, dict):
            if status == 0:
                self.ledger.uncertain += 1
            return None
        self.ledger.create_answers += 1
        app_id = str(answer["id"])
        self.ledger.applications[app_id] = str(answer["status"])
        return app_id

    def create(self, number: int) -> None:
        body = self._application_body(number)
        if self.rng.random() >= 0.4:
            self._created(*self.request("create", "POST", "/applications", body))
            return
        key = f"load-{self.ledger.email}-{number}"
        headers = {"Idempotency-Key": key}
        self.ledger.keyed_creates += 1
        roll = self.rng.random()
        ids: set[str] = set()
        if roll < 0.15:
            # A double submit: the same request twice at once; one may be told 409
            # "still running", and the retry after it answers with the same record.
            second: list[tuple[int, Any]] = []
            extra = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)

            def twin() -> None:
                second.append(
                    self.request(
                        "create_key_twin",
                        "POST",
                        "/applications",
                        body,
                        headers=headers,
                        expect=(201, 409),
                        connection=extra,
                    )
                )

            thread = threading.Thread(target=twin)
            thread.start()
            first = self.request(
                "create_key", "POST", "/applications", body, headers=headers, expect=(201, 409)
            )
            thread.join()
            extra.close()
            for status, answer in (first, *second):
                if status == 201:
                    ids.add(str(answer["id"]))
            retries = 1
        else:
            status, answer = self.request(
                "create_key", "POST", "/applications", body, headers=headers
            )
            if status == 201:
                ids.add(str(answer["id"]))
            elif status == 0:
                self.ledger.uncertain += 1
            retries = 1 if roll < 0.6 else 0
        for _ in range(retries):
            self.ledger.keyed_retries += 1
            status, answer = self.request(
                "create_key_retry", "POST", "/applications", body, headers=headers
            )
            if status == 201:
                ids.add(str(answer["id"]))
        if len(ids) > 1:
            self.ledger.id_reuse.append(key)
        for app_id in ids:
            if app_id not in self.ledger.applications:
                self.ledger.create_answers += 1
                self.ledger.applications[app_id] = "applied"

    def list_applications(self) -> None:
        query = {"limit": "20"}
        if self.rng.random() < 0.3:
            query["status"] = self.rng.choice(("applied", "rejected", "screening"))
        status, answer = self.request("list", "GET", "/applications?" + urlencode(query))
        if status == 200 and answer.get("next_cursor") and self.rng.random() < 0.5:
            query["cursor"] = answer["next_cursor"]
            self.request("list", "GET", "/applications?" + urlencode(query))

    def record_event(self) -> None:
        open_ = [a for a, s in self.ledger.applications.items() if s not in FINAL]
        if not open_:
            self.create(self.rng.randrange(1_000_000, 2_000_000))
            return
        app_id = self.rng.choice(open_)
        kind = self.rng.choice(NEXT_EVENTS[self.ledger.applications[app_id]])
        body: dict[str, Any] = {"type": kind}
        if kind == "rejection":
            body["channel"] = self.rng.choice(REJECTION_CHANNELS)
        if self.rng.random() < 0.2:
            body["note"] = "How it went"
        status, answer = self.request(
            "rejection" if kind == "rejection" else "event",
            "POST",
            f"/applications/{app_id}/events",
            body,
        )
        if status == 201:
            event_id = str(answer["event"]["id"])
            self.ledger.events[app_id].append(event_id)
            self.ledger.applications[app_id] = str(answer["application"]["status"])
            if kind == "rejection":
                self.ledger.rejections.append(event_id)
        elif status == 0:
            self.ledger.uncertain += 1

    def impossible_event(self) -> None:
        final = [a for a, s in self.ledger.applications.items() if s in FINAL]
        if not final:
            self.log_activity()
            return
        app_id = self.rng.choice(final)
        self.request(
            "impossible_event",
            "POST",
            f"/applications/{app_id}/events",
            {"type": "screening"},
            expect=(409,),
        )

    def log_activity(self) -> None:
        body = {"kind": self.rng.choice(ACTIVITY_KINDS)}
        status, answer = self.request("activity", "POST", "/activities", body)
        if status == 201:
            self.ledger.activities.append(str(answer["id"]))
        elif status == 0:
            self.ledger.uncertain += 1


# ---------------------------------------------------------------------- phases


def run_load(url: str, ledgers: list[UserLedger], clients: int, seconds: float, seed: int) -> Any:
    """`clients` threads for `seconds`; client n works as user n % len(ledgers)."""
    workers = [
        Client(url, ledgers[n % len(ledgers)], random.Random(seed * 1000 + n))
        for n in range(clients)
    ]
    if clients > len(ledgers):
        raise SystemExit("--users must be at least --clients: each client owns its user")
    deadline = time.perf_counter() + seconds
    start_gate = threading.Barrier(clients + 1)

    def work(client: Client) -> None:
        start_gate.wait()
        number = 0
        while time.perf_counter() < deadline:
            client.step(number)
            number += 1
        client.close()

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in workers]
    for thread in threads:
        thread.start()
    start_gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 2 * TIMEOUT_S)
    elapsed = time.perf_counter() - started
    samples = [s for c in workers for s in c.samples]
    for sample in samples:
        sample.started -= started
    return samples, elapsed


def stored_applications(url: str, token: str) -> list[str]:
    """Every application id `GET /applications` lists, paged to the end."""
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(10_000):
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        answer = call("GET", f"{url}/applications?{urlencode(query)}", token=token)
        assert answer.status == 200, answer.text
        ids += [item["id"] for item in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if not cursor:
            break
    return ids


def reconcile_records(url: str, ledgers: list[UserLedger]) -> dict[str, int]:
    figures: Counter[str] = Counter()
    for ledger in ledgers:
        export = call("GET", f"{url}/me/export", token=ledger.token)
        assert export.status == 200, export.text
        stored = [a["id"] for a in export.json["applications"]]
        listed = stored_applications(url, ledger.token)
        believed = set(ledger.applications)
        figures["applications_believed"] += len(believed)
        figures["applications_stored"] += len(stored)
        figures["applications_lost"] += len(believed - set(stored))
        figures["applications_unexpected"] += len(set(stored) - believed)
        figures["applications_doubled"] += len(stored) - len(set(stored))
        figures["applications_doubled"] += len(ledger.id_reuse)
        figures["list_disagrees_with_export"] += int(sorted(listed) != sorted(stored))
        events = {a["id"]: [e["id"] for e in a["events"]] for a in export.json["applications"]}
        for app_id, recorded in ledger.events.items():
            kept = events.get(app_id, [])
            figures["events_recorded"] += len(recorded)
            figures["events_lost"] += len(set(recorded) - set(kept))
            figures["events_doubled"] += len(kept) - len(set(kept))
        figures["events_unexpected"] += sum(
            len(set(kept) - set(ledger.events.get(app_id, []))) for app_id, kept in events.items()
        )
        activities = [a["id"] for a in export.json["activities"]]
        figures["activities_logged"] += len(ledger.activities)
        figures["activities_lost"] += len(set(ledger.activities) - set(activities))
        figures["activities_doubled"] += len(activities) - len(set(activities))
        figures["activities_unexpected"] += len(set(activities) - set(ledger.activities))
        figures["rejections"] += len(ledger.rejections)
        figures["uncertain_writes"] += ledger.uncertain
    return dict(figures)


@dataclass
class Due:
    """What the planner says one user's next run must send (from `GET /nudges`)."""

    acknowledgements: int = 0
    scheduled_emails: int = 0  # one per local date: a day's nudges share one e-mail
    kinds: frozenset[str] = frozenset()

    @property
    def nudges(self) -> int:
        return self.acknowledgements + self.scheduled_emails


def _due(url: str, ledger: UserLedger) -> Due:
    answer = call("GET", f"{url}/nudges", token=ledger.token)
    assert answer.status == 200, answer.text
    due = [n for n in answer.json["upcoming"] if n["state"] == "due"]
    return Due(
        acknowledgements=sum(1 for n in due if n["kind"] == "acknowledgement"),
        scheduled_emails=len({n["local_date"] for n in due if n["kind"] not in SCHEDULED_EXEMPT}),
        kinds=frozenset(n["kind"] for n in due),
    )


def _went_out(messages: list[dict[str, Any]]) -> Due:
    kinds = [_kinds(m) for m in messages]
    return Due(
        acknowledgements=sum(1 for k in kinds if k == ["acknowledgement"]),
        scheduled_emails=sum(1 for k in kinds if not set(k) & SCHEDULED_EXEMPT),
        kinds=frozenset(kind for k in kinds for kind in k),
    )


def _kinds(message: dict[str, Any]) -> list[str]:
    return str(message["headers"]["X-Bounceback-Kinds"]).split(",")


def deliver(
    stack: RunningStack, ledgers: list[UserLedger], start: datetime, days: int
) -> dict[str, Any]:
    """Move the clock day by day; at each step compare what was due with what went out."""
    by_address = {ledger.email.lower(): ledger for ledger in ledgers}
    steps = [start] + [
        datetime.combine(start.date() + timedelta(days=n), datetime.min.time(), UTC).replace(
            hour=9, minute=0
        )
        for n in range(1, days + 1)
    ]
    figures: Counter[str] = Counter()
    seen = 0
    ticks = 0
    started = time.perf_counter()
    for moment in steps:
        if moment > start:
            answer = stack.set_clock(moment.isoformat().replace("+00:00", "Z"))
            assert answer.status == 200, answer.text
        due = {ledger.email.lower(): _due(stack.url, ledger) for ledger in ledgers}
        for _ in range(50):
            ticks += 1
            if stack.tick() == 0:
                break
        else:
            figures["steps_not_drained"] += 1
        outbox = stack.outbox()
        sent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for message in outbox[seen:]:
            address = message["to"][0].lower()
            if address not in by_address:
                figures["emails_to_strangers"] += 1
                continue
            sent[address].append(message)
        seen = len(outbox)
        for address in by_address:
            expected, got = due[address], _went_out(sent.get(address, []))
            figures["emails_expected"] += expected.nudges
            for want, have in (
                (expected.acknowledgements, got.acknowledgements),
                (expected.scheduled_emails, got.scheduled_emails),
            ):
                figures["emails_lost"] += max(0, want - have)
                figures["emails_doubled"] += max(0, have - want)
            figures["kinds_lost"] += len(expected.kinds - got.kinds)
            figures["kinds_unexpected"] += len(got.kinds - expected.kinds)
    outbox = stack.outbox()
    figures["emails_sent"] = len(outbox)
    # The whole history, per user: claims, caps, acknowledgements, nothing left due.
    for ledger in ledgers:
        mine = [m for m in outbox if m["to"][0].lower() == ledger.email.lower()]
        export = call("GET", f"{stack.url}/me/export", token=ledger.token).json
        records = export["emails"]
        keys = [e["claim_key"] for e in records]
        figures["claim_keys_doubled"] += len(keys) - len(set(keys))
        figures["claims_not_sent"] += sum(1 for e in records if e["state"] != "sent")
        figures["outbox_vs_store_mismatch"] += abs(
            len(mine) - sum(1 for e in records if e["state"] == "sent")
        )
        acks = [m for m in mine if _kinds(m) == ["acknowledgement"]]
        figures["acknowledgements_sent"] += len(acks)
        ack_keys = [k for k in keys if k.startswith("event:")]
        wanted = {f"event:{event_id}" for event_id in ledger.rejections}
        figures["acknowledgements_lost"] += len(wanted - set(ack_keys))
        figures["acknowledgements_doubled"] += max(0, len(acks) - len(wanted))
        days_used = Counter(
            m["sent_at"][:10] for m in mine if not set(_kinds(m)) & SCHEDULED_EXEMPT
        )
        figures["scheduled_emails"] += sum(days_used.values())
        figures["two_scheduled_in_a_day"] += sum(1 for n in days_used.values() if n > 1)
        figures["over_4_in_7_days"] += _over_cap(days_used)
        figures["still_due_at_end"] += _due(stack.url, ledger).nudges
    figures["ticks"] = ticks
    figures["delivery_s"] = round(time.perf_counter() - started, 1)
    return dict(figures)


def _over_cap(days_used: Counter[str]) -> int:
    dates = sorted(date.fromisoformat(d) for d in days_used)
    return sum(
        1 for first in dates if sum(1 for d in dates if first <= d < first + timedelta(days=7)) > 4
    )


def next_ten_utc(now: datetime) -> datetime:
    ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return ten if ten > now else ten + timedelta(days=1)


# ---------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--users", type=int, default=None, help="default: one per client")
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    users = args.users or args.clients

    with tempfile.TemporaryDirectory(prefix="bounceback-load-") as scratch:
        stack = RunningStack(Path(scratch) / "data", clock="manual")
        stack.start()
        stack.wait_until_ready()  # as a user would: once it says it is running
        try:
            clock_now = datetime.fromisoformat(
                call("GET", f"{stack.url}/_local/clock").json["now"].replace("Z", "+00:00")
            )
            start = next_ten_utc(clock_now)
            assert stack.set_clock(start.isoformat().replace("+00:00", "Z")).status == 200
            ledgers = [UserLedger(f"load{n}@bench.example") for n in range(users)]
            for ledger in ledgers:
                ledger.token, ledger.user_id = stack.login(ledger.email)
            print(
                f"local stack on {stack.url}, clock at {start:%Y-%m-%d %H:%M} UTC; "
                f"{users} users, {args.clients} clients for {args.seconds:g} s"
            )

            samples, elapsed = run_load(stack.url, ledgers, args.clients, args.seconds, args.seed)
            latencies = [s.seconds for s in samples]
            errors = [s for s in samples if not s.expected]
            by_op: dict[str, list[Sample]] = defaultdict(list)
            for sample in samples:
                by_op[sample.op].append(sample)
            print(f"\nload: {len(samples)} requests in {elapsed:.1f} s")
            print(f"  {'operation':<18}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}  answers")
            for op, group in sorted(by_op.items()):
                times = [s.seconds for s in group]
                statuses = ", ".join(
                    f"{code}x{n}" for code, n in sorted(Counter(s.status for s in group).items())
                )
                print(
                    f"  {op:<18}{len(group):>7}{percentile(times, 0.5) * 1000:>9.0f}"
                    f"{percentile(times, 0.99) * 1000:>9.0f}  {statuses}"
                )
            for sample in errors[:10]:
                print(f"  unexpected answer: {sample.op} -> {sample.status} {sample.failure}")
            slowest = sorted(samples, key=lambda s: s.seconds)[-5:]
            print(
                "  slowest: "
                + ", ".join(
                    f"{s.op} sent at {s.started:.1f} s took {s.seconds:.1f} s" for s in slowest
                )
            )

            records = reconcile_records(stack.url, ledgers)
            print("\nrecords: " + ", ".join(f"{k} {v}" for k, v in sorted(records.items())))
            emails = deliver(stack, ledgers, start, args.days)
            print(
                f"e-mails over {args.days} days: "
                + ", ".join(f"{k} {v}" for k, v in emails.items())
            )
        finally:
            # The data directory is thrown away: no need to wait for a clean stop's snapshot.
            stack.kill()

    lost = (
        records.get("applications_lost", 0)
        + records.get("events_lost", 0)
        + records.get("activities_lost", 0)
        + emails.get("emails_lost", 0)
        + emails.get("kinds_lost", 0)
        + emails.get("acknowledgements_lost", 0)
        + emails.get("still_due_at_end", 0)
    )
    doubled = (
        records.get("applications_doubled", 0)
        + records.get("applications_unexpected", 0)
        + records.get("events_doubled", 0)
        + records.get("events_unexpected", 0)
        + records.get("activities_doubled", 0)
        + records.get("activities_unexpected", 0)
        + emails.get("emails_doubled", 0)
        + emails.get("kinds_unexpected", 0)
        + emails.get("acknowledgements_doubled", 0)
        + emails.get("claim_keys_doubled", 0)
        + emails.get("two_scheduled_in_a_day", 0)
    )
    broken = (
        emails.get("over_4_in_7_days", 0)
        + emails.get("claims_not_sent", 0)
        + emails.get("outbox_vs_store_mismatch", 0)
        + emails.get("emails_to_strangers", 0)
        + emails.get("steps_not_drained", 0)
        + records.get("list_disagrees_with_export", 0)
    )
    figures = {
        "clients": args.clients,
        "seconds": args.seconds,
        "users": users,
        "requests": len(samples),
        "rps": round(len(samples) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
        "errors": len(errors),
        "expected_409": sum(1 for s in samples if s.status == 409 and s.expected),
        "applications_created": records.get("applications_believed", 0),
        "applications_stored": records.get("applications_stored", 0),
        "events_recorded": records.get("events_recorded", 0),
        "rejections": records.get("rejections", 0),
        "activities_logged": records.get("activities_logged", 0),
        "emails_sent": emails.get("emails_sent", 0),
        "acknowledgements_sent": emails.get("acknowledgements_sent", 0),
        "scheduled_emails": emails.get("scheduled_emails", 0),
        "emails_expected": emails.get("emails_expected", 0),
        "days": args.days,
        "ticks": emails.get("ticks", 0),
        "lost": lost,
        "doubled": doubled,
        "other_violations": broken,
        "uncertain_writes": records.get("uncertain_writes", 0),
    }
    print(json.dumps(figures))
    return 0 if figures["errors"] == lost == doubled == broken == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
