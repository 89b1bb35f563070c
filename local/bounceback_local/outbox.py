"""The outbox: every e-mail that SES accepted in the local stack, as the user would get it.

E-mails are taken from the requests that reach moto's SES endpoints (SES v2
`SendEmail`, simple or raw; SES v1 `SendEmail`/`SendRawEmail`), because moto keeps
only one body part and drops custom headers. Each accepted e-mail is appended to
``outbox.jsonl`` in the data directory, stamped with the service clock.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import json
import threading
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

Email = dict[str, Any]


def _raw_email(raw: bytes, recipients: list[str]) -> Email:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    headers = {name: str(value) for name, value in message.items()}
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    to = recipients or [a.strip() for a in headers.get("To", "").split(",") if a.strip()]
    return {
        "to": to,
        "subject": headers.get("Subject", ""),
        "text": text_part.get_content() if isinstance(text_part, EmailMessage) else "",
        "html": html_part.get_content() if isinstance(html_part, EmailMessage) else "",
        "headers": headers,
    }


def _recipients(destination: dict[str, Any]) -> list[str]:
    return [
        *destination.get("ToAddresses", []),
        *destination.get("CcAddresses", []),
        *destination.get("BccAddresses", []),
    ]


def parse_sesv2(body: bytes) -> Email | None:
    """The e-mail in an SES v2 `SendEmail` request body."""
    request = json.loads(body or b"{}")
    content = request.get("Content") or {}
    destination = request.get("Destination") or {}
    if "Raw" in content:
        return _raw_email(base64.b64decode(content["Raw"]["Data"]), _recipients(destination))
    simple = content.get("Simple")
    if simple is None:
        return None
    to = list(destination.get("ToAddresses", []))
    headers = {
        "From": request.get("FromEmailAddress", ""),
        "To": ", ".join(to),
        "Subject": simple.get("Subject", {}).get("Data", ""),
    }
    if destination.get("CcAddresses"):
        headers["Cc"] = ", ".join(destination["CcAddresses"])
    for header in simple.get("Headers") or []:
        headers[header["Name"]] = header["Value"]
    body_parts = simple.get("Body") or {}
    return {
        "to": to,
        "subject": headers["Subject"],
        "text": (body_parts.get("Text") or {}).get("Data", ""),
        "html": (body_parts.get("Html") or {}).get("Data", ""),
        "headers": headers,
    }


def parse_ses_v1(body: bytes) -> Email | None:
    """The e-mail in an SES v1 `SendEmail`/`SendRawEmail` (query protocol) body."""
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
    recipients = [v for k, v in sorted(form.items()) if ".member." in k and "Destination" in k]
    if form.get("Action") == "SendRawEmail":
        return _raw_email(base64.b64decode(form["RawMessage.Data"]), recipients)
    if form.get("Action") != "SendEmail":
        return None
    to = [v for k, v in sorted(form.items()) if k.startswith("Destination.ToAddresses.member.")]
    subject = form.get("Message.Subject.Data", "")
    return {
        "to": to,
        "subject": subject,
        "text": form.get("Message.Body.Text.Data", ""),
        "html": form.get("Message.Body.Html.Data", ""),
        "headers": {"From": form.get("Source", ""), "To": ", ".join(to), "Subject": subject},
    }


class Outbox:
    """The e-mails sent so far, oldest first, kept in ``outbox.jsonl``."""

    def __init__(self, path: Path, now: Callable[[], datetime]) -> None:
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        self._emails: list[Email] = []
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.endswith("\n"):
                        self._emails.append(json.loads(line))

    def capture(self, environ: dict[str, Any], body: bytes) -> None:
        """Record the e-mail of an SES request that moto accepted, if it is one."""
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", ""))
        parsed: Email | None = None
        if method == "POST" and path.rstrip("/") == "/v2/email/outbound-emails":
            parsed = parse_sesv2(body)
        elif method == "POST" and b"Action=Send" in body and b"Email" in body:
            parsed = parse_ses_v1(body)
        if parsed is not None:
            self.add(parsed)

    def add(self, message: Email) -> None:
        stamped = {**message, "sent_at": self._now().strftime("%Y-%m-%dT%H:%M:%SZ")}
        with self._lock:
            self._emails.append(stamped)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(stamped) + "\n")

    def emails(self) -> list[Email]:
        with self._lock:
            return list(self._emails)

    def __len__(self) -> int:
        with self._lock:
            return len(self._emails)


_PAGE_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d2433}
h1{font-size:1.4rem} .mail{border:1px solid #c9ced8;border-radius:8px;margin:1.5rem 0;padding:1rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 .8rem}
.meta dt{font-weight:600} .meta dd{margin:0;overflow-wrap:anywhere}
iframe{width:100%;min-height:24rem;border:1px solid #e1e4ea;border-radius:4px;background:#fff}
pre{white-space:pre-wrap;background:#f5f6f8;padding:.8rem;border-radius:4px}
.kinds{font-family:ui-monospace,monospace}
"""


def render_page(emails: list[Email]) -> str:
    """A readable page of the outbox; each e-mail's HTML runs sandboxed, without scripts."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        "<title>Outbox - Bounceback local</title>",
        f"<style>{_PAGE_STYLE}</style></head><body><main>",
        f"<h1>Outbox <small>({len(emails)} e-mail{'s' if len(emails) != 1 else ''})</small></h1>",
    ]
    if not emails:
        parts.append("<p>No e-mails yet. Record a rejection, then run the schedule.</p>")
    for number, message in enumerate(reversed(emails), start=1):
        headers = message.get("headers") or {}
        esc = html.escape
        parts.append(f"<article class='mail' aria-labelledby='mail-{number}'>")
        parts.append(
            f"<h2 id='mail-{number}'>{esc(message.get('subject', ''))}</h2><dl class='meta'>"
        )
        meta = [
            ("To", ", ".join(message.get("to") or [])),
            ("Sent", message.get("sent_at", "")),
            ("Kinds", headers.get("X-Bounceback-Kinds", "")),
        ]
        for name, value in meta:
            parts.append(
                f"<dt>{esc(name)}</dt><dd class='{esc(name.lower())}'>{esc(str(value))}</dd>"
            )
        parts.append("</dl>")
        if message.get("html"):
            document = "<base target='_blank'>" + str(message["html"])
            parts.append(
                f"<iframe title='{esc(message.get('subject', 'e-mail'))}' "
                f"sandbox='allow-popups allow-popups-to-escape-sandbox' "
                f"srcdoc='{esc(document, quote=True)}'></iframe>"
            )
        parts.append("<details><summary>Plain text</summary>")
        parts.append(f"<pre>{esc(str(message.get('text', '')))}</pre></details>")
        parts.append("<details><summary>Headers</summary><pre>")
        parts.append(esc("\n".join(f"{k}: {v}" for k, v in headers.items())))
        parts.append("</pre></details></article>")
    parts.append("</main></body></html>")
    return "".join(parts)
