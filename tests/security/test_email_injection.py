"""Hostile words in every field reach every kind of e-mail, and never break out.

Records are made through the API handler, e-mails go through the dispatcher, SQS,
the sender and SES (moto), over two months of a simulated clock so that the
acknowledgement, comeback, gap, follow-up, no-response check and digest all go out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from bounceback.infra import clock
from tests.conftest import Delivery

pytestmark = pytest.mark.security

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
HOSTILE = {
    "company": f"Evil {SCRIPT} Co",
    "role": f"Role {IMG}",
    "contact_name": "Sam </td></table><a href=javascript:alert(3)>x</a>",
    "notes": f"line one\r\nBcc: victim@example.com\r\n\r\n{SCRIPT}",
}
# The API refuses control characters in one-line fields; stored notes may hold them.
START = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)  # a Monday, at the send hour


def run_days(delivery: Delivery, days: int) -> None:
    """One dispatcher and sender run a day, just after the 09:00 send time."""
    for offset in range(days):
        clock.use(lambda offset=offset: START + timedelta(days=offset, minutes=5))
        assert delivery.tick() == []


def test_hostile_words_never_break_out_of_any_email(delivery: Delivery) -> None:
    # Given hostile words in every field, and two months of e-mails about them
    mail = send_hostile_mail(delivery)
    # Then every kind went out, and none of them let the words out of their place
    every_kind_went_out(mail)
    no_header_carries_a_line_break(mail)
    no_markup_from_the_user_survives_in_the_html(mail)
    user_words_are_shown_as_text(mail)
    feedback_mailto_link_cannot_break_out_of_its_attribute(mail)


def send_hostile_mail(delivery: Delivery) -> Delivery:
    clock.use(lambda: START)
    api = delivery.api
    quiet = api.post("/applications", {**HOSTILE, "applied_on": "2027-02-01"})
    assert quiet.status == 201, quiet.text
    rejected = api.post(
        "/applications",
        {**HOSTILE, "applied_on": "2027-01-25", "contact_email": "sam@evil.example"},
    )
    assert rejected.status == 201, rejected.text
    event = api.post(
        f"/applications/{rejected.json['id']}/events",
        {"type": "rejection", "channel": "recruiter_call", "note": HOSTILE["notes"]},
    )
    assert event.status == 201, event.text
    logged = api.post("/activities", {"kind": "other", "date": "2027-02-01", "note": SCRIPT})
    assert logged.status == 201, logged.text
    run_days(delivery, 45)
    clock.use(None)
    return delivery


def every_kind_went_out(hostile_mail: Delivery) -> None:
    kinds = {kind for mail in hostile_mail.outbox for kind in mail.kinds}
    assert {"acknowledgement", "ask_feedback", "week_plan", "gap", "follow_up"} <= kinds
    assert {"no_response_check", "digest"} & kinds


def no_header_carries_a_line_break(hostile_mail: Delivery) -> None:
    for mail in hostile_mail.outbox:
        assert "\r" not in mail.subject and "\n" not in mail.subject, mail.subject
        for name, value in mail.headers.items():
            assert not re.search(r"[\r\n]", name + value), (name, value)
        assert mail.to == ["alice@example.com"]
        assert "Bcc" not in mail.headers


class _Tags(HTMLParser):
    """Collects the tags and attributes a mail client would actually render."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def no_markup_from_the_user_survives_in_the_html(hostile_mail: Delivery) -> None:
    for mail in hostile_mail.outbox:
        parser = _Tags()
        parser.feed(mail.html)
        for tag, attrs in parser.tags:
            assert tag not in ("script", "img", "iframe", "object"), (mail.kinds, tag)
            for name, value in attrs:
                assert not name.startswith("on"), (mail.kinds, tag, name)
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)


def user_words_are_shown_as_text(hostile_mail: Delivery) -> None:
    acknowledgement = next(m for m in hostile_mail.outbox if "acknowledgement" in m.kinds)
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Co" in acknowledgement.html
    assert "Evil <script>alert(1)</script> Co" in acknowledgement.text


def feedback_mailto_link_cannot_break_out_of_its_attribute(hostile_mail: Delivery) -> None:
    comeback = next(m for m in hostile_mail.outbox if "ask_feedback" in m.kinds)
    links = re.findall(r'href="(mailto:[^"]*)"', comeback.html)
    assert links, "the feedback draft links to the contact"
    for link in links:
        assert "<" not in link and ">" not in link and " " not in link
