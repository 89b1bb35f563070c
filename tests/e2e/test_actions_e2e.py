"""Actions from e-mail, end to end over real HTTP against `bounceback local --clock manual`.

For each action: the e-mail in the outbox → the link parsed out of it → GET the page
→ POST the form → the state changed, read back through the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest

from bounceback_local.client import Answer, RunningStack, call

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

LINK = re.compile(r"(https?://[^\s\"<>]+/act\?a=(\w+)&(?:amp;)?token=([\w.\-]+))")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    token: str
    email: str
    app_id: str | None = None

    def get(self, stack: RunningStack, path: str) -> Any:
        answer = call("GET", f"{stack.url}{path}", token=self.token)
        assert answer.status == 200, answer.text
        return answer.json


@dataclass
class World:
    stack: RunningStack
    users: dict[str, User]
    day0: datetime

    def link(self, user: str, action: str) -> str:
        """The action's URL from the user's latest e-mail offering it (text = HTML part)."""
        for mail in reversed(self.stack.outbox()):
            if mail["to"] != [self.users[user].email]:
                continue
            in_text = {a: url for url, a, _ in LINK.findall(mail["text"])}
            in_html = {a: url for url, a, _ in LINK.findall(unescape(mail["html"]))}
            assert in_text == in_html
            if action in in_text:
                return in_text[action]
        seen = [
            (m["sent_at"], m["headers"]["X-Bounceback-Kinds"])
            for m in self.stack.outbox()
            if m["to"] == [self.users[user].email]
        ]
        raise AssertionError(f"no {action} link in {user}'s e-mails: {seen}")

    def act(self, url: str, choice: str | None = None) -> tuple[Answer, Answer]:
        page = call("GET", url)
        assert page.status == 200, page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token is not None, page.text
        fields = {"token": unescape(token.group(1)), **({"choice": choice} if choice else {})}
        posted = call("POST", f"{self.stack.url}/act", urlencode(fields).encode(), headers=FORM)
        return page, posted


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Six users whose e-mails, over thirty days, carry every action link."""
    stack = RunningStack(tmp_path_factory.mktemp("actions") / "data")
    stack.start()
    day0 = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    assert stack.set_clock(_stamp(day0)).status == 200
    users: dict[str, User] = {}
    for name in ("follows", "hears_no", "pauses", "silent", "comes_back", "interviews"):
        email = f"{name}@example.com"
        token, _ = stack.login(email)
        users[name] = user = User(token, email)
        created = call(
            "POST",
            f"{stack.url}/applications",
            {"company": "Globex", "role": "Backend Engineer", "source": "recruiter"},
            token=token,
        )
        assert created.status == 201, created.text
        user.app_id = created.json["id"]
    # an interview three days in: the debrief the day after it offers `outcome`
    interview = call(
        "POST",
        f"{stack.url}/applications/{users['interviews'].app_id}/events",
        {"type": "interview", "scheduled_for": _stamp(day0 + timedelta(days=3, hours=2))},
        token=users["interviews"].token,
    )
    assert interview.status == 201, interview.text
    rejected = call(
        "POST",
        f"{stack.url}/applications/{users['comes_back'].app_id}/events",
        {"type": "rejection", "channel": "recruiter_call"},
        token=users["comes_back"].token,
    )
    assert rejected.status == 201, rejected.text
    # Every day at send time, as the schedule would: the acknowledgement (day 0), the
    # comeback (2), the interview's prep (2) and debrief (4), gap nudges, the
    # follow-ups (7), and the no-response check (30).
    stack.tick()
    for day in range(1, 31):
        assert stack.set_clock(_stamp((day0 + timedelta(days=day)).replace(hour=9))).status == 200
        stack.tick()
    yield World(stack, users, day0)
    assert stack.stop() == 0


def test_followed_up(world: World) -> None:
    user = world.users["follows"]
    page, posted = world.act(world.link("follows", "followed_up"))
    assert "Record that you followed up with Globex about Backend Engineer?" in page.text
    assert posted.status == 200, posted.text
    app = user.get(world.stack, f"/applications/{user.app_id}")
    assert [e["type"] for e in app["events"]] == ["follow_up_sent"]


def test_rejected_asks_the_channel_and_starts_a_break(world: World) -> None:
    user = world.users["hears_no"]
    sent_before = len(world.stack.outbox())
    page, posted = world.act(world.link("hears_no", "rejected"), "direct_email")
    assert 'name="choice"' in page.text
    assert posted.status == 200, posted.text
    app = user.get(world.stack, f"/applications/{user.app_id}")
    assert app["status"] == "rejected" and app["events"][-1]["channel"] == "direct_email"
    assert user.get(world.stack, "/summary")["break_ends_on"] is not None
    world.stack.tick()
    mine = [m for m in world.stack.outbox()[sent_before:] if m["to"] == [user.email]]
    assert [m["headers"]["X-Bounceback-Kinds"] for m in mine] == ["acknowledgement"]


def test_pause_week(world: World) -> None:
    user = world.users["pauses"]
    _, posted = world.act(world.link("pauses", "pause_week"))
    assert posted.status == 200, posted.text
    today = (world.day0 + timedelta(days=30)).date()
    assert user.get(world.stack, "/me")["paused_until"] == (today + timedelta(days=6)).isoformat()


def test_no_response(world: World) -> None:
    user = world.users["silent"]
    page, posted = world.act(world.link("silent", "no_response"))
    assert "heard nothing back from Globex" in page.text
    assert posted.status == 200, posted.text
    assert user.get(world.stack, f"/applications/{user.app_id}")["status"] == "no_response"


def test_feedback_received(world: World) -> None:
    user = world.users["comes_back"]
    _, posted = world.act(world.link("comes_back", "feedback_received"))
    assert posted.status == 200, posted.text
    app = user.get(world.stack, f"/applications/{user.app_id}")
    assert [e["type"] for e in app["events"]] == ["rejection", "feedback_received"]


def test_log_activity_and_a_second_post_records_nothing_more(world: World) -> None:
    user = world.users["comes_back"]
    url = world.link("comes_back", "log_activity")
    page, posted = world.act(url, "interview_practice")
    assert 'value="interview_practice"' in page.text
    assert posted.status == 200, posted.text
    token = url.rsplit("token=", 1)[1]
    again = call(
        "POST",
        f"{world.stack.url}/act",
        urlencode({"token": token, "choice": "exercise"}).encode(),
        headers=FORM,
    )
    assert again.status == 200 and "already recorded" in again.text
    kinds = [a["kind"] for a in user.get(world.stack, "/activities")["items"]]
    assert kinds == ["interview_practice"]
    assert user.get(world.stack, "/summary")["days_since_last_activity"] == 0


def test_outcome_from_the_interview_debrief(world: World) -> None:
    user = world.users["interviews"]
    page, posted = world.act(world.link("interviews", "outcome"), "offer")
    assert "How did it go with Globex" in page.text
    assert 'value="offer"' in page.text and 'value="nothing"' in page.text
    assert posted.status == 200, posted.text
    app = user.get(world.stack, f"/applications/{user.app_id}")
    assert [e["type"] for e in app["events"]] == ["interview", "offer"]
    assert app["status"] == "offer"
