"""Actions from e-mail, in-process: the links the sender signs, GET /act, POST /act."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bounceback.adapters import dynamo as d
from bounceback.adapters.store import DynamoRecordStore
from bounceback.domain.limits import CEILINGS
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.wiring import action_tokens
from bounceback_local.harness import Reply
from tests.conftest import Delivery, SentMail

pytestmark = pytest.mark.integration

APPLIED = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
FOLLOW_UP_DAY = datetime(2027, 2, 8, 9, 5, tzinfo=UTC)  # P+7 at send time
FORM = {"content-type": "application/x-www-form-urlencoded"}
LINK = re.compile(r"https?://[^\s\"<>]+/act\?a=(\w+)&(?:amp;)?token=([\w.\-]+)")


def links(mail: SentMail) -> dict[str, str]:
    """action → token, from the text part (checked to match the HTML part)."""
    in_text = {a: t for a, t in LINK.findall(mail.text)}
    in_html = {a: t for a, t in LINK.findall(unescape(mail.html))}
    assert in_text == in_html
    return in_text


def act_get(delivery: Delivery, token: str) -> Reply:
    return delivery.api.get("/act", user=None, query={"token": token})


def act_post(delivery: Delivery, token: str, choice: str | None = None) -> Reply:
    fields = {"token": token, **({"choice": choice} if choice else {})}
    return delivery.api.post("/act", urlencode(fields), user=None, headers=FORM)


def application(delivery: Delivery, app_id: str, user: str = "alice") -> Any:
    return delivery.api.get(f"/applications/{app_id}", user=user).json


@pytest.fixture
def follow_up(delivery: Delivery) -> tuple[Delivery, str, SentMail]:
    """alice applied to Globex a week ago and got the follow-up e-mail."""
    clock.use(lambda: APPLIED)
    delivery.api.patch("/me", {"gap_days": 14})  # no gap nudge before the follow-up
    created = delivery.api.post(
        "/applications",
        {"company": "Globex", "role": "Backend Engineer", "applied_on": "2027-02-01"},
    )
    delivery.tick()
    clock.use(lambda: FOLLOW_UP_DAY)
    delivery.tick()
    [mail] = delivery.outbox
    assert mail.kinds == ["follow_up", "digest"]  # 8 Feb 2027 is a Monday
    return delivery, created.json["id"], mail


def test_follow_up_email_offers_followed_up_rejected_and_a_pause(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    _, _, mail = follow_up
    assert list(links(mail)) == ["followed_up", "rejected", "pause_week"]
    assert "I followed up with Globex: https://" in mail.text


def test_get_says_what_will_be_recorded_and_changes_nothing(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    delivery, app_id, mail = follow_up
    token = links(mail)["followed_up"]
    for _ in range(3):  # a mail scanner, a preview, the reader
        page = act_get(delivery, token)
        assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Record that you followed up with Globex about Backend Engineer?" in page.text
    assert '<form method="post" action="/act">' in page.text
    assert f'name="token" value="{token}"' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert application(delivery, app_id)["events"] == []


def test_post_records_the_follow_up_once(follow_up: tuple[Delivery, str, SentMail]) -> None:
    delivery, app_id, mail = follow_up
    token = links(mail)["followed_up"]

    first = act_post(delivery, token)
    second = act_post(delivery, token)

    assert first.status == 200 and "Recorded" in first.text
    assert second.status == 200 and "already recorded" in second.text
    events = application(delivery, app_id)["events"]
    assert [e["type"] for e in events] == ["follow_up_sent"]
    assert '<a href="/">' in first.text
    # and the page behind the used link says so too, with no form to post again
    again = act_get(delivery, token)
    assert "already recorded" in again.text and "<form" not in again.text


def test_rejection_asks_the_channel_starts_a_break_and_is_acknowledged(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    delivery, app_id, mail = follow_up
    token = links(mail)["rejected"]
    page = act_get(delivery, token)
    assert 'name="choice" required value="recruiter_call"' in page.text
    assert "feedback" in page.text  # the one-line why

    missing = act_post(delivery, token)
    wrong = act_post(delivery, token, "carrier_pigeon")
    assert (missing.status, wrong.status) == (400, 400)
    assert application(delivery, app_id)["status"] == "applied"

    done = act_post(delivery, token, "recruiter_call")
    assert done.status == 200
    stored = application(delivery, app_id)
    assert stored["status"] == "rejected"
    assert stored["events"][0]["channel"] == "recruiter_call"
    assert delivery.api.get("/summary").json["break_ends_on"] is not None
    delivery.tick()
    assert delivery.outbox[-1].kinds == ["acknowledgement"]


def test_an_impossible_change_is_a_409_page_and_records_nothing(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    delivery, app_id, mail = follow_up
    delivery.api.post(f"/applications/{app_id}/events", {"type": "accepted"})
    reply = act_post(delivery, links(mail)["rejected"], "direct_email")
    assert reply.status == 409 and "<h1>" in reply.text
    assert [e["type"] for e in application(delivery, app_id)["events"]] == ["accepted"]


def test_pause_week_pauses_until_six_days_from_local_today_unless_later(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    delivery, _, mail = follow_up
    token = links(mail)["pause_week"]
    assert act_post(delivery, token).status == 200
    assert delivery.api.get("/me").json["paused_until"] == "2027-02-14"

    later = action_tokens(ApiSettings.from_env()).issue("alice", "pause_week", None, clock.now())
    delivery.api.patch("/me", {"paused_until": "2027-03-01"})
    assert act_post(delivery, later).status == 200
    assert delivery.api.get("/me").json["paused_until"] == "2027-03-01"


def test_gone_application_is_a_404_page(follow_up: tuple[Delivery, str, SentMail]) -> None:
    delivery, app_id, mail = follow_up
    delivery.api.delete(f"/applications/{app_id}")
    assert act_get(delivery, links(mail)["followed_up"]).status == 404
    reply = act_post(delivery, links(mail)["followed_up"])
    assert reply.status == 404 and "no longer" in reply.text


def test_log_activity_from_a_gap_nudge_moves_the_anchor(delivery: Delivery) -> None:
    clock.use(lambda: APPLIED)
    delivery.api.post("/activities", {"kind": "exercise", "date": "2027-02-01"})
    delivery.tick()
    clock.use(lambda: APPLIED + timedelta(days=3, hours=-0.9))  # 4 Feb 09:06
    delivery.tick()
    mail = delivery.outbox[-1]
    assert mail.kinds == ["gap"]
    token = links(mail)["log_activity"]
    assert 'value="networking_event"' in act_get(delivery, token).text
    assert act_post(delivery, token, "networking_event").status == 200
    kinds = [a["kind"] for a in delivery.api.get("/activities").json["items"]]
    assert kinds[0] == "networking_event"
    assert delivery.api.get("/summary").json["days_since_last_activity"] == 0


def test_outcome_nothing_records_nothing_and_the_link_stays_usable(delivery: Delivery) -> None:
    clock.use(lambda: APPLIED)
    app_id = delivery.api.post("/applications", {"company": "Initech", "role": "QA"}).json["id"]
    tokens = action_tokens(ApiSettings.from_env())
    token = tokens.issue("alice", "outcome", app_id, APPLIED)
    assert act_post(delivery, token, "nothing").status == 200
    assert application(delivery, app_id)["events"] == []
    assert act_post(delivery, token, "interview").status == 200
    assert application(delivery, app_id)["status"] == "interviewing"
    assert "already recorded" in act_post(delivery, token, "offer").text
    assert application(delivery, app_id)["status"] == "interviewing"


def test_email_links_point_at_the_public_base_url(
    follow_up: tuple[Delivery, str, SentMail],
) -> None:
    _, _, mail = follow_up
    url = LINK.search(mail.text)
    assert url is not None
    parts = urlsplit(url.group(0))
    assert parts.path == "/act" and parse_qs(parts.query)["a"] == ["followed_up"]


class UsedLinkReads:
    """Counts the reads of used-link markers (`was_used`) the store makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = DynamoRecordStore.was_used

        def counted(store: DynamoRecordStore, user_id: str, link_key: str) -> bool:
            self.count += 1
            return original(store, user_id, link_key)

        monkeypatch.setattr(DynamoRecordStore, "was_used", counted)


@pytest.mark.parametrize(
    ("action", "first", "second"),
    [
        ("followed_up", None, None),
        ("rejected", "recruiter_call", "direct_email"),  # a second no is a 409 otherwise
        ("pause_week", None, None),
    ],
)
def test_a_post_reads_no_marker_yet_a_second_one_says_already_recorded(
    follow_up: tuple[Delivery, str, SentMail],
    monkeypatch: pytest.MonkeyPatch,
    action: str,
    first: str | None,
    second: str | None,
) -> None:
    delivery, app_id, mail = follow_up
    token = links(mail)[action]
    reads = UsedLinkReads(monkeypatch)

    done = act_post(delivery, token, first)
    assert done.status == 200 and "Recorded" in done.text
    assert reads.count == 0  # the claim in the write's transaction is the only check

    again = act_post(delivery, token, second)
    assert again.status == 200 and "already recorded" in again.text
    events = application(delivery, app_id)["events"]
    expected = {"followed_up": ["follow_up_sent"], "rejected": ["rejection"], "pause_week": []}
    assert [e["type"] for e in events] == expected[action]
    if action == "rejected":
        assert events[0]["channel"] == "recruiter_call"


def test_a_refused_change_from_an_unused_link_is_still_a_409(
    follow_up: tuple[Delivery, str, SentMail], monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery, app_id, mail = follow_up
    delivery.api.post(f"/applications/{app_id}/events", {"type": "accepted"})
    reads = UsedLinkReads(monkeypatch)
    reply = act_post(delivery, links(mail)["rejected"], "direct_email")
    assert reply.status == 409 and "already recorded" not in reply.text
    assert reads.count == 1  # only to tell "used before" from "impossible now"


def _set_activity_count(count: int) -> None:
    d.ProfileItem(d.user_pk("alice"), d.PROFILE_SK).update(
        actions=[d.ProfileItem.activity_count.set(count)]
    )


def test_a_link_past_a_ceiling_is_a_409_and_stays_usable(delivery: Delivery) -> None:
    """The write's own profile condition failing is not the link's claim failing."""
    clock.use(lambda: APPLIED)
    assert delivery.api.post("/activities", {"kind": "exercise"}).status == 201
    token = action_tokens(ApiSettings.from_env()).issue("alice", "log_activity", None, APPLIED)
    _set_activity_count(CEILINGS.activities)
    refused = act_post(delivery, token, "networking_event")
    assert refused.status == 409 and "already recorded" not in refused.text
    assert len(delivery.api.get("/activities").json["items"]) == 1

    _set_activity_count(1)  # room again: the link was not used up by the refusal
    assert act_post(delivery, token, "networking_event").status == 200
    assert "already recorded" in act_post(delivery, token, "networking_event").text
    assert len(delivery.api.get("/activities").json["items"]) == 2
