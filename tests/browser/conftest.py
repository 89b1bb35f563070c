"""Headless Chromium (Debian's) against one started local stack, shared by the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bounceback_local.client import RunningStack, call

CHROMIUM = "/usr/bin/chromium"
# The machine may be busy (two cores shared by several test runs): wait for what the
# page should show as long as any action may take, instead of Playwright's 5 s.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("browser") / "data")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 900, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 360 px wide phone screen, in Chicago."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, timezone_id="America/Chicago"
    )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def view(page: Page, name: str) -> Locator:
    """One view of the app once its data has arrived (the app marks it aria-busy until then).

    Its hidden siblings hold fields with the same labels, hence the scope; waiting for the
    data keeps a test from typing into a form that the arriving data then refills.
    """
    return page.locator(f"#view-{name}:not([aria-busy])")


def sign_in(page: Page, stack: RunningStack, email: str) -> None:
    page.goto(f"{stack.url}/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
    expect(view(page, "applications")).to_be_visible()


def create(stack: RunningStack, token: str, **fields: Any) -> dict[str, Any]:
    body = {"company": "Acme Labs", "role": "Analyst", **fields}
    answer = call("POST", f"{stack.url}/applications", body, token=token)
    assert answer.status == 201, answer.text
    return dict(answer.json)


def record(stack: RunningStack, token: str, app_id: str, **fields: Any) -> None:
    answer = call("POST", f"{stack.url}/applications/{app_id}/events", fields, token=token)
    assert answer.status == 201, answer.text
