"""The web app's first tasks in headless Chromium (Debian's), against a started local stack."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bounceback_local.client import RunningStack, call
from tests.browser.conftest import sign_in, view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "web-form.png"


def test_record_an_application_and_a_rejection_then_see_the_break(
    page: Page, stack: RunningStack, tmp_path: Path
) -> None:
    # Given a signed-in user
    sign_in(page, stack, "form@example.com")
    expect(page.get_by_text("No applications yet.")).to_be_visible()

    # When they add an application with the keyboard-reachable form
    apps = view(page, "applications")
    apps.get_by_label("Company").fill("Acme Labs")
    apps.get_by_label("Role").fill("Analyst")
    apps.get_by_label("How you found it").select_option("recruiter")
    page.get_by_role("button", name="Add application").click()

    # Then it opens, ready for what happens next
    detail = view(page, "application")
    expect(detail.get_by_role("heading", level=1)).to_have_text("Acme Labs — Analyst")

    # When they record a rejection that came as an automated e-mail
    detail.get_by_label("What happened", exact=True).select_option("rejection")
    detail.get_by_label("An automated e-mail").check()
    page.get_by_role("button", name="Record", exact=True).click()

    # Then the application shows as rejected, in its history and in the list
    expect(page.get_by_role("status")).to_contain_text("The status is now Rejected.")
    expect(detail.locator("#history")).to_contain_text("Rejection — an automated e-mail")
    page.get_by_role("link", name="Applications", exact=True).click()
    listed = page.locator("#applications li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Acme Labs — Analyst")
    expect(listed.first).to_contain_text("Rejected")
    # and the summary shows the recovery break, the nudges what comes next
    expect(page.locator("#summary")).to_contain_text("recovery break")
    page.get_by_role("link", name="Nudges").click()
    expect(page.locator("#upcoming")).to_contain_text("A kind word after the rejection")
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.locator("#summary")).to_contain_text("recovery break")
    # The README's picture is refreshed on request, so a test run leaves the tree clean.
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "web-form.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


def test_validation_errors_appear_next_to_their_fields(page: Page, stack: RunningStack) -> None:
    sign_in(page, stack, "errors@example.com")

    apps = view(page, "applications")
    apps.get_by_label("Role").fill("Analyst")
    page.get_by_role("button", name="Add application").click()

    company = apps.get_by_label("Company")
    expect(page.locator("#app-company-error")).not_to_be_empty()
    expect(company).to_have_attribute("aria-invalid", "true")
    expect(company).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("check the marked fields")

    # And what the user typed is shown as text, never run as HTML
    company.fill("<img src=x onerror=alert(1)> Co")
    page.get_by_role("button", name="Add application").click()
    expect(page.locator("#detail-title")).to_have_text("<img src=x onerror=alert(1)> Co — Analyst")
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.locator("#applications li").first).to_contain_text(
        "<img src=x onerror=alert(1)> Co"
    )
    expect(page.locator("main img")).to_have_count(0)


def test_an_expired_sign_in_is_said_plainly(page: Page, stack: RunningStack) -> None:
    sign_in(page, stack, "expiring@example.com")
    page.get_by_role("link", name="Activity").click()
    expect(view(page, "activities")).to_be_visible()

    # A token the authorizer refuses (not expired by its own claims, so the API answers 401)
    claims = {"sub": "x", "email": "expiring@example.com", "exp": int(time.time()) + 600}
    forged = (
        "e30." + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + ".x"
    )
    page.evaluate("token => sessionStorage.setItem('bounceback.token', token)", forged)
    page.get_by_role("button", name="Log activity").click()

    expect(page.get_by_role("alert")).to_contain_text("Your sign-in has expired")
    expect(page.get_by_label("E-mail address")).to_be_visible()


def test_the_form_fits_a_360_pixel_wide_screen(browser: Browser, stack: RunningStack) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    narrow = context.new_page()
    try:
        sign_in(narrow, stack, "narrow@example.com")
        overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_stored_hostile_words_are_shown_as_text_everywhere_on_the_page(
    page: Page, stack: RunningStack
) -> None:
    # Given records full of markup, stored through the API (not typed into the form)
    hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    token, _ = stack.login("hostile@example.com")
    created = call(
        "POST",
        f"{stack.url}/applications",
        {"company": f"Evil {hostile}", "role": f"Role {hostile}", "notes": hostile},
        token=token,
    )
    assert created.status == 201, created.text
    recorded = call(
        "POST",
        f"{stack.url}/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "direct_email", "note": hostile},
        token=token,
    )
    assert recorded.status == 201, recorded.text
    logged = call(
        "POST", f"{stack.url}/activities", {"kind": "other", "note": hostile}, token=token
    )
    assert logged.status == 201, logged.text
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # When the user opens every view that shows them
    sign_in(page, stack, "hostile@example.com")
    expect(page.locator("#applications li")).to_have_count(1)
    expect(page.locator("#applications li").first).to_contain_text(f"Evil {hostile}")
    page.locator("#applications a").first.click()
    expect(page.locator("#detail-title")).to_contain_text(f"Evil {hostile}")
    expect(page.locator("#history")).to_contain_text(hostile)
    expect(page.locator("#edit-notes")).to_have_value(hostile)
    page.get_by_role("link", name="Nudges").click()
    expect(page.locator("#upcoming")).to_contain_text("Evil <img")
    page.get_by_role("link", name="Activity").click()
    expect(page.locator("#activities")).to_contain_text(hostile)

    # Then the words are text: nothing ran, nothing was injected
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.locator("main img, main script:not([src])").count() == 0
