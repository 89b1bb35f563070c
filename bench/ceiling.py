"""A user at the per-account ceilings: what one plan costs.

Builds one user at the ceilings of `bounceback.domain.limits` (5,000 applications
holding 50,000 events, 50,000 activities, spread over a year) and measures what every
plan reads and does:

- DynamoDB read units per plan: the items the planner's bounded read returns (the
  store's two key-range queries: activities of the last 130 days and everything after
  them in the partition, and the latest activity before them; see
  `bounceback.domain.planner.window`), each item serialised exactly as pynamodb writes
  it, priced as DynamoDB prices a Query (eventually consistent: 0.5 unit per 4 KB of
  each 1 MB page, at least 0.5 per query). The whole partition's price is printed too;
- the sender's plan time: turning those items into the state (`BaseItem.from_raw_data`
  and the store's own assembly, the CPU part of `load_state_for_planning`) and the
  pure planner (`plan` + `next_wake_at`), timed apart;
- `GET /nudges` latency through the real API handler, with the store's two queries
  answered from those items: all of the function's own work, without DynamoDB's I/O
  (the page count says how many round trips it would add);
- the planner alone (`plan` + `next_wake_at`) on a state at the ceilings whose
  applications hold rejections, accepted offers and scheduled interviews, the
  history that made its work grow fastest;
- the read units per plan of a typical user (50 applications with 10 events each,
  500 activities, spread over a year).

moto is not used for the timings: its response serialiser takes ~1 s per 550 items,
which would measure moto, not Bounceback. `--moto` seeds a small user in moto and
checks that the store's real queries return exactly the items the estimate uses.

    .venv/bin/python bench/ceiling.py [--scale 1.0] [--repeat 3] [--moto] [--full]

`--full` prices and times a read of the whole partition instead (what every plan
read before the activity window), for comparison on the same machine.

`--scale 0.1` builds a tenth of the ceilings. Prints figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bounceback_local.harness import ApiClient, api_routes, use_fake_aws

use_fake_aws({"POWERTOOLS_LOG_LEVEL": "WARNING"})

from moto import mock_aws  # noqa: E402

from bounceback.adapters import dynamo as d  # noqa: E402
from bounceback.adapters.store import DynamoRecordStore, _state_from_items  # noqa: E402
from bounceback.domain.limits import CEILINGS  # noqa: E402
from bounceback.domain.model import (  # noqa: E402
    Activity,
    Application,
    Event,
    Profile,
    UserState,
)
from bounceback.domain.planner import activity_cutoff, next_wake_at, plan  # noqa: E402
from bounceback.infra import clock  # noqa: E402
from bounceback_local.runtime import apply_environment, load_handler  # noqa: E402
from bounceback_local.template import functions, load_template  # noqa: E402

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
USER = "ceiling"
EVENT_CYCLE = ("screening", "interview", "follow_up_sent", "feedback_received", "interview")


def _size(value: Any) -> int:
    """Bytes DynamoDB counts for one attribute value (close enough for pricing)."""
    (kind, inner), *_ = value.items()
    if kind in ("S", "N", "B"):
        return len(str(inner).encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in inner)
    if kind == "L":
        return 3 + sum(1 + _size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _size(v) for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _size(value) for name, value in item.items())


def build(
    applications: int,
    events: int,
    activities: int,
    app_every: timedelta = timedelta(minutes=90),
    activity_every: timedelta = timedelta(minutes=10),
) -> list[dict[str, Any]]:
    """The user's partition as DynamoDB stores it: profile, applications, activities.

    From a year before NOW, one application every `app_every` (its events on the days
    after it) and one activity every `activity_every`.
    """
    start = NOW - timedelta(days=365)
    per_app = max(1, events // max(applications, 1))
    p = d.ProfileItem(
        pk=d.user_pk(USER),
        sk=d.PROFILE_SK,
        user_id=USER,
        email=f"{USER}@example.com",
        created_at=start,
        plan_version=1,
        application_count=applications,
        event_count=per_app * applications,
        activity_count=activities,
        activity_days={(start + timedelta(days=n)).date().isoformat() for n in range(365)},
    )
    raws = [p.serialize()]
    for n in range(applications):
        applied = start + n * app_every
        history = tuple(
            Event(
                id=f"e{n:05d}{k:02d}",
                type=EVENT_CYCLE[k % len(EVENT_CYCLE)],  # type: ignore[arg-type]
                occurred_at=applied + timedelta(days=k + 1),
                recorded_at=applied + timedelta(days=k + 1),
                note="a short note about how it went",
            )
            for k in range(per_app)
        )
        app = Application(
            id=f"a{n:05d}",
            company=f"Company {n}",
            role="Analyst",
            applied_on=applied.date(),
            status="interviewing",
            source="job_board",
            url=f"https://jobs.example/{n}",
            notes="Found on a job board; tailored the CV.",
            events=history,
            created_at=applied,
            updated_at=applied,
        )
        raws.append(d.application_to_item(USER, app, version=1).serialize())
    for n in range(activities):
        moment = start + n * activity_every
        day: date = moment.date()
        activity = Activity(
            id=f"t{n:06d}",
            kind="networking_event",
            date=day,
            note="met someone",
            created_at=moment,
        )
        raws.append(d.activity_to_item(USER, activity).serialize())
    return raws


def busy_state(applications: int, activities: int) -> UserState:
    """A user whose history makes the planner's work grow fastest: every application
    with 10 events cycling through rejections, accepted offers, scheduled interviews and
    the rest, and activities every 10 minutes (the planner alone is timed on it)."""
    start = NOW - timedelta(days=365)
    cycle = ("screening", "interview", "rejection", "follow_up_sent", "accepted", "offer")
    apps = []
    for n in range(applications):
        applied = start + timedelta(minutes=n * 100)
        history = []
        for k in range(10):
            kind = cycle[(n + k) % len(cycle)]
            at = applied + timedelta(days=k + 1)
            history.append(
                Event(
                    id=f"b{n:05d}{k:02d}",
                    type=kind,  # type: ignore[arg-type]
                    occurred_at=at,
                    recorded_at=at,
                    channel="direct_email" if kind == "rejection" else None,
                    scheduled_for=at + timedelta(days=3) if kind == "interview" else None,
                )
            )
        apps.append(
            Application(
                id=f"b{n:05d}",
                company=f"Company {n}",
                role="Analyst",
                applied_on=applied.date(),
                status="interviewing",
                events=tuple(history),
                created_at=applied,
                updated_at=applied,
            )
        )
    acts = tuple(
        Activity(
            id=f"u{n:06d}",
            kind="networking_event",
            date=(start + timedelta(minutes=n * 10)).date(),
            created_at=start + timedelta(minutes=n * 10),
        )
        for n in range(activities)
    )
    profile = Profile(user_id=USER, email=f"{USER}@example.com")
    return UserState(profile=profile, applications=tuple(apps), activities=acts)


def priced(raws: list[dict[str, Any]]) -> tuple[float, int, int]:
    """Read units, 1 MB pages and bytes of the Query that returns `raws`."""
    units, pages, page, total = 0.0, 0, 0, 0
    for raw in raws:
        size = item_size(raw)
        total += size
        if page + size > 1_048_576:
            units += max(1, math.ceil(page / 4096)) * 0.5
            pages, page = pages + 1, 0
        page += size
    units += max(1, math.ceil(page / 4096)) * 0.5
    return units, pages + 1, total


def _sk(raw: dict[str, Any]) -> str:
    return str(raw["sk"]["S"])


def planning_read(raws: list[dict[str, Any]], since: Any) -> list[list[dict[str, Any]]]:
    """The two queries of `load_state_for_planning(user, since)`, each in key order:
    the latest key from ``ACT#`` up to ``ACT#<since>``, and every key from there on."""
    first = d.activity_sk_prefix(since)
    ordered = sorted(raws, key=_sk)
    older = [r for r in ordered if d.ACT_PREFIX <= _sk(r) <= first][-1:]
    return [older, [r for r in ordered if _sk(r) >= first]]


def read_cost(queries: list[list[dict[str, Any]]]) -> tuple[float, int, int, int]:
    """Read units, pages, bytes and items of the given queries together."""
    units, pages, size = 0.0, 0, 0
    for answer in queries:
        u, p, b = priced(answer)
        units, pages, size = units + u, pages + p, size + b
    return units, pages, size, sum(len(a) for a in queries)


def moto_check(scale_items: int) -> dict[str, Any]:
    """Seed a small user in moto; the store's bounded read must return exactly the
    items, and the bytes, the estimate uses."""
    import boto3

    with mock_aws():
        from bounceback_local.provision import provision

        template = load_template()
        resolver = provision(template)
        functions(template, resolver)
        d.bind(resolver.refs["Table"], region="us-east-1")
        raws = build(
            scale_items,
            scale_items * 10,
            scale_items * 10,
            app_every=timedelta(days=360 / scale_items),
            activity_every=timedelta(days=360 / (scale_items * 10)),
        )
        client = boto3.client("dynamodb", region_name="us-east-1")
        for start in range(0, len(raws), 25):
            client.batch_write_item(
                RequestItems={
                    resolver.refs["Table"]: [
                        {"PutRequest": {"Item": r}} for r in raws[start : start + 25]
                    ]
                }
            )
        since = activity_cutoff(NOW)
        expected = [r for answer in planning_read(raws, since) for r in answer]
        returned = list(DynamoRecordStore._planning_items(USER, since))
        assert [i.sk for i in returned] == [_sk(r) for r in expected], "keys differ"
        loaded = DynamoRecordStore().load_state_for_planning(USER, since)
        assert loaded is not None and len(loaded[0].applications) == scale_items
    return {
        "moto_items_read": len(returned),
        "moto_bytes_read": sum(item_size(i.serialize()) for i in returned),
        "estimated_bytes_read": sum(item_size(r) for r in expected),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--moto", action="store_true", help="cross-check the read with moto")
    parser.add_argument(
        "--full",
        action="store_true",
        help="read the whole partition per plan (as before the activity window), to compare",
    )
    args = parser.parse_args(argv)
    applications = round(CEILINGS.applications * args.scale)
    events = round(CEILINGS.events * args.scale)
    activities = round(CEILINGS.activities * args.scale)
    clock.use(lambda: NOW)

    raws = build(applications, events, activities)
    full_units, full_pages, size = priced(raws)
    since = activity_cutoff(NOW)
    queries = [sorted(raws, key=_sk)] if args.full else planning_read(raws, since)
    read = [r for answer in queries for r in answer]
    units, pages, read_size, read_items = read_cost(queries)

    load_s: list[float] = []
    plan_s: list[float] = []
    load_cpu: list[float] = []
    state = None
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        items = [d.BaseItem.from_raw_data(dict(r)) for r in read]
        state = _state_from_items(items)
        load_s.append(time.perf_counter() - started)
        load_cpu.append(time.process_time() - cpu)
        assert state is not None
        started = time.perf_counter()
        plan(state, NOW)
        next_wake_at(state, NOW)
        plan_s.append(time.perf_counter() - started)

    busy = busy_state(applications, activities)
    busy_s: list[float] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        plan(busy, NOW)
        next_wake_at(busy, NOW)
        busy_s.append(time.perf_counter() - started)

    nudges_s: list[float] = []
    nudges_cpu: list[float] = []
    with mock_aws():
        from bounceback_local.provision import provision

        template = load_template()
        resolver = provision(template)
        specs = functions(template, resolver)
        apply_environment(list(specs.values()), {"POWERTOOLS_LOG_LEVEL": "WARNING"})
        api = ApiClient(load_handler(specs["ApiFunction"]), api_routes(specs["ApiFunction"].events))
        assert api.get("/me", user=USER).status == 200
        asked: list[Any] = []

        def from_items(user_id: str, since: Any) -> Iterator[d.BaseItem]:
            asked.append(since)
            for answer in queries if args.full else planning_read(raws, since):
                yield from (d.BaseItem.from_raw_data(dict(r)) for r in answer)

        original = DynamoRecordStore.__dict__["_planning_items"]  # the staticmethod itself
        DynamoRecordStore._planning_items = staticmethod(from_items)  # type: ignore[method-assign,assignment]
        try:
            for _ in range(args.repeat):
                started, cpu = time.perf_counter(), time.process_time()
                reply = api.get("/nudges", user=USER)
                nudges_s.append(time.perf_counter() - started)
                nudges_cpu.append(time.process_time() - cpu)
                assert reply.status == 200, reply.text
        finally:
            DynamoRecordStore._planning_items = original  # type: ignore[method-assign]
        assert asked == [since] * args.repeat, "GET /nudges did not make the planner's read"
    clock.use(None)

    typical = build(
        50,
        500,
        500,
        app_every=timedelta(days=7),
        activity_every=timedelta(hours=17),
    )
    typical_units = read_cost([typical] if args.full else planning_read(typical, since))[0]

    figures: dict[str, Any] = {
        "read": "full partition" if args.full else "bounded",
        "applications": applications,
        "events": events,
        "activities": activities,
        "partition_items": len(raws),
        "partition_mb": round(size / 1_000_000, 2),
        "read_units_full_partition": full_units,
        "query_pages_full_partition": full_pages,
        "items_read_per_plan": read_items,
        "mb_read_per_plan": round(read_size / 1_000_000, 2),
        "read_units_per_plan": units,
        "query_pages_per_plan": pages,
        "sender_load_cpu_s_median": round(statistics.median(load_s), 3),
        "sender_plan_s_median": round(statistics.median(plan_s), 3),
        "get_nudges_s_median_without_dynamodb_io": round(statistics.median(nudges_s), 3),
        "plan_s_median_offers_and_rejections": round(statistics.median(busy_s), 3),
        # CPU time of this process: steadier than the wall clock on a shared machine.
        "sender_load_cpu_time_s_median": round(statistics.median(load_cpu), 3),
        "get_nudges_cpu_time_s_median": round(statistics.median(nudges_cpu), 3),
        "typical_user_read_units_per_plan": typical_units,
    }
    if args.moto:
        figures.update(moto_check(20))
    for name, value in figures.items():
        print(f"{name:42} {value}", file=sys.stderr)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
