"""How many DynamoDB requests one call of each API route makes.

Counted through botocore's event hooks: a `before-call.dynamodb` handler is added to
botocore's built-in handlers, so every client (pynamodb's, Powertools idempotency's)
reports each request. Runs the real API handler against moto, in-process.

    .venv/bin/python bench/api_requests.py

Targets: create application <= 3 including idempotency; a read or a list page
<= 1; recording an event <= 2; the calendar feed <= 2 (find the user by the
secret, read their partition); an action link's page <= 2, its post <= 3;
importing a 100-row CSV <= 100/25 + 3 (two reads, the batches of 25, the profile
once), its dry run and its repeat <= 2. Prints a table, then one JSON line of the
figures.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import botocore.handlers

from bounceback_local.harness import ApiClient, api_routes, use_fake_aws

CALLS: Counter[str] = Counter()


def _count(model: Any, **_: Any) -> None:
    CALLS[model.name] += 1


# Registered before any session exists, so every client created later carries it.
botocore.handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", _count))

use_fake_aws(
    {
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

from moto import mock_aws  # noqa: E402

from bounceback.infra import clock  # noqa: E402
from bounceback_local.runtime import apply_environment, load_handler  # noqa: E402
from bounceback_local.template import functions, load_template  # noqa: E402

APPLICATION = {
    "company": "Acme",
    "role": "Analyst",
    "source": "recruiter",
    "applied_on": "2027-02-01",
}
# Route -> the most requests one call may make (None: no target, reported only).
TARGETS: dict[str, int | None] = {
    "GET /me": 1,
    "PATCH /me": 1,
    "POST /applications": 3,
    "POST /applications (Idempotency-Key)": 3,
    "POST /applications (Idempotency-Key, repeat)": 3,
    "POST /applications (applied_on omitted)": None,
    "GET /applications": 1,
    "GET /applications?status=": 1,
    "GET /applications/{id}": 1,
    "PATCH /applications/{id}": 2,
    "POST /applications/{id}/events": 2,
    # A read first: the delete counts the application's events off the profile.
    "DELETE /applications/{id}": 2,
    "POST /activities": 1,
    "GET /activities": 1,
    "GET /me/export": None,
    "DELETE /me": None,
    "GET /me/calendar (first use)": None,
    "GET /me/calendar": 1,
    "POST /me/calendar/rotate": None,
    "GET /calendar/{secret}.ics": 2,
    "GET /calendar/{secret}.ics (If-None-Match)": 2,
    # Action links: the profile (a link outlives no erasure) and the application in
    # one read; the page then asks whether the link was used. A post writes as the API
    # does (its own read, one transaction) and claims the link in that transaction,
    # so it reads no marker first, and a second post costs no more than the first.
    "GET /act": 2,
    "POST /act": 3,
    "POST /act (already recorded)": 3,
    # A CSV of 100 rows into a new account. The dry run reads the profile and the
    # partition (duplicates, the ceilings) and writes nothing; the import then writes
    # 25 records a BatchWriteItem and touches the profile once; the same file again
    # finds only duplicates and writes nothing.
    "POST /applications/import (CSV 100, dry run)": 2,
    "POST /applications/import (CSV 100)": 100 // 25 + 3,
    "POST /applications/import (CSV 100, repeat)": 2,
}


def measure(label: str, call: Callable[[], Any], rows: dict[str, dict[str, Any]]) -> Any:
    CALLS.clear()
    reply = call()
    assert reply.status < 400, (label, reply.status, reply.text)
    rows[label] = {"requests": sum(CALLS.values()), "operations": dict(CALLS)}
    return reply


def main() -> int:
    from bounceback_local.provision import provision

    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    rows: dict[str, dict[str, Any]] = {}
    with mock_aws():
        template = load_template()
        resolver = provision(template)
        specs = functions(template, resolver)
        apply_environment(list(specs.values()), {"POWERTOOLS_LOG_LEVEL": "WARNING"})
        api = ApiClient(load_handler(specs["ApiFunction"]), api_routes(specs["ApiFunction"].events))

        api.get("/me")  # the first call creates the profile; measure steady state
        for n in range(25):
            api.post("/applications", {**APPLICATION, "company": f"Seed {n}"})
        measure("GET /me", lambda: api.get("/me"), rows)
        measure("PATCH /me", lambda: api.patch("/me", {"send_hour": 8}), rows)
        created = measure(
            "POST /applications", lambda: api.post("/applications", APPLICATION), rows
        )
        key = {"Idempotency-Key": "bench-1"}
        measure(
            "POST /applications (Idempotency-Key)",
            lambda: api.post("/applications", APPLICATION, headers=key),
            rows,
        )
        measure(
            "POST /applications (Idempotency-Key, repeat)",
            lambda: api.post("/applications", APPLICATION, headers=key),
            rows,
        )
        without_date = {k: v for k, v in APPLICATION.items() if k != "applied_on"}
        measure(
            "POST /applications (applied_on omitted)",
            lambda: api.post("/applications", without_date),
            rows,
        )
        measure("GET /applications", lambda: api.get("/applications", query={"limit": "20"}), rows)
        measure(
            "GET /applications?status=",
            lambda: api.get("/applications", query={"status": "applied", "limit": "20"}),
            rows,
        )
        app_id = created.json["id"]
        measure("GET /applications/{id}", lambda: api.get(f"/applications/{app_id}"), rows)
        measure(
            "PATCH /applications/{id}",
            lambda: api.patch(f"/applications/{app_id}", {"notes": "call back Friday"}),
            rows,
        )
        measure(
            "POST /applications/{id}/events",
            lambda: api.post(
                f"/applications/{app_id}/events", {"type": "rejection", "channel": "recruiter_call"}
            ),
            rows,
        )
        measure("DELETE /applications/{id}", lambda: api.delete(f"/applications/{app_id}"), rows)
        measure(
            "POST /activities",
            lambda: api.post("/activities", {"kind": "exercise", "date": "2027-02-02"}),
            rows,
        )
        measure("GET /activities", lambda: api.get("/activities"), rows)
        for label, call in extra_routes(api):
            TARGETS.setdefault(label, None)
            measure(label, call, rows)
        measure_calendar(api, rows)
        measure_actions(api, rows)
        measure("GET /me/export", lambda: api.get("/me/export"), rows)
        measure("DELETE /me", lambda: api.delete("/me"), rows)
        measure_import(api, rows)
    clock.use(None)

    print(f"{'route':48} {'requests':>8}  {'target':>6}  operations")
    met = True
    for label, row in rows.items():
        target = TARGETS.get(label)
        ok = target is None or row["requests"] <= target
        met &= ok
        ops = ", ".join(f"{op} x{n}" for op, n in row["operations"].items())
        shown = "-" if target is None else f"<={target}"
        print(
            f"{label:48} {row['requests']:>8}  {shown:>6}  {ops}{'' if ok else '  <-- over target'}"
        )
    print("(DELETE /me and the export read the whole partition: 27 applications here.)")
    figures = {label: row["requests"] for label, row in rows.items()}
    print(
        json.dumps({"benchmark": "api_requests", "requests_per_call": figures, "targets_met": met})
    )
    return 0


def measure_calendar(api: ApiClient, rows: dict[str, dict[str, Any]]) -> None:
    """The feed's address, rotating it, and the feed itself as a calendar app fetches it."""
    app_id = api.post("/applications", APPLICATION).json["id"]
    api.post(
        f"/applications/{app_id}/events",
        {"type": "interview", "scheduled_for": "2027-02-10T14:00:00+01:00"},
    )
    measure("GET /me/calendar (first use)", lambda: api.get("/me/calendar"), rows)
    measure("GET /me/calendar", lambda: api.get("/me/calendar"), rows)
    rotated = measure("POST /me/calendar/rotate", lambda: api.post("/me/calendar/rotate"), rows)
    path = "/calendar/" + rotated.json["url"].rsplit("/calendar/", 1)[1]
    feed = measure("GET /calendar/{secret}.ics", lambda: api.get(path, user=None), rows)
    etag = {"If-None-Match": feed.headers["ETag"]}
    measure(
        "GET /calendar/{secret}.ics (If-None-Match)",
        lambda: api.get(path, user=None, headers=etag),
        rows,
    )


def measure_actions(api: ApiClient, rows: dict[str, dict[str, Any]]) -> None:
    """An action link from an e-mail: its page, the post that records, a second post."""
    from bounceback.infra.settings import ApiSettings
    from bounceback.wiring import action_tokens

    app_id = api.post("/applications", APPLICATION).json["id"]
    token = action_tokens(ApiSettings.from_env()).issue("alice", "followed_up", app_id, clock.now())
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = urlencode({"token": token})
    measure("GET /act", lambda: api.get("/act", user=None, query={"token": token}), rows)
    measure("POST /act", lambda: api.post("/act", body, user=None, headers=form), rows)
    measure(
        "POST /act (already recorded)",
        lambda: api.post("/act", body, user=None, headers=form),
        rows,
    )


IMPORT_ROWS = 100


def import_csv(rows: int) -> str:
    """A tracker's export: `rows` applications, a few statuses, dates over three months."""
    statuses = ("Applied", "Applied", "Interviewing", "Rejected", "No response")
    lines = ["Company,Job Title,Date Applied,Status,Notes"]
    for n in range(rows):
        day = f"{1 + n % 12}/{1 + n % 28}/2026"
        lines.append(f"Imported {n},Analyst,{day},{statuses[n % len(statuses)]},from a spreadsheet")
    return "\n".join(lines) + "\n"


def measure_import(api: ApiClient, rows: dict[str, dict[str, Any]]) -> None:
    """A 100-row CSV import into a new account: the dry run, the import, the same file
    again (all duplicates)."""
    api.get("/me")  # a new profile after DELETE /me
    body = import_csv(IMPORT_ROWS)

    def send(query: dict[str, str] | None) -> Any:
        return api.post(
            "/applications/import", body, headers={"Content-Type": "text/csv"}, query=query
        )

    for label, query in (
        (f"POST /applications/import (CSV {IMPORT_ROWS}, dry run)", {"dry_run": "true"}),
        (f"POST /applications/import (CSV {IMPORT_ROWS})", None),
        (f"POST /applications/import (CSV {IMPORT_ROWS}, repeat)", None),
    ):
        answer = measure(label, lambda query=query: send(query), rows).json
        assert not answer["errors"], answer["errors"][:3]
        assert answer["created"] + answer["duplicates"] == IMPORT_ROWS, answer


def extra_routes(api: ApiClient) -> list[tuple[str, Callable[[], Any]]]:
    """Routes added by later issues, measured when the template has them."""
    events = load_template()["Resources"]["ApiFunction"]["Properties"]["Events"]
    known = {route.route_key for route in api_routes(events)}
    extra: list[tuple[str, Callable[[], Any]]] = []
    for route in ("GET /nudges", "GET /summary"):
        if route in known:
            path = route.split(" ", 1)[1]
            extra.append((route, lambda path=path: api.get(path)))
    return extra


if __name__ == "__main__":
    raise SystemExit(main())
