"""The action page a phone opens from an e-mail: readable at 360 px, no other origin."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from bounceback_local.client import RunningStack, call

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "action-page-360.png"
LINK = re.compile(r"(https?://\S+/act\?a=rejected&token=[\w.\-]+)")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def rejected_link(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, str]]:
    """The "Globex said no" link of a real follow-up e-mail from the local stack."""
    stack = RunningStack(tmp_path_factory.mktemp("action-page") / "data")
    stack.start()
    applied = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    stack.set_clock(_stamp(applied))
    token, _ = stack.login("phone@example.com")
    call("PATCH", f"{stack.url}/me", {"gap_days": 14}, token=token)
    created = call(
        "POST",
        f"{stack.url}/applications",
        {"company": "Globex", "role": "Backend Engineer"},
        token=token,
    )
    assert created.status == 201, created.text
    stack.tick()
    stack.set_clock(_stamp((applied + timedelta(days=7)).replace(hour=9)))
    assert stack.tick() == 1
    found = LINK.search(stack.outbox()[-1]["text"])
    assert found is not None
    yield stack, found.group(1)
    stack.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        yield launched
        launched.close()


def test_the_rejection_page_at_360_px_then_recorded(
    browser: Browser, rejected_link: tuple[RunningStack, str], tmp_path: Path
) -> None:
    stack, link = rejected_link
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    origins: list[str] = []
    page.on("request", lambda request: origins.append(request.url))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(link)
    # the style block is allowed by its hash: applied, and no policy violation reported
    button = "getComputedStyle(document.querySelector('button')).backgroundColor"
    assert page.evaluate(button) == "rgb(47, 111, 94)"
    assert not [m for m in console if "Content Security Policy" in m], console

    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_text("Record a no from Globex about Backend Engineer?")).to_be_visible()
    expect(page.locator('input[type="radio"][name="choice"]')).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "action.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 5_000

    page.get_by_label("A call from a recruiter or the hiring team").check()
    page.get_by_role("button", name="Record it").click()

    expect(page.locator("h1")).to_have_text("Recorded")
    expect(page.get_by_role("link", name="Open Bounceback")).to_have_attribute("href", "/")
    assert all(url.startswith(stack.url) for url in origins), origins
    context.close()
