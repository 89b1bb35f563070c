"""How long `bounceback local` takes to start on a data directory with 10,000 applications.

    .venv/bin/python bench/restart.py [--applications N] [--users N] [--api-writes N]
                                        [--profile-writes N]

1. Seed: an in-process local stack on a new data directory; `--users` users sign in
   through `/_local/login` and `GET /me` (profiles made by the API); their
   applications are written with the adapter's own item mapping (`application_to_item`)
   in batches, because that takes seconds where 10,000 creates through the API take
   minutes. A clean stop writes the snapshot.
2. Clean restart: `bounceback local` as a child process; the time from spawning it to
   the first answer over HTTP (the state is in place then), to the first answer of the
   API (`GET /applications`, so the function's first worker is up too), and the CPU
   time its processes spent until then (the figure a busy machine does not inflate);
   then a check that the applications are there.
3. `--api-writes` applications created through the API, then `--profile-writes`
   cheap `PATCH /me` (all journaled), then `kill -9`.
4. Restart after the kill: the snapshot plus the journal replayed; the writes are checked.

Prints what it measured, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any


def _size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 2)


def seed(data_dir: Path, users: int, applications: int) -> dict[str, Any]:
    from bounceback.adapters.dynamo import ApplicationItem, application_to_item, bind
    from bounceback.domain.model import Application
    from bounceback.ids import new_id
    from bounceback_local.client import call
    from bounceback_local.stack import LocalStack

    stack = LocalStack(port=0, clock_mode="real", data_dir=data_dir, quiet=True)
    stack.start()
    # The functions run in worker processes; this process writes with the models itself.
    bind(os.environ["TABLE_NAME"], region=os.environ["AWS_REGION"])
    started = time.perf_counter()
    now = datetime.now(UTC)
    per_user = applications // users
    emails = [f"user{n}@bench.example" for n in range(users)]
    for number, email in enumerate(emails):
        token = call("POST", f"{stack.url}/_local/login", {"email": email}).json["token"]
        user_id = call("GET", f"{stack.url}/me", token=token).json["id"]
        count = per_user + (1 if number < applications % users else 0)
        with ApplicationItem.batch_write() as batch:
            for index in range(count):
                app = Application(
                    id=new_id(now),
                    company=f"Company {number}-{index}",
                    role="Analyst",
                    applied_on=date.today() - timedelta(days=index % 60),
                    source="job_board",
                    notes="Seeded by bench/restart.py",
                    created_at=now,
                    updated_at=now,
                )
                batch.save(application_to_item(user_id, app))
    seeded_s = time.perf_counter() - started
    stopping = time.perf_counter()
    stack.stop()
    return {
        "seed_s": round(seeded_s, 1),
        "clean_stop_s": round(time.perf_counter() - stopping, 2),
        "emails": emails,
        "per_user": per_user,
    }


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its living descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {pid}, True
    while grown:
        grown = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grown = True
    return round(sum(times.get(p, 0.0) for p in tree), 2)


def start_measured(stack: Any, email: str) -> tuple[float, float, float, str]:
    """Seconds to the first answer, to the first API answer, CPU seconds; a token."""
    started = time.monotonic()
    first_s = stack.start(timeout=600)
    token, _ = stack.login(email)
    from bounceback_local.client import call

    answer = call("GET", f"{stack.url}/applications?limit=1", token=token)
    assert answer.status == 200, answer.text
    api_s = time.monotonic() - started
    return first_s, api_s, tree_cpu_s(stack.process.pid), token


def count_applications(url: str, token: str) -> int:
    from bounceback_local.client import call

    total, cursor = 0, None
    while True:
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = call("GET", f"{url}/applications?{query}", token=token).json
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--api-writes", type=int, default=5)
    parser.add_argument("--profile-writes", type=int, default=50)
    args = parser.parse_args()

    from bounceback_local.client import RunningStack, call

    workdir = Path(tempfile.mkdtemp(prefix="bounceback-restart-"))
    data = workdir / "data"
    try:
        seeded = seed(data, args.users, args.applications)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        print(
            f"seeded {args.applications} applications for {args.users} users in "
            f"{seeded['seed_s']} s; clean stop (snapshot) {seeded['clean_stop_s']} s; "
            f"data directory {_size_mb(data)} MB"
        )

        clean = RunningStack(data)
        clean_start_s, clean_api_s, clean_cpu_s, token = start_measured(clean, seeded["emails"][0])
        first_user = count_applications(clean.url, token)
        assert first_user >= seeded["per_user"], first_user
        print(
            f"clean restart: {clean_start_s:.2f} s to the first answer, {clean_api_s:.2f} s to "
            f"the first API answer ({clean_cpu_s:.2f} s CPU); user 0 has {first_user}"
        )

        writes_started = time.perf_counter()
        for index in range(args.api_writes):
            answer = call(
                "POST",
                f"{clean.url}/applications",
                {"company": f"After restart {index}", "role": "Editor"},
                token=token,
            )
            assert answer.status == 201, answer.text
        write_s = (time.perf_counter() - writes_started) / max(1, args.api_writes)
        # Cheap journaled writes last, so the kill leaves a journal to replay.
        for gap_days in range(2, 2 + args.profile_writes):
            answer = call("PATCH", f"{clean.url}/me", {"gap_days": 2 + gap_days % 13}, token=token)
            assert answer.status == 200, answer.text
        last_gap = answer.json["gap_days"] if args.profile_writes else None
        journal = sum(
            1 for p in (data / "state").glob("journal-*.jsonl") for _ in p.open(encoding="utf-8")
        )
        clean.kill()
        print(
            f"{args.api_writes} creates through the API ({write_s:.2f} s each at this size) "
            f"and {args.profile_writes} PATCH /me; {journal} journaled requests since the "
            "last snapshot; then kill -9"
        )

        crashed = RunningStack(data)
        crash_start_s, crash_api_s, crash_cpu_s, token = start_measured(
            crashed, seeded["emails"][0]
        )
        after_crash = count_applications(crashed.url, token)
        assert after_crash == first_user + args.api_writes, after_crash
        if last_gap is not None:
            assert call("GET", f"{crashed.url}/me", token=token).json["gap_days"] == last_gap
        crashed.stop()
        print(
            f"restart after kill -9: {crash_start_s:.2f} s to the first answer, "
            f"{crash_api_s:.2f} s to the first API answer ({crash_cpu_s:.2f} s CPU); "
            f"user 0 has {after_crash} (nothing lost)"
        )
        for line in crashed.log_path.read_text(encoding="utf-8").splitlines():
            if "Data:" in line:
                print("  the stack said on start:", line.split("Data:", 1)[1].strip())
        figures = {
            "applications": args.applications,
            "users": args.users,
            "data_dir_mb": _size_mb(data),
            "clean_stop_s": seeded["clean_stop_s"],
            "clean_restart_s": round(clean_start_s, 2),
            "clean_first_api_s": round(clean_api_s, 2),
            "clean_start_cpu_s": clean_cpu_s,
            "journaled_requests_replayed": journal,
            "kill9_restart_s": round(crash_start_s, 2),
            "kill9_first_api_s": round(crash_api_s, 2),
            "kill9_start_cpu_s": crash_cpu_s,
            "load_average_1m": round(os.getloadavg()[0], 2),
            "api_create_s_at_size": round(write_s, 3),
        }
        print(json.dumps(figures))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
