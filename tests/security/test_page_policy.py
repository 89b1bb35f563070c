"""Pages opened from an e-mail (/act, /unsubscribe) run under a strict CSP.

No 'unsafe-inline': the only style is one `<style>` element the policy names by its
SHA-256 hash; no element carries a style attribute (a hash never allows those), and
no page has a script. Every answer the pages give is checked: the prompt with its
choices, the recorded and already-recorded answers, the 400 page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from bounceback.adapters.tokens import forget_secrets
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.wiring import action_tokens, unsubscribe_tokens
from bounceback_local.harness import Reply
from tests.conftest import ApiClient

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Inline(HTMLParser):
    """The inline styles and scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.style_attributes: list[str] = []
        self.style_blocks: list[str] = []
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.style_attributes += [tag for name, _ in attrs if name == "style"]
        if tag == "script":
            self.scripts += 1
        if tag == "style":
            self._in_style = True
            self.style_blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_blocks[-1] += data


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_strict(reply: Reply) -> None:
    assert reply.headers["Content-Type"].startswith("text/html"), reply.headers
    policy = directives(reply.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert "'unsafe-inline'" not in reply.headers["Content-Security-Policy"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    page = Inline()
    page.feed(reply.text)
    assert page.style_attributes == [], "a style attribute needs 'unsafe-inline'"
    assert page.scripts == 0
    # every style element is allowed by its hash, and nothing else is allowed
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in page.style_blocks
    ]
    assert len(hashes) == 1
    assert policy["style-src"] == hashes
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.fixture
def app_id(api: ApiClient) -> Iterator[str]:
    forget_secrets()
    clock.use(lambda: NOW)
    yield api.post("/applications", {"company": "Globex", "role": "Dev"}).json["id"]
    clock.use(None)


def test_every_action_page_runs_under_the_strict_policy(api: ApiClient, app_id: str) -> None:
    token = action_tokens(ApiSettings.from_env()).issue("alice", "rejected", app_id, NOW)

    prompt = api.get("/act", user=None, query={"token": token})
    assert prompt.status == 200 and 'class="why"' in prompt.text and "<fieldset>" in prompt.text
    missing = api.post("/act", urlencode({"token": token}), user=None, headers=FORM)
    recorded = api.post(
        "/act", urlencode({"token": token, "choice": "recruiter_call"}), user=None, headers=FORM
    )
    already = api.get("/act", user=None, query={"token": token})
    bad = api.get("/act", user=None, query={"token": token[:-3]})

    assert [r.status for r in (missing, recorded, already, bad)] == [400, 200, 200, 400]
    assert "already recorded" in already.text
    for reply in (prompt, missing, recorded, already, bad):
        assert_strict(reply)


def test_the_unsubscribe_pages_share_the_policy(api: ApiClient, app_id: str) -> None:
    token = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    html = {"Accept": "text/html"}
    confirm = api.get("/unsubscribe", user=None, query={"token": token})
    bad = api.get("/unsubscribe", user=None, query={"token": token[:-3]}, headers=html)
    assert (confirm.status, bad.status) == (200, 400)
    for reply in (confirm, bad):
        assert_strict(reply)
