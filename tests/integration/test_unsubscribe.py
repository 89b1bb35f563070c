"""Unsubscribe links (RFC 8058 one-click) and SES bounce/complaint notifications."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bounceback.adapters import dynamo as d
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.wiring import unsubscribe_tokens
from bounceback_local.events import LambdaContext
from bounceback_local.harness import Reply
from tests.conftest import Delivery

pytestmark = pytest.mark.integration

NOW = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def alice(delivery: Delivery) -> Delivery:
    """alice has a profile and an acknowledgement due (so a send would happen)."""
    clock.use(lambda: NOW)
    created = delivery.api.post(
        "/applications", {"company": "Acme", "role": "Analyst", "applied_on": "2027-01-20"}
    )
    delivery.api.post(
        f"/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "direct_email"},
    )
    return delivery


def profile(user: str = "alice") -> Any:
    return d.ProfileItem.get(d.user_pk(user), d.PROFILE_SK, consistent_read=True)


def one_click(delivery: Delivery, token: str, **kw: Any) -> Reply:
    return delivery.api.post(
        "/unsubscribe", ONE_CLICK, user=None, headers=FORM, query={"token": token}, **kw
    )


def assert_bad_token(reply: Reply) -> None:
    assert reply.status == 400, reply.text
    body = reply.json
    assert body["error"] == "bad_request"
    assert set(body) == {"error", "message", "details"}


def test_one_click_post_from_the_emails_header_unsubscribes_at_once(alice: Delivery) -> None:
    # Given the acknowledgement e-mail with its List-Unsubscribe header
    alice.tick()
    [mail] = alice.outbox
    url = mail.headers["List-Unsubscribe"].strip("<>")
    token = url.split("token=", 1)[1]

    # When the mail client posts the RFC 8058 one-click body, without any login
    reply = one_click(alice, token)

    # Then alice is unsubscribed at once and leaves the due index
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert profile().unsubscribed is True
    assert profile().due_bucket is None

    # and nothing is sent to her any more, even when a nudge would fall due
    clock.use(lambda: datetime(2027, 2, 4, 9, 5, tzinfo=UTC))
    alice.api.post("/activities", {"kind": "exercise"})  # a write marks her due again
    alice.tick()
    assert len(alice.outbox) == 1


def test_get_shows_a_confirmation_form_and_does_not_unsubscribe(alice: Delivery) -> None:
    # Given a valid token
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)

    # When a mail scanner (or the user) follows the link
    reply = alice.api.get("/unsubscribe", user=None, query={"token": token})

    # Then it sees a page with a POST form, and alice is still subscribed
    assert reply.status == 200
    assert '<form method="post"' in reply.text
    assert "List-Unsubscribe" in reply.text
    assert not profile().unsubscribed

    # and the page's button (a form post) does unsubscribe
    assert one_click(alice, token).status == 200
    assert profile().unsubscribed is True


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="forged-signature"),
        pytest.param(lambda t: t[: len(t) // 2], id="truncated"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
        # v2.<key id>.<user>.<expiry>.<mac>
        pytest.param(lambda t: t.replace(t.split(".")[2], "Ym9i"), id="other-user-id-swapped-in"),
        pytest.param(
            lambda t: t.replace(t.split(".")[3], str(int(t.split(".")[3]) + 999)),
            id="expiry-extended",
        ),
    ],
)
def test_a_bad_token_is_a_400_and_changes_nothing(alice: Delivery, forge: Any) -> None:
    token = forge(unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW))
    assert_bad_token(one_click(alice, token))
    assert_bad_token(alice.api.get("/unsubscribe", user=None, query={"token": token}))
    assert not profile().unsubscribed


def test_a_browser_opening_a_bad_link_gets_an_html_page_never_json(alice: Delivery) -> None:
    # Given a link whose token was edited, opened by a browser (it asks for HTML)
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)[:-3] + "xyz"
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    for reply in (
        alice.api.get("/unsubscribe", user=None, query={"token": token}, headers=browser),
        alice.api.post(
            "/unsubscribe", ONE_CLICK, user=None, query={"token": token}, headers=browser | FORM
        ),
    ):
        # Then it is a 400 HTML page in plain words, with a way on
        assert reply.status == 400
        assert reply.headers["Content-Type"].startswith("text/html")
        assert reply.text.startswith("<!doctype html>")
        assert "not valid, or it has expired" in reply.text
        assert '<a href="/">sign in</a>' in reply.text
        assert '"error"' not in reply.text
    assert not profile().unsubscribed


def assert_served_under_its_own_strict_policy(reply: Reply) -> None:
    """No inline style attribute or script; the one style block is allowed by hash, nothing else."""
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "unsafe" not in policy
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert " style=" not in reply.text
    assert "<script" not in reply.text
    blocks = re.findall(r"<style>(.*?)</style>", reply.text, re.DOTALL)
    assert len(blocks) == 1
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy


def test_every_unsubscribe_page_is_served_under_a_strict_policy(alice: Delivery) -> None:
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    confirm = alice.api.get("/unsubscribe", user=None, query={"token": token})
    bad = alice.api.get("/unsubscribe", user=None, query={"token": "x"}, headers=browser)
    done = alice.api.post(
        "/unsubscribe", ONE_CLICK, user=None, query={"token": token}, headers=FORM | browser
    )
    assert (confirm.status, bad.status, done.status) == (200, 400, 200)
    assert "form-action 'self'" in confirm.headers["Content-Security-Policy"]
    for reply in (confirm, bad, done):
        assert_served_under_its_own_strict_policy(reply)


def test_an_expired_token_is_a_400(alice: Delivery) -> None:
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW - timedelta(days=400))
    assert_bad_token(one_click(alice, token))
    assert not profile().unsubscribed


def test_a_missing_token_is_a_400(alice: Delivery) -> None:
    reply = alice.api.post("/unsubscribe", ONE_CLICK, user=None, headers=FORM)
    assert_bad_token(reply)


def test_bobs_token_unsubscribes_bob_not_alice(alice: Delivery) -> None:
    alice.api.get("/me", user="bob")
    assert (
        one_click(alice, unsubscribe_tokens(ApiSettings.from_env()).issue("bob", NOW)).status == 200
    )
    assert profile("bob").unsubscribed is True
    assert not profile("alice").unsubscribed


def test_a_token_of_a_deleted_user_answers_200_and_creates_nothing(alice: Delivery) -> None:
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    assert alice.api.delete("/me").status == 204
    assert one_click(alice, token).status == 200
    with pytest.raises(d.ProfileItem.DoesNotExist):
        profile()


# ---------------------------------------------------------------- SES events


def ses_event(
    kind: str,
    tags: dict[str, list[str]],
    bounce_type: str = "Permanent",
    *,
    message_id: str = "m-1",
    to: str = "alice@example.com",
) -> dict[str, Any]:
    """An SNS record carrying SES's event about message `message_id` sent to `to`."""
    message: dict[str, Any] = {
        "eventType": kind,
        "mail": {"messageId": message_id, "destination": [to], "tags": tags},
    }
    if kind == "Bounce":
        message["bounce"] = {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": to}]}
    else:
        message["complaint"] = {"complainedRecipients": [{"emailAddress": to}]}
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:SesEventsTopic:1",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "n-1",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:SesEventsTopic",
                    "Message": json.dumps(message),
                    "Timestamp": "2027-02-02T10:06:00.000Z",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@pytest.mark.parametrize(
    ("kind", "bounce_type", "suppressed"),
    [
        ("Bounce", "Permanent", True),
        ("Complaint", "", True),
        ("Bounce", "Transient", False),
        ("Bounce", "Undetermined", False),
    ],
)
def test_ses_notifications_suppress_on_permanent_bounce_and_complaint_only(
    alice: Delivery, kind: str, bounce_type: str, suppressed: bool
) -> None:
    # Given the e-mail SES accepted for alice, tagged with her id
    alice.tick()
    [mail] = alice.outbox
    tags = {"bb_user": [mail.tags["bb_user"]], "ses:configuration-set": ["ConfigurationSet"]}

    # When SES reports on it through SNS
    alice.ses_events(
        ses_event(kind, tags, bounce_type, message_id=mail.message_id),
        LambdaContext("SesEventsFunction"),
    )

    # Then only a permanent bounce or a complaint suppresses her
    assert bool(profile().suppressed) is suppressed


def test_a_suppressed_user_gets_nothing_more(alice: Delivery) -> None:
    alice.tick()
    tags = {"bb_user": [alice.outbox[0].tags["bb_user"]]}
    alice.ses_events(
        ses_event("Complaint", tags, message_id=alice.outbox[0].message_id),
        LambdaContext("SesEventsFunction"),
    )
    clock.use(lambda: datetime(2027, 2, 4, 9, 5, tzinfo=UTC))
    alice.api.post("/activities", {"kind": "exercise"})
    alice.tick()
    assert len(alice.outbox) == 1


def test_ses_notification_without_a_user_tag_changes_nothing(alice: Delivery) -> None:
    reply = alice.ses_events(ses_event("Complaint", {}), LambdaContext("SesEventsFunction"))
    assert reply["outcomes"] == ["unmapped"]
    assert not profile().suppressed
