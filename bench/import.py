"""Importing 5,000 applications into the local stack, and the e-mails that follow.

    .venv/bin/python bench/import.py [--rows N]

An in-process `bounceback local` (manual clock) on a fresh data directory; one user
signs in and sends a CSV of `--rows` rows (a mix of statuses, dates over the last
year, a few rejections inside the current break) to `POST /applications/import`.
Counted where the embedded moto server receives them: every DynamoDB request the
import makes, from whichever worker process.
Then the manual clock walks the next two days three hours at a time, running
`/_local/tick` each time (timed: the e-mail phase), and the outbox is read per day:
how many e-mails, their kinds and sizes, and what each counted in an "and N more"
line instead of naming.

Targets: DynamoDB requests <= rows/25 + 10; at most one e-mail a day, and the
first day's one did go out (the imported history makes follow-ups due); no
acknowledgement and no congratulations; every e-mail's HTML under 100,000 bytes
(webmail clips beyond ~102 KB). Prints the figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CALLS: Counter[str] = Counter()


class CountingApp:
    """WSGI middleware in front of the embedded moto server: counts DynamoDB calls.

    The functions run in worker processes, so the count is taken where every
    request arrives, whichever process made it.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            CALLS[target.split(".", 1)[1]] += 1
        return self.app(environ, start_response)


START = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)  # a Wednesday
TICK_HOURS = 3  # the dispatcher catches up on whole windows: every due user is found
# Webmail clips a message over ~102 KB (Gmail): every e-mail must stay under this.
MAX_HTML_BYTES = 100_000
MORE = re.compile(r"And ([\d,]+) more ")
STATUSES = ("Applied",) * 6 + ("Interviewing", "Rejected", "No response", "Offer Accepted")


def sample_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Company", "Job Title", "Date Applied", "Status", "Notes"])
    for n in range(rows):
        applied = START.date() - timedelta(days=1 + n % 365)
        status = STATUSES[n % len(STATUSES)]
        writer.writerow([f"Company {n}", "Analyst", applied.strftime("%m/%d/%Y"), status, "bench"])
    # Two rejections dated yesterday: inside today's break, never acknowledged.
    for n in range(2):
        writer.writerow(
            [
                f"Recent {n}",
                "Analyst",
                (START.date() - timedelta(days=1)).isoformat(),
                "Rejected",
                "",
            ]
        )
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    from bounceback_local.client import call
    from bounceback_local.stack import LocalStack

    workdir = Path(tempfile.mkdtemp(prefix="bounceback-import-"))
    stack = LocalStack(port=0, clock_mode="manual", data_dir=workdir / "data", quiet=True)
    stack.start()
    stack.moto.journaled.app = CountingApp(stack.moto.journaled.app)
    try:
        call("POST", f"{stack.url}/_local/clock", {"now": START.isoformat()})
        token = call("POST", f"{stack.url}/_local/login", {"email": "bench@example.com"}).json[
            "token"
        ]
        call("GET", f"{stack.url}/me", token=token)
        body = sample_csv(args.rows - 2)
        CALLS.clear()
        started = time.perf_counter()
        answer = call(
            "POST",
            f"{stack.url}/applications/import",
            body,
            token=token,
            headers={"Content-Type": "text/csv"},
            timeout=600,
        )
        wall_s = time.perf_counter() - started
        requests = dict(CALLS)
        assert answer.status == 200, answer.text
        result = answer.json
        print(
            f"import of {args.rows} rows ({len(body) / 1e6:.2f} MB): {answer.status}, "
            f"created {result['created']}, duplicates {result['duplicates']}, "
            f"errors {len(result['errors'])}, {wall_s:.1f} s"
        )
        print(f"DynamoDB requests: {sum(requests.values())} {requests}")
        # The e-mail phase: the next two days, a tick every three hours.
        CALLS.clear()
        per_day: list[int] = []
        tick_s: list[float] = []
        moment = START
        for _ in range(2):  # each UTC day: the user's zone is UTC
            before = len(call("GET", f"{stack.url}/_local/outbox").json)
            for _ in range(24 // TICK_HOURS):
                moment += timedelta(hours=TICK_HOURS)
                call("POST", f"{stack.url}/_local/clock", {"now": moment.isoformat()})
                ticked_at = time.perf_counter()
                ticked = call("POST", f"{stack.url}/_local/tick", {}, timeout=3600)
                tick_s.append(time.perf_counter() - ticked_at)
                assert ticked.status == 200, ticked.text
            per_day.append(len(call("GET", f"{stack.url}/_local/outbox").json) - before)
        email_requests = dict(CALLS)
        emails = call("GET", f"{stack.url}/_local/outbox").json
        kinds: Counter[str] = Counter()
        for email in emails:
            header = {k.lower(): v for k, v in (email.get("headers") or {}).items()}
            for kind in (header.get("x-bounceback-kinds") or "").split(","):
                if kind:
                    kinds[kind] += 1
        html_bytes = [len((email.get("html") or "").encode()) for email in emails]
        text_bytes = [len((email.get("text") or "").encode()) for email in emails]
        counted = [
            [int(n.replace(",", "")) for n in MORE.findall(email.get("text") or "")]
            for email in emails
        ]
        print(f"e-mails in the next two days: {per_day} per day; kinds {dict(kinds)}")
        print(f"e-mail sizes: HTML {html_bytes} bytes, text {text_bytes} bytes")
        print(f'"and N more" counts per e-mail: {counted}')
        print(
            f"e-mail phase: {sum(tick_s):.1f} s over {len(tick_s)} ticks "
            f"(slowest {max(tick_s):.1f} s; each {[round(t, 1) for t in tick_s]})"
        )
        print(f"DynamoDB requests in the e-mail phase: {sum(email_requests.values())} "
              f"{email_requests}")  # fmt: skip
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    total = sum(requests.values())
    target = args.rows // 25 + 10
    figures = {
        "rows": args.rows,
        "created": result["created"],
        "dynamodb_requests": total,
        "dynamodb_target": target,
        "wall_s": round(wall_s, 2),
        "emails_per_day": per_day,
        "acknowledgements": kinds.get("acknowledgement", 0),
        "congratulations": kinds.get("congratulations", 0),
        "kinds": dict(kinds),
        "max_email_html_bytes": max(html_bytes, default=0),
        "max_email_text_bytes": max(text_bytes, default=0),
        "counted_not_named": counted,
        "email_phase_s": round(sum(tick_s), 2),
        "slowest_tick_s": round(max(tick_s), 2),
        "email_phase_dynamodb_requests": sum(email_requests.values()),
        # The history makes follow-ups overdue: exactly one e-mail must go out on day 1.
        "ok": total <= target
        and per_day[0] == 1
        and max(per_day) <= 1
        and not kinds.get("acknowledgement")
        and not kinds.get("congratulations")
        and max(html_bytes, default=0) < MAX_HTML_BYTES,
    }
    print(json.dumps(figures))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
