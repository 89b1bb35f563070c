"""Create and list latency of the local stack as its table grows: 100, 1,000, 10,000 items.

    .venv/bin/python bench/local_scale.py [--sizes 100,1000,10000] [--users 10]
                                          [--requests 100]

For each size: a new data directory seeded with that many applications spread over
`--users` users (written in batches with the adapter's own item mapping, as
`bench/restart.py` seeds, because seeding through the API is what is measured here),
then `bounceback local` started as a child process and, through its HTTP API, one
signed-in user making `--requests` creates (POST /applications) one after another,
then `--requests` lists (GET /applications, the first page). Every request is timed
from the client's side. One untimed create and list go first: the first request a
fresh worker serves builds its AWS clients (a cold start; `bench/cold_start.py`
measures those).

Prints a table, then one JSON line: per size, median, p99 and max of each operation,
and the ratio of the create median at the largest size to the one at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from restart import seed


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p99 = statistics.quantiles(ordered, n=100, method="inclusive")[98] if len(ordered) > 1 else 0
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure(size: int, users: int, requests: int, workdir: Path) -> dict[str, Any]:
    from bounceback_local.client import RunningStack, call

    data = workdir / f"data-{size}"
    seeded = seed(data, users, size)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    stack = RunningStack(data)
    stack.start(timeout=600)
    try:
        token, _ = stack.login(seeded["emails"][0])
        warm_up = {"company": "Warm-up", "role": "Analyst"}
        assert call("POST", f"{stack.url}/applications", warm_up, token=token).status == 201
        assert call("GET", f"{stack.url}/applications", token=token).status == 200
        creates: list[float] = []
        for index in range(requests):
            started = time.perf_counter()
            answer = call(
                "POST",
                f"{stack.url}/applications",
                {"company": f"Scale {index}", "role": "Analyst"},
                token=token,
            )
            creates.append(time.perf_counter() - started)
            assert answer.status == 201, answer.text
        lists: list[float] = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = call("GET", f"{stack.url}/applications", token=token)
            lists.append(time.perf_counter() - started)
            assert answer.status == 200, answer.text
    finally:
        stack.stop()
    return {"items": size, "create": _summary(creates), "list": _summary(lists)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.only is not None:
        # One size in this process (seeding uses an in-process moto, fresh per size).
        with tempfile.TemporaryDirectory(prefix="bounceback-scale-") as scratch:
            print(json.dumps(measure(args.only, args.users, args.requests, Path(scratch))))
        return 0

    results: list[dict[str, Any]] = []
    print(f"{'items':>7}  {'op':<7}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}")
    for size in sizes:
        command = [sys.executable, __file__, "--only", str(size)]
        command += ["--users", str(args.users), "--requests", str(args.requests)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        for op in ("create", "list"):
            figures = result[op]
            print(
                f"{size:>7}  {op:<7}{figures['median_ms']:>11}"
                f"{figures['p99_ms']:>9}{figures['max_ms']:>9}"
            )
    first, last = results[0]["create"]["median_ms"], results[-1]["create"]["median_ms"]
    figures = {
        "users": args.users,
        "requests": args.requests,
        "sizes": results,
        "create_median_ratio": round(last / first, 2) if first else None,
        "slowest_create_ms": max(r["create"]["max_ms"] for r in results),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
