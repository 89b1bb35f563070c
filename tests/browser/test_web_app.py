"""The web app as a job seeker uses it: every task by keyboard alone, on a 360 px phone,
accessible to axe-core in every view and state, talking to no other origin."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Route, expect

from bounceback_local.client import RunningStack, call
from tests.browser.conftest import create, record, sign_in, view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DOCS = Path(__file__).resolve().parents[2] / "docs"
AXE = Axe()
# Every rule axe-core runs by default (WCAG 2.0-2.2 A and AA and best practices);
# any serious or critical violation fails.
BLOCKING = {"serious", "critical"}


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus: proof it is reachable by keyboard."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached with {limit} presses of Tab")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the screen"


def axe_clean(page: Page, state: str, results: dict[str, Any]) -> None:
    """Run axe-core on the page as it is; no serious or critical violation."""
    found = AXE.run(page, options={"resultTypes": ["violations", "passes"]}).response
    blocking = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in found["violations"]
        if v["impact"] in BLOCKING
    ]
    results[state] = {
        "passes": sorted(rule["id"] for rule in found.get("passes", [])),
        "violations": [f"{v['id']} ({v['impact']})" for v in found["violations"]],
    }
    assert not blocking, f"{state}: {blocking}"


# ------------------------------------------------------------------ keyboard only


def test_every_task_can_be_done_with_the_keyboard_alone(
    page: Page, stack: RunningStack, tmp_path: Path
) -> None:
    page.goto(f"{stack.url}/")
    keys = page.keyboard

    # Sign in
    type_into(page, page.get_by_label("E-mail address"), "keys@example.com")
    keys.press("Enter")
    expect(page.get_by_text("Signed in as keys@example.com")).to_be_visible()

    # Add an application: it opens, its heading has the focus
    apps = view(page, "applications")
    type_into(page, apps.get_by_label("Company"), "Keyboard Co")
    type_into(page, apps.get_by_label("Role"), "Typist")
    keys.press("Enter")
    title = page.locator("#detail-title")
    expect(title).to_have_text("Keyboard Co — Typist")
    expect(title).to_be_focused()

    # Record a rejection: the channel must be chosen, the error says so and takes the focus
    detail = view(page, "application")
    tab_to(page, detail.get_by_label("What happened", exact=True))
    detail.get_by_label("What happened", exact=True).select_option("rejection")  # keys on a
    # closed select differ per platform; choosing the option is what matters here
    tab_to(page, detail.get_by_role("button", name="Record", exact=True))
    keys.press("Enter")
    expect(page.locator("#ev-channel-error")).to_have_text("Choose how the rejection reached you.")
    first_choice = detail.get_by_label("A call from a recruiter or the employer")
    expect(first_choice).to_be_focused()
    keys.press("ArrowDown")  # moves to, and checks, the second choice
    expect(detail.get_by_label("An e-mail written by a person")).to_be_checked()
    tab_to(page, detail.get_by_role("button", name="Record", exact=True))
    keys.press("Enter")
    expect(page.locator("#history")).to_contain_text("Rejection — an e-mail written by a person")

    # Edit a detail
    type_into(page, detail.get_by_label("Notes"), "Ask Sam about the team")
    tab_to(page, detail.get_by_role("button", name="Save changes"))
    keys.press("Enter")
    expect(detail.locator("#edit-application .saved")).to_have_text("Saved your changes.")

    # Delete it, through the confirmation (which opens on "Keep it")
    tab_to(page, detail.get_by_role("button", name="Delete this application…"))
    keys.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    keys.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Delete")).to_be_focused()
    keys.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Deleted Keyboard Co — Typist.")
    expect(page.get_by_text("No applications yet.")).to_be_visible()

    # Log an activity
    tab_to(page, page.get_by_role("link", name="Activity"))
    keys.press("Enter")
    expect(page.locator("#activities-title")).to_be_focused()
    acts = view(page, "activities")
    type_into(page, acts.get_by_label("Note"), "Coffee with a former colleague")
    keys.press("Tab")
    keys.press("Enter")
    expect(page.locator("#activities")).to_contain_text("Coffee with a former colleague")

    # Nudges are readable
    tab_to(page, page.get_by_role("link", name="Nudges"))
    keys.press("Enter")
    expect(page.locator("#nudges-title")).to_be_focused()
    expect(page.locator("#sent")).to_contain_text("No e-mail sent yet.")

    # Settings: a change, its confirmation; a pause and a resume
    tab_to(page, page.get_by_role("link", name="Settings"))
    keys.press("Enter")
    settings = view(page, "settings")
    tab_to(page, settings.get_by_label("Monday digest of my week"))
    keys.press("Space")
    tab_to(page, settings.get_by_role("button", name="Save settings"))
    keys.press("Enter")
    expect(settings.locator("#settings-form .saved")).to_have_text("Saved: digest.")
    tab_to(page, settings.get_by_label("Pause all e-mails until (the last day of the pause)"))
    keys.type("12312099")  # a date input takes its parts as typed digits
    tab_to(page, settings.get_by_role("button", name="Pause e-mails"))
    keys.press("Enter")
    expect(settings.locator("#pause-state")).to_contain_text("paused until")
    tab_to(page, settings.get_by_role("button", name="Resume now"))
    keys.press("Enter")
    expect(settings.locator("#pause-state")).to_have_text("E-mails are not paused.")

    # Your data: a download, then the account goes after typing the address
    tab_to(page, page.get_by_role("link", name="Your data"))
    keys.press("Enter")
    data = view(page, "data")
    tab_to(page, data.get_by_role("button", name="Download everything (JSON)"))
    with page.expect_download() as downloading:
        keys.press("Enter")
    saved = tmp_path / "export.json"
    downloading.value.save_as(saved)
    exported = json.loads(saved.read_text())
    assert exported["profile"]["email"] == "keys@example.com"
    assert [a["note"] for a in exported["activities"]] == ["Coffee with a former colleague"]
    type_into(page, data.get_by_label("To confirm, type the address"), "keys@example.com")
    keys.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your account and all your data are deleted")
    expect(page.get_by_label("E-mail address")).to_be_visible()
    token, _ = stack.login("keys@example.com")
    assert call("GET", f"{stack.url}/applications", token=token).json["items"] == []


# ------------------------------------------------------------------ every view and state


def visit_every_view_and_state(
    page: Page, stack: RunningStack, check: Callable[[str], None]
) -> None:
    """Walk the app through each view and state, calling `check(state)` in each."""
    page.goto(f"{stack.url}/")
    expect(page.get_by_label("E-mail address")).to_be_visible()
    check("signed out")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-email-error")).not_to_be_empty()
    check("sign-in error")

    email = f"everywhere-{uuid.uuid4().hex[:8]}@example.com"  # each walk starts afresh
    token, _ = stack.login(email)
    long_words = "Incomprehensibilities-and-Supercalifragilistic-Corporation-International"
    app = create(stack, token, company=long_words, role="Senior " + long_words, notes="x" * 300)
    record(stack, token, app["id"], type="rejection", channel="direct_email", note="y" * 200)
    call("POST", f"{stack.url}/activities", {"kind": "exercise", "note": "z" * 200}, token=token)
    sign_in(page, stack, email)
    check("applications")

    apps = view(page, "applications")
    apps.get_by_label("Company").fill("Acme")
    apps.get_by_label("Role").fill("Analyst")
    apps.locator("summary").click()
    apps.get_by_label("Link to the posting").fill("www.acme.example/job")
    page.get_by_role("button", name="Add application").click()
    expect(page.locator("#app-url-error")).not_to_be_empty()
    check("applications with errors")

    page.locator("#applications a").first.click()
    expect(page.locator("#history li")).to_have_count(2)
    check("application")
    detail = view(page, "application")
    detail.get_by_label("What happened", exact=True).select_option("rejection")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("#ev-channel-error")).not_to_be_empty()
    check("application with errors")
    detail.get_by_label("What happened", exact=True).select_option("interview")
    detail.get_by_label("Interview date and time").fill("2099-01-01T10:00")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("#ev-scheduled_for-error")).not_to_be_empty()
    check("interview with errors")
    page.get_by_role("button", name="Delete this application…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    check("delete confirmation")
    page.get_by_role("button", name="Keep it").click()

    for name in ("activities", "nudges", "settings", "data"):
        page.locator(f'#nav a[data-view="{name}"]').click()
        expect(view(page, name)).to_be_visible()
        page.wait_for_load_state("networkidle")
        check(name)
    data = view(page, "data")
    expect(data.get_by_label("Your private calendar address")).not_to_have_value("")
    data.get_by_role("button", name="Get a new address…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    check("calendar rotate confirmation")
    page.get_by_role("button", name="Keep the current one").click()
    tracker = (
        "Company,Job Title,Date Applied,Status,Link\n"
        f"{long_words},Analyst,02/03/2026,Applied,\n"
        "Globex,Engineer,,Applied,\n"
        "Hooli,PM,05/06/2026,Wishlist,\n"
        f"Initech,Tester,04/05/2026,Applied,www.{long_words}.example\n"
    )
    file = {"name": "tracker.csv", "mimeType": "text/csv", "buffer": tracker.encode()}
    data.get_by_label("File").set_input_files(file)
    expect(data.locator("#import-date_order")).to_be_visible()
    data.get_by_role("button", name="Preview the import").click()
    expect(data.locator("#import-problems li")).to_have_count(3)
    check("import preview with errors")
    data.get_by_role("button", name="Import 1 application").click()
    expect(data.locator("#import-outcome-title")).to_have_text("Import done")
    check("import result")
    file = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Company,Role\n"}
    data.get_by_label("File").set_input_files(file)
    data.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#import-file-error")).not_to_be_empty()
    check("import refused")
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.locator("#erase-email-error")).not_to_be_empty()
    check("data with errors")

    page.goto(f"{stack.url}/unsubscribe?token=not-a-token")
    expect(page.get_by_role("heading", name="This unsubscribe link does not work")).to_be_visible()
    check("bad unsubscribe link")


def test_axe_finds_no_serious_or_critical_violation_in_any_view_or_state(
    page: Page, stack: RunningStack
) -> None:
    results: dict[str, Any] = {}
    visit_every_view_and_state(page, stack, lambda state: axe_clean(page, state, results))
    assert len(results) == 18
    if os.environ.get("AXE_REPORT"):
        Path(os.environ["AXE_REPORT"]).write_text(json.dumps(results, indent=1))


def test_every_view_fits_a_360_pixel_screen_without_sideways_scrolling(
    phone: Page, stack: RunningStack
) -> None:
    seen: list[str] = []

    def check(state: str) -> None:
        no_horizontal_scroll(phone)
        seen.append(state)

    visit_every_view_and_state(phone, stack, check)
    assert len(seen) == 18


def test_no_request_leaves_the_origin(browser: Browser, stack: RunningStack) -> None:
    context = browser.new_context()
    origins: set[str] = set()
    context.on("request", lambda r: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(r.url))))
    try:
        opened = context.new_page()
        visit_every_view_and_state(opened, stack, lambda state: None)
    finally:
        context.close()
    assert origins == {stack.url}


# ------------------------------------------------------------------ time zone


def test_first_sign_in_takes_the_browsers_time_zone_and_shows_times_in_it(
    phone: Page, stack: RunningStack
) -> None:
    # Given a new user whose rejection came at 15:00 UTC
    token, _ = stack.login("chicago@example.com")
    app = create(stack, token, company="Windy Co")
    record(
        stack,
        token,
        app["id"],
        type="rejection",
        channel="agency",
        occurred_at="2026-11-02T15:00:00+00:00",
    )

    # When they sign in from a browser in Chicago
    sign_in(phone, stack, "chicago@example.com")

    # Then their zone is Chicago's, they are told so, and times are Chicago times
    expect(phone.get_by_role("status")).to_contain_text("Your time zone is now America/Chicago")
    profile = call("GET", f"{stack.url}/me", token=token).json
    assert (profile["timezone"], profile["timezone_chosen"]) == ("America/Chicago", True)
    phone.locator("#applications a").first.click()
    expect(phone.locator("#history")).to_contain_text("09:00 AM CST")
    expect(phone.locator("#ev-occurred_at-hint")).to_have_text(
        "In your time zone, America/Chicago."
    )


def test_a_zone_the_user_chose_is_never_replaced(phone: Page, stack: RunningStack) -> None:
    token, _ = stack.login("utc-by-choice@example.com")
    assert call("PATCH", f"{stack.url}/me", {"timezone": "UTC"}, token=token).status == 200

    sign_in(phone, stack, "utc-by-choice@example.com")
    phone.get_by_role("link", name="Settings").click()

    expect(phone.locator("#set-timezone")).to_have_value("UTC")
    assert call("GET", f"{stack.url}/me", token=token).json["timezone"] == "UTC"


# ------------------------------------------------------------------ records


def test_after_adding_an_application_what_is_recorded_goes_to_the_new_one(
    page: Page, stack: RunningStack
) -> None:
    sign_in(page, stack, "two@example.com")
    apps = view(page, "applications")
    detail = view(page, "application")
    for company in ("First Co", "Second Co"):
        page.get_by_role("link", name="Applications", exact=True).click()
        apps.get_by_label("Company").fill(company)
        apps.get_by_label("Role").fill("Analyst")
        page.get_by_role("button", name="Add application").click()
        expect(page.locator("#detail-title")).to_have_text(f"{company} — Analyst")
        detail.get_by_label("What happened", exact=True).select_option("rejection")
        detail.get_by_label("An automated e-mail").check()
        page.get_by_role("button", name="Record", exact=True).click()
        # a 409 ("already rejected") would show here if the form kept the first one
        expect(page.get_by_role("status")).to_have_text(
            "Recorded: Rejection. The status is now Rejected."
        )
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.locator("#applications li")).to_have_count(2)
    expect(page.locator("#applications li").filter(has_text="Rejected")).to_have_count(2)


def test_the_channel_has_no_default_and_an_impossible_event_is_said_next_to_the_field(
    page: Page, stack: RunningStack
) -> None:
    token, _ = stack.login("channel@example.com")
    app = create(stack, token, company="Gone Co")
    record(stack, token, app["id"], type="rejection", channel="automated_email")
    sign_in(page, stack, "channel@example.com")
    page.locator("#applications a").first.click()
    detail = view(page, "application")
    detail.get_by_label("What happened", exact=True).select_option("rejection")

    radios = detail.locator("#ev-channel input[type=radio]")
    expect(radios).to_have_count(5)
    assert not any(radios.nth(i).is_checked() for i in range(5))
    expect(detail.locator("#ev-channel-why")).to_contain_text("asking for feedback")

    detail.get_by_label("Through an agency").check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("#ev-type-error")).to_have_text(
        "“Rejection” cannot be recorded now: this application is Rejected."
    )
    expect(detail.get_by_label("What happened", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def test_api_errors_are_plain_words_next_to_their_field(page: Page, stack: RunningStack) -> None:
    sign_in(page, stack, "plain@example.com")
    apps = view(page, "applications")
    apps.get_by_label("Company").fill("Acme")
    apps.get_by_label("Role").fill("Analyst")
    apps.locator("summary").click()
    apps.get_by_label("Link to the posting").fill("www.x.example/job")
    apps.get_by_label("Contact e-mail").fill("sam at acme")
    page.get_by_role("button", name="Add application").click()

    expect(page.locator("#app-url-error")).to_have_text(
        "Must start with http:// or https:// and contain no spaces."
    )
    expect(page.locator("#app-contact_email-error")).to_have_text(
        "Must be an e-mail address such as name@example.com."
    )
    expect(apps.get_by_label("Link to the posting")).to_be_focused()
    for text in page.locator(".error").all_text_contents():
        assert "\\x" not in text and "^" not in text and "pattern" not in text


def test_the_list_pages_and_filters_by_status(page: Page, stack: RunningStack) -> None:
    token, _ = stack.login("many@example.com")
    ids = [create(stack, token, company=f"Company {n:02d}")["id"] for n in range(23)]
    record(stack, token, ids[0], type="rejection", channel="agency")
    sign_in(page, stack, "many@example.com")

    items = page.locator("#applications li")
    expect(items).to_have_count(20)
    page.get_by_role("button", name="Show more applications").click()
    expect(items).to_have_count(23)
    expect(page.locator("#applications li:nth-child(21) a")).to_be_focused()
    expect(page.get_by_role("button", name="Show more applications")).to_be_hidden()

    page.get_by_label("Show", exact=True).select_option("rejected")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Company 00")
    page.get_by_label("Show", exact=True).select_option("offer")
    expect(page.get_by_text("No applications with the status Offer.")).to_be_visible()


def test_a_pause_that_already_ended_is_refused_next_to_the_date(
    page: Page, stack: RunningStack
) -> None:
    sign_in(page, stack, "pause@example.com")
    page.get_by_role("link", name="Settings").click()
    settings = view(page, "settings")
    date = settings.get_by_label("Pause all e-mails until (the last day of the pause)")
    date.evaluate("el => { el.removeAttribute('min'); el.value = '2020-01-01'; }")
    page.get_by_role("button", name="Pause e-mails").click()
    expect(page.locator("#pause-paused_until-error")).to_have_text(
        "Must be today or later (the last day of the pause)."
    )


# ------------------------------------------------------------------ hosted sign-in (PKCE)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def hosted(browser: Browser, stack: RunningStack) -> Iterator[tuple[Page, dict[str, Any]]]:
    """The page as deployed: /_local/clock is not there, Cognito's hosted UI is faked."""
    context = browser.new_context()
    seen: dict[str, Any] = {"token_requests": [], "logouts": []}
    token, _ = stack.login("hosted@example.com")

    def authorize(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen["authorize"] = query
        back = query["redirect_uri"] + "?" + urlencode({"code": "code-1", "state": query["state"]})
        route.fulfill(status=302, headers={"Location": back})

    def token_endpoint(route: Route) -> None:
        form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        seen["token_requests"].append(form)
        challenge = _b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        good = form.get("code") == "code-1" and challenge == seen["authorize"]["code_challenge"]
        body = {"id_token": token, "access_token": "a", "token_type": "Bearer"}
        route.fulfill(
            status=200 if good else 400,
            headers={"Access-Control-Allow-Origin": "*"},
            content_type="application/json",
            body=json.dumps(body if good else {"error": "invalid_grant"}),
        )

    def logout(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen["logouts"].append(query)
        route.fulfill(status=302, headers={"Location": query["logout_uri"]})

    context.route("**/_local/clock", lambda route: route.fulfill(status=404, body="{}"))
    context.route("https://*.amazoncognito.com/oauth2/authorize*", authorize)
    context.route("https://*.amazoncognito.com/oauth2/token", token_endpoint)
    context.route("https://*.amazoncognito.com/logout*", logout)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened, seen
    context.close()


def test_deployed_sign_in_uses_the_code_flow_with_pkce_and_sign_out_ends_the_hosted_session(
    hosted: tuple[Page, dict[str, Any]], stack: RunningStack
) -> None:
    page, seen = hosted
    page.goto(f"{stack.url}/")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Signed in as hosted@example.com")).to_be_visible()
    asked = seen["authorize"]
    assert asked["response_type"] == "code"
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43
    assert asked["redirect_uri"] == f"{stack.url}/"
    assert "openid" in asked["scope"].split()
    [trade] = seen["token_requests"]
    assert trade["grant_type"] == "authorization_code"
    assert len(trade["code_verifier"]) >= 43
    assert "code" not in page.url  # the code does not stay in the address bar

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    [logout] = seen["logouts"]
    assert logout["logout_uri"] == f"{stack.url}/"
    assert logout["client_id"] == asked["client_id"]


def test_a_returned_code_with_a_foreign_state_is_not_traded(
    hosted: tuple[Page, dict[str, Any]], stack: RunningStack
) -> None:
    page, seen = hosted
    page.goto(f"{stack.url}/?code=stolen&state=guessed")
    expect(page.get_by_role("alert")).to_contain_text("could not be checked")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert seen["token_requests"] == []


# ------------------------------------------------------------------ README pictures


def test_phone_screenshots_of_settings_an_applications_history_and_an_import(
    phone: Page, stack: RunningStack, tmp_path: Path
) -> None:
    token, _ = stack.login("pictures@example.com")
    assert call("PATCH", f"{stack.url}/me", {"name": "Alex"}, token=token).status == 200
    app = create(
        stack,
        token,
        company="Northwind Analytics",
        role="Data Analyst",
        applied_on="2026-11-02",
        source="referral",
    )
    record(stack, token, app["id"], type="screening", occurred_at="2026-11-09T10:00:00-06:00")
    record(
        stack,
        token,
        app["id"],
        type="interview",
        occurred_at="2026-11-16T14:00:00-06:00",
        note="Panel with the analytics team; case study on churn.",
    )
    record(
        stack,
        token,
        app["id"],
        type="interview",
        occurred_at="2026-11-20T16:30:00-06:00",
        scheduled_for="2026-12-08T10:00:00-06:00",
        note="Final round with the head of data, on site.",
    )
    sign_in(phone, stack, "pictures@example.com")
    target = DOCS if os.environ.get("UPDATE_SCREENSHOT") else tmp_path
    # The first sign-in's message says the zone was taken; opening a view clears it
    expect(phone.get_by_role("status")).to_contain_text("Your time zone is now")

    phone.locator("#applications a").first.click()
    expect(phone.locator("#history li")).to_have_count(4)
    expect(phone.locator("#history .scheduled")).to_have_text(
        "Scheduled for Tue, Dec 8, 2026, 10:00 AM CST"
    )
    # In page coordinates: the focused heading may have scrolled the view
    bottom = phone.evaluate(
        "document.querySelector('#history').getBoundingClientRect().bottom + scrollY"
    )
    phone.screenshot(
        path=str(target / "phone-history.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 360, "height": bottom + 32},
    )

    phone.get_by_role("link", name="Settings").click()
    expect(phone.locator("#set-timezone")).to_have_value("America/Chicago")
    expect(phone.locator("#set-name")).to_have_value("Alex")
    phone.locator("#view-settings").screenshot(path=str(target / "phone-settings.png"))
    assert (target / "phone-settings.png").stat().st_size > 10_000

    phone.get_by_role("link", name="Your data").click()
    data = view(phone, "data")
    tracker = (
        "Company,Job Title,Date Applied,Status\n"
        "Contoso,BI Developer,10/06/2026,Rejected\n"
        "Fabrikam,Data Engineer,10/09/2026,Phone screen\n"
        "Tailspin,Analyst,,Applied\n"
    )
    data.get_by_label("File").set_input_files(
        {"name": "tracker.csv", "mimeType": "text/csv", "buffer": tracker.encode()}
    )
    data.get_by_role("button", name="Preview the import").click()
    expect(data.get_by_role("button", name="Import 2 applications")).to_be_visible()
    data.locator("#import").screenshot(path=str(target / "phone-import.png"))
    assert (target / "phone-import.png").stat().st_size > 10_000


def test_the_page_runs_under_a_strict_policy_allowing_only_its_own_blocks(
    page: Page, stack: RunningStack
) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text))
    answer = page.goto(f"{stack.url}/")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "unsafe" not in policy
    assert policy.count("'sha256-") == 2  # the one style block and the one script block
    expect(page.get_by_label("E-mail address")).to_be_visible()  # the script ran
    # Anything else inline is refused
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__injected") is None
    assert any("Content Security Policy" in text for text in violations), violations


def test_the_bad_unsubscribe_link_page_is_styled_under_its_policy_with_no_axe_finding(
    phone: Page, stack: RunningStack
) -> None:
    refused: list[str] = []
    phone.on("console", lambda m: refused.append(m.text))
    answer = phone.goto(f"{stack.url}/unsubscribe?token=not-a-token")
    assert answer is not None
    assert answer.status == 400
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    heading = phone.get_by_role("heading", name="This unsubscribe link does not work")
    expect(heading).to_be_visible()
    # The hashed style block applies (the policy lets it through) and nothing is refused
    assert phone.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "512px"
    assert not [text for text in refused if "Content Security Policy" in text], refused
    no_horizontal_scroll(phone)
    # Not even a moderate or minor finding: the page has its landmark and its heading
    found = AXE.run(phone).response
    assert [f"{v['id']} ({v['impact']})" for v in found["violations"]] == []
