"""`bounceback demo`: a rejection, the recovery break, an interview and a quiet week.

It starts `bounceback local --clock manual` on a temporary data directory, records
an application and a rejection for a demo user, and another application with an
interview in three days, moves the clock day by day to
09:00 UTC (the default send time) for ten days, runs the schedule each time and
prints the e-mails in the order they went out. Each e-mail is also written as
`NN-<kinds>.html` and `NN-<kinds>.txt` into a folder (`--out`, by default a new one
under the system's temporary directory) named at the end, to open in a browser.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bounceback_local.client import RunningStack, call

DEMO_EMAIL = "demo@bounceback.example"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline(emails: list[dict[str, Any]]) -> str:
    lines = []
    for message in emails:
        sent = datetime.fromisoformat(message["sent_at"].replace("Z", "+00:00"))
        kinds = message.get("headers", {}).get("X-Bounceback-Kinds", "?")
        lines.append(f"  {sent:%a %d %b %H:%M}  {kinds:<32} {message['subject']}")
    return "\n".join(lines) if lines else "  (no e-mails)"


def save(emails: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Each e-mail as NN-<kinds>.html and NN-<kinds>.txt in `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for number, message in enumerate(emails, start=1):
        kinds = message.get("headers", {}).get("X-Bounceback-Kinds", "email")
        stem = f"{number:02d}-" + re.sub(r"[^a-z_]+", "+", kinds.lower()).strip("+")
        for suffix, part in ((".html", "html"), (".txt", "text")):
            path = folder / (stem + suffix)
            path.write_text(message.get(part) or "", encoding="utf-8")
            written.append(path)
    return written


def run_demo(port: int = 0, out: Path | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="bounceback-demo-") as temporary:
        stack = RunningStack(Path(temporary) / "data", port=port or None)
        print("Starting the local stack with a manual clock...", flush=True)
        stack.start()
        try:
            token, _user = stack.login(DEMO_EMAIL)
            # Start on the next day at 10:00 UTC, so the story does not depend on the hour.
            day = (datetime.now(UTC) + timedelta(days=1)).replace(
                hour=10, minute=0, second=0, microsecond=0
            )
            stack.set_clock(_stamp(day))
            created = call(
                "POST",
                f"{stack.url}/applications",
                {
                    "company": "Northwind Analytics",
                    "role": "Data Analyst",
                    "source": "recruiter",
                    "applied_on": (day - timedelta(days=10)).date().isoformat(),
                    "contact_name": "Sam Rivera",
                    "contact_email": "sam@northwind.example",
                },
                token=token,
            )
            assert created.status == 201, created.text
            application = created.json["id"]
            print(f"{day:%a %d %b %H:%M}  Applied 10 days ago to Northwind Analytics.")
            rejected = call(
                "POST",
                f"{stack.url}/applications/{application}/events",
                {"type": "rejection", "channel": "recruiter_call", "note": "They went internal."},
                token=token,
            )
            assert rejected.status == 201, rejected.text
            print(f"{day:%a %d %b %H:%M}  The recruiter called: rejected. Recorded it.")
            other = call(
                "POST",
                f"{stack.url}/applications",
                {
                    "company": "Contoso Health",
                    "role": "Product Analyst",
                    "source": "referral",
                    "applied_on": (day - timedelta(days=6)).date().isoformat(),
                    "contact_name": "Priya Shah",
                    "contact_email": "priya@contoso.example",
                },
                token=token,
            )
            assert other.status == 201, other.text
            interview_at = (day + timedelta(days=3)).replace(hour=15)
            invited = call(
                "POST",
                f"{stack.url}/applications/{other.json['id']}/events",
                {
                    "type": "interview",
                    "scheduled_for": _stamp(interview_at),
                    "note": "Video call with Priya and the team lead; link in the invite.",
                },
                token=token,
            )
            assert invited.status == 201, invited.text
            print(
                f"{day:%a %d %b %H:%M}  Contoso Health invited them to an interview on "
                f"{interview_at:%a %d %b at %H:%M} UTC. Recorded it."
            )
            stack.tick()
            for offset in range(1, 11):
                moment = (day + timedelta(days=offset)).replace(hour=9)
                stack.set_clock(_stamp(moment))
                stack.tick()
            print(f"\nNothing else recorded after that. The e-mails {DEMO_EMAIL} got:\n")
            emails = stack.outbox()
            print(timeline(emails))
            folder = out or Path(tempfile.mkdtemp(prefix="bounceback-demo-emails-"))
            written = save(emails, folder)
            nudges = call("GET", f"{stack.url}/nudges", token=token)
            if nudges.status == 200:
                print("\nGET /nudges says what comes next.")
        finally:
            stack.stop()
    print(f"\nEach e-mail, as HTML and as text ({len(written)} files), is in:\n  {folder}")
    return 0
