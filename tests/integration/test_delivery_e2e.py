"""End to end in-process: API → dispatcher → SQS → sender → SES (moto).

Given/When/Then per behaviour; the clock is moved through `bounceback.infra.clock`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from bounceback.adapters.store import DynamoRecordStore
from bounceback.infra import clock
from bounceback_local.template import PLACEHOLDER_PARAMETERS
from tests.conftest import Delivery

pytestmark = pytest.mark.integration

TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)


def at(moment: datetime) -> None:
    clock.use(lambda: moment)


def reject(delivery: Delivery, user: str, company: str = "Acme") -> str:
    created = delivery.api.post(
        "/applications",
        {
            "company": company,
            "role": "Analyst",
            "applied_on": "2027-01-20",
            "contact_email": "sam@acme.example",
        },
        user=user,
    )
    assert created.status == 201, created.text
    app_id = created.json["id"]
    recorded = delivery.api.post(
        f"/applications/{app_id}/events",
        {"type": "rejection", "channel": "recruiter_call"},
        user=user,
    )
    assert recorded.status == 201, recorded.text
    return str(app_id)


def test_rejection_is_acknowledged_once_with_headers_kinds_and_escaped_content(
    delivery: Delivery,
) -> None:
    # Given a rejection recorded at 10:00 (not quiet hours) for a company with markup
    at(TUESDAY_10)
    reject(delivery, "alice", company='Acme <b>"Bad" & Co</b>')

    # When the schedule fires a few minutes later
    at(datetime(2027, 2, 2, 10, 5, tzinfo=UTC))
    assert delivery.tick() == []

    # Then exactly one acknowledgement went to alice through SES
    [mail] = delivery.outbox
    assert mail.to == ["alice@example.com"]
    assert mail.kinds == ["acknowledgement"]
    headers = mail.headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Links are built on PublicBaseUrl (the tests' stand-in for the deployed one).
    base = PLACEHOLDER_PARAMETERS["PublicBaseUrl"]
    assert headers["List-Unsubscribe"].startswith(f"<{base}/unsubscribe?token=v2.")
    assert headers["List-Unsubscribe"].endswith(">")
    assert mail.request["ConfigurationSetName"] == "ConfigurationSet"
    # the sender has a display name (SENDER_DISPLAY_NAME, "Bounceback" by default)
    assert mail.request["FromEmailAddress"] == "Bounceback <nudges@bounceback.example>"
    assert mail.tags == {"bb_user": "YWxpY2U"}
    # the user's words are escaped in the HTML part and plain in the text part
    assert (
        "Acme &lt;b&gt;&#34;Bad&#34; &amp; Co&lt;/b&gt;" in mail.html
    )  # markupsafe writes " as &#34;
    assert '<b>"Bad"' not in mail.html
    assert 'Acme <b>"Bad" & Co</b>' in mail.text
    assert "/unsubscribe?token=v2." in mail.text

    # and moto's SES backend holds the same message (HTML body, recipient)
    [stored] = [
        m
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        if m.id == mail.message_id
    ]
    assert stored.destinations["ToAddresses"] == ["alice@example.com"]
    assert stored.body == mail.html

    # and the claim records the message id
    state = DynamoRecordStore().load_state("alice")
    assert state is not None
    assert [(e.claim_key[:6], e.state, e.message_id) for e in state.sent] == [
        ("event:", "sent", mail.message_id)
    ]


def test_comeback_follows_the_break_at_send_time_and_nothing_is_sent_twice(
    delivery: Delivery,
) -> None:
    # Given alice was rejected on Tuesday and acknowledged
    at(TUESDAY_10)
    reject(delivery, "alice")
    at(datetime(2027, 2, 2, 10, 5, tzinfo=UTC))
    delivery.tick()

    # When the schedule keeps firing through the break and past the comeback's send time
    for moment in (
        datetime(2027, 2, 3, 9, 5, tzinfo=UTC),
        datetime(2027, 2, 4, 8, 55, tzinfo=UTC),
        datetime(2027, 2, 4, 9, 0, tzinfo=UTC),
        datetime(2027, 2, 4, 9, 5, tzinfo=UTC),
        datetime(2027, 2, 4, 9, 10, tzinfo=UTC),
    ):
        at(moment)
        assert delivery.tick() == []

    # Then the comeback e-mail went out once, at 09:00 on the day after the break
    kinds = [m.kinds for m in delivery.mails_to("alice")]
    assert kinds == [["acknowledgement"], ["ask_feedback", "week_plan"]]
