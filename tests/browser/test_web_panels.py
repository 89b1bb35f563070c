"""The web app's later panels: scheduling an interview, importing with a preview, the
calendar feed, and the name in Settings — by keyboard alone where a person would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from bounceback_local.client import RunningStack, call
from tests.browser.conftest import create, record, sign_in, view
from tests.browser.test_web_app import tab_to, type_into

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BERLIN = ZoneInfo("Europe/Berlin")

# Slashed dates that read both ways, a column Bounceback does not use, a row with no
# date and one for a job not applied to yet.
TRACKER_CSV = (
    "Company,Job Title,Date Applied,Status,Salary\n"
    "Acme,Analyst,02/03/2026,Applied,100\n"
    "Globex,Engineer,03/04/2026,Rejected,\n"
    "Initech,Tester,,Applied,\n"
    "Hooli,Product Manager,05/06/2026,Wishlist,\n"
)


def feed_status(url: str) -> int:
    return call("GET", url).status


# ------------------------------------------------------------------ schedule an interview


def test_an_interview_is_scheduled_by_keyboard_in_the_users_own_zone(
    phone: Page, stack: RunningStack
) -> None:
    # Given a user who chose Berlin, on a phone whose browser is in Chicago
    token, _ = stack.login("interview@example.com")
    assert (
        call("PATCH", f"{stack.url}/me", {"timezone": "Europe/Berlin"}, token=token).status == 200
    )
    app = create(stack, token, company="Initech", role="Tester")
    sign_in(phone, stack, "interview@example.com")
    phone.locator("#applications a").first.click()
    detail = view(phone, "application")
    expect(detail).to_be_visible()
    keys = phone.keyboard

    # When they choose Interview, its start appears, and they type it with the keyboard
    start = (datetime.now(BERLIN) + timedelta(days=20)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    kind = detail.get_by_label("What happened", exact=True)
    tab_to(phone, kind)
    kind.select_option("interview")  # keys on a closed select differ per platform
    when = detail.get_by_label("Interview date and time")
    expect(when).to_be_visible()
    expect(detail.locator("#ev-scheduled_for-hint")).to_contain_text("Europe/Berlin")
    tab_to(phone, when)
    keys.type(start.strftime("%m%d%Y"))
    keys.press("Tab")
    keys.type(start.strftime("%I%M") + "P")
    tab_to(phone, detail.get_by_role("button", name="Record", exact=True))
    keys.press("Enter")

    # Then it is stored as 14:30 in Berlin, whatever the browser's zone, and shown so
    expect(phone.get_by_role("status")).to_contain_text("Scheduled: interview on")
    expect(phone.get_by_role("status")).to_contain_text("The status is now Interviewing.")
    stored = call("GET", f"{stack.url}/applications/{app['id']}", token=token).json
    [event] = stored["events"]
    assert datetime.fromisoformat(event["scheduled_for"]) == start
    history = detail.locator("#history")
    expect(history).to_contain_text("Scheduled for")
    expect(history).to_contain_text("02:30 PM GMT+1")
    expect(detail.get_by_label("Interview date and time")).to_be_hidden()


def test_an_interview_too_far_ahead_or_long_before_when_is_said_next_to_its_field(
    page: Page, stack: RunningStack
) -> None:
    token, _ = stack.login("too-far@example.com")
    create(stack, token, company="Far Co")
    sign_in(page, stack, "too-far@example.com")
    page.locator("#applications a").first.click()
    detail = view(page, "application")
    detail.get_by_label("What happened", exact=True).select_option("interview")
    field = detail.get_by_label("Interview date and time")
    error = page.locator("#ev-scheduled_for-error")

    far = datetime.now(UTC) + timedelta(days=400)
    field.fill(far.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Record", exact=True).click()
    expect(error).to_have_text("Must be at most 365 days from now.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()

    field.fill("2026-01-01T10:00")
    detail.get_by_label("When", exact=False).first.fill("2026-01-10T10:00")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(error).to_have_text("Must not be more than a day before the time in “When”.")
    assert (
        call("GET", f"{stack.url}/applications?limit=5", token=token).json["items"][0]["events"]
        == []
    )


def test_a_scheduled_interview_shows_in_the_history_when_recorded_elsewhere(
    page: Page, stack: RunningStack
) -> None:
    token, _ = stack.login("elsewhere@example.com")
    assert call("PATCH", f"{stack.url}/me", {"timezone": "UTC"}, token=token).status == 200
    app = create(stack, token)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, microsecond=0)
    record(stack, token, app["id"], type="interview", scheduled_for=start.isoformat())
    sign_in(page, stack, "elsewhere@example.com")
    page.locator("#applications a").first.click()
    expect(page.locator("#history .scheduled")).to_contain_text(
        f"Scheduled for {start.strftime('%a, %b')} {start.day}, {start.year}, 09:00 AM UTC"
    )


# ------------------------------------------------------------------ import with a preview


def test_an_import_is_previewed_then_stored_by_keyboard(
    page: Page, stack: RunningStack, tmp_path: Path
) -> None:
    file = tmp_path / "tracker.csv"
    file.write_text(TRACKER_CSV)
    token, _ = stack.login("importer@example.com")
    sign_in(page, stack, "importer@example.com")
    keys = page.keyboard
    tab_to(page, page.get_by_role("link", name="Your data"))
    keys.press("Enter")
    data = view(page, "data")
    expect(data).to_be_visible()

    # The file is chosen from the keyboard (the chooser is the system's own dialog).
    # A listener from the start has Playwright catch choosers before the key is pressed.
    page.on("filechooser", lambda chooser: None)
    tab_to(page, data.get_by_label("File"))
    with page.expect_file_chooser() as choosing:
        keys.press("Space")
    choosing.value.set_files(str(file))

    # The dates read both ways, so the page asks, showing what each way means
    order = data.get_by_role("group", name="How are the dates in this file written?")
    expect(order).to_be_visible()
    expect(order).to_contain_text("Dates such as 02/03/2026 could be read either way.")
    month_first = data.get_by_label("Month first: 02/03/2026 is Tue, Feb 3, 2026")
    expect(month_first).to_be_checked()
    tab_to(page, month_first)
    keys.press("ArrowDown")
    expect(data.get_by_label("Day first: 02/03/2026 is Mon, Mar 2, 2026")).to_be_checked()
    tab_to(page, data.get_by_role("button", name="Preview the import"))
    keys.press("Enter")

    # The preview: what would be added, the problems per row, how the dates were read
    outcome = data.locator("#import-outcome")
    expect(data.locator("#import-outcome-title")).to_have_text("Preview: nothing is stored yet")
    expect(data.locator("#import-outcome-title")).to_be_focused()
    expect(data.locator("#import-summary")).to_have_text(
        "This file has 4 rows. Importing it adds 2 applications. "
        "2 rows have problems (listed below, not imported)."
    )
    expect(data.locator("#import-rows li")).to_have_count(2)
    expect(data.locator("#import-rows li").first).to_contain_text("Acme — Analyst")
    expect(data.locator("#import-rows li").first).to_contain_text("applied Mon, Mar 2, 2026")
    expect(data.locator("#import-rows li").nth(1)).to_contain_text("Rejected")
    problems = data.locator("#import-problems li")
    expect(problems).to_have_text(
        [
            "Row 3 · Date applied: The date applied is missing.",
            "Row 4 · Status: 'Wishlist' means not applied yet: not imported.",
        ]
    )
    expect(outcome).to_contain_text(
        "Dates such as 02/03/2026 were read day first: 02/03/2026 as Mon, Mar 2, 2026; "
        "03/04/2026 as Fri, Apr 3, 2026; 05/06/2026 as Fri, Jun 5, 2026."
    )
    expect(outcome).to_contain_text(
        "Columns read: Company, Job Title, Date Applied, Status. Not used: Salary."
    )
    assert call("GET", f"{stack.url}/applications", token=token).json["items"] == []

    # Then the explicit import, and a clear result
    keys.press("Tab")
    go = data.get_by_role("button", name="Import 2 applications")
    expect(go).to_be_focused()
    keys.press("Enter")
    expect(data.locator("#import-outcome-title")).to_have_text("Import done")
    expect(page.get_by_role("status")).to_have_text(
        "Imported 2 applications. 2 rows have problems (listed below, not imported)."
    )
    expect(go).to_be_hidden()
    stored = call("GET", f"{stack.url}/applications", token=token).json["items"]
    assert sorted((a["company"], a["applied_on"], a["status"]) for a in stored) == [
        ("Acme", "2026-03-02", "applied"),
        ("Globex", "2026-04-03", "rejected"),
    ]


def test_importing_the_same_file_again_finds_only_duplicates(
    page: Page, stack: RunningStack, tmp_path: Path
) -> None:
    file = tmp_path / "again.csv"
    file.write_text("Company,Role,Applied On\nAcme,Analyst,2026-05-04\n")
    token, _ = stack.login("again@example.com")
    assert call("GET", f"{stack.url}/me", token=token).status == 200
    sign_in(page, stack, "again@example.com")
    page.get_by_role("link", name="Your data").click()
    data = view(page, "data")
    data.get_by_label("File").set_input_files(str(file))
    expect(data.locator("#import-date_order")).to_be_hidden()  # ISO dates: nothing to ask
    data.get_by_role("button", name="Preview the import").click()
    data.get_by_role("button", name="Import 1 application").click()
    expect(data.locator("#import-summary")).to_have_text("Imported 1 application.")

    data.get_by_label("File").set_input_files(str(file))
    data.get_by_role("button", name="Preview the import").click()
    expect(data.locator("#import-summary")).to_have_text(
        "This file has 1 row. Nothing new to import. 1 row is already in Bounceback (skipped)."
    )
    expect(data.locator("#import-go")).to_be_hidden()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "notes.txt",
            b"Company,Role\nAcme,Analyst\n",
            "Bounceback imports a CSV file, or the JSON file that “Download everything” saves.",
        ),
        (
            "big.csv",
            b"Company,Role,Applied On\n" + b"A,B,2026-01-01\n" * 5001,
            "This file is too big to import at once: at most 5,000 rows and 2 MB.",
        ),
        (
            "latin1.csv",
            "Company,Role,Applied On\nCafé,Analyst,2026-01-01\n".encode("latin-1"),
            "The file is not UTF-8 text; save it as 'CSV UTF-8' (or UTF-8 JSON)",
        ),
        (
            "export.json",
            b"{not json",
            "This file cannot be read as Bounceback's JSON",
        ),
        (
            "columns.csv",
            b"Name,Stage\nAcme,Applied\n",
            "This file has no column for company and role. Its first line must name the columns",
        ),
    ],
)
def test_a_file_the_api_refuses_is_said_in_plain_words_next_to_the_field(
    page: Page, stack: RunningStack, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    answers: list[int] = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if "/applications/import" in r.url else None,
    )
    sign_in(page, stack, f"refused-{name}@example.com")
    page.get_by_role("link", name="Your data").click()
    data = view(page, "data")
    file = tmp_path / name
    file.write_bytes(content)
    data.get_by_label("File").set_input_files(str(file))
    data.get_by_role("button", name="Preview the import").click()

    error = page.locator("#import-file-error")
    expect(error).to_contain_text(words)
    expect(data.get_by_label("File")).to_have_attribute("aria-invalid", "true")
    expect(data.get_by_label("File")).to_be_focused()
    expect(page.get_by_role("alert")).to_have_text("The file was not imported: see why next to it.")
    expect(data.locator("#import-outcome")).to_be_hidden()
    text = error.inner_text()
    assert "dry_run" not in text and "date_order" not in text and "body" not in text
    assert answers and answers[0] in {400, 413, 415, 422}


def test_a_file_over_two_megabytes_is_refused_before_it_is_sent(
    page: Page, stack: RunningStack
) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/applications/import" in r.url else None)
    sign_in(page, stack, "huge@example.com")
    page.get_by_role("link", name="Your data").click()
    data = view(page, "data")
    data.get_by_label("File").set_input_files(
        {"name": "huge.csv", "mimeType": "text/csv", "buffer": b"x" * (2 * 1024 * 1024 + 1)}
    )
    data.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#import-file-error")).to_contain_text("too big to import at once")
    assert sent == []


# ------------------------------------------------------------------ calendar feed


def test_the_calendar_address_is_copied_and_rotated_by_keyboard(
    browser: Browser, stack: RunningStack
) -> None:
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    page = context.new_page()
    try:
        token, _ = stack.login("calendar@example.com")
        sign_in(page, stack, "calendar@example.com")
        keys = page.keyboard
        tab_to(page, page.get_by_role("link", name="Your data"))
        keys.press("Enter")
        data = view(page, "data")
        expect(data).to_be_visible()

        # The private address shown is the feed's, and it answers
        field = data.get_by_label("Your private calendar address")
        old = call("GET", f"{stack.url}/me/calendar", token=token).json["url"]
        expect(field).to_have_value(old)
        assert feed_status(old) == 200

        # Copy: on the clipboard, and said in the live region
        tab_to(page, data.get_by_role("button", name="Copy the address"))
        keys.press("Enter")
        expect(page.get_by_role("status")).to_have_text("Copied the calendar address.")
        assert page.evaluate("navigator.clipboard.readText()") == old

        # Rotate asks first, saying the old address stops working; keeping it changes nothing
        tab_to(page, data.get_by_role("button", name="Get a new address…"))
        keys.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("The current address stops working at once")
        expect(dialog.get_by_role("button", name="Keep the current one")).to_be_focused()
        keys.press("Enter")
        expect(dialog).to_be_hidden()
        expect(field).to_have_value(old)
        tab_to(page, data.get_by_role("button", name="Get a new address…"))
        keys.press("Enter")
        keys.press("Shift+Tab")
        expect(dialog.get_by_role("button", name="Get a new address")).to_be_focused()
        keys.press("Enter")
        expect(page.get_by_role("status")).to_have_text(
            "New address ready. The old one no longer works: subscribe again with this one."
        )
        new = field.input_value()
        assert new != old
        assert call("GET", f"{stack.url}/me/calendar", token=token).json["url"] == new
        assert feed_status(old) == 404
        assert feed_status(new) == 200
    finally:
        context.close()


def test_without_a_clipboard_the_address_is_selected_for_the_user_to_copy(
    page: Page, stack: RunningStack
) -> None:
    page.add_init_script(
        "navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));"
    )
    sign_in(page, stack, "no-clipboard@example.com")
    page.get_by_role("link", name="Your data").click()
    data = view(page, "data")
    field = data.get_by_label("Your private calendar address")
    expect(field).not_to_have_value("")
    data.get_by_role("button", name="Copy the address").click()
    expect(page.get_by_role("status")).to_have_text(
        "The address is selected: press Ctrl+C (or ⌘C) to copy it."
    )
    expect(field).to_be_focused()
    selected = page.evaluate(
        "() => { const f = document.activeElement;"
        " return f.value.slice(f.selectionStart, f.selectionEnd); }"
    )
    assert selected == field.input_value()


# ------------------------------------------------------------------ the name in Settings


def test_the_name_is_always_shown_and_saved_by_keyboard(page: Page, stack: RunningStack) -> None:
    token, _ = stack.login("named@example.com")
    sign_in(page, stack, "named@example.com")
    keys = page.keyboard
    tab_to(page, page.get_by_role("link", name="Settings"))
    keys.press("Enter")
    settings = view(page, "settings")
    name = settings.get_by_label("Your name (what the e-mails call you)")
    expect(name).to_be_visible()
    expect(name).to_have_value("")

    type_into(page, name, "Robin")
    tab_to(page, settings.get_by_role("button", name="Save settings"))
    keys.press("Enter")
    expect(settings.locator("#settings-form .saved")).to_have_text("Saved: name.")
    assert call("GET", f"{stack.url}/me", token=token).json["name"] == "Robin"

    # Shown again after a reload, as the profile says
    page.reload()
    expect(
        view(page, "settings").get_by_label("Your name (what the e-mails call you)")
    ).to_have_value("Robin")

    # Too long: the API's words next to the field; cleared: no name
    name = view(page, "settings").get_by_label("Your name (what the e-mails call you)")
    name.fill("R" * 81)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#set-name-error")).not_to_be_empty()
    expect(name).to_have_attribute("aria-invalid", "true")
    assert call("GET", f"{stack.url}/me", token=token).json["name"] == "Robin"
    name.fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-form .saved")).to_have_text("Saved: name.")
    assert call("GET", f"{stack.url}/me", token=token).json["name"] is None


def test_the_json_download_imports_into_another_account_with_its_activities(
    page: Page, stack: RunningStack, tmp_path: Path
) -> None:
    # Given one account's JSON download: an application with its history, and activities
    old, _ = stack.login("moving-from@example.com")
    app = create(stack, old, company="Umbrella", role="Chemist", applied_on="2026-09-01")
    record(stack, old, app["id"], type="screening", occurred_at="2026-09-08T10:00:00+00:00")
    for kind in ("exercise", "networking_event"):
        logged = call("POST", f"{stack.url}/activities", {"kind": kind}, token=old)
        assert logged.status == 201, logged.text
    file = tmp_path / "bounceback-data.json"
    file.write_bytes(call("GET", f"{stack.url}/me/export", token=old).body)

    # When another account previews it, then imports it
    new, _ = stack.login("moving-to@example.com")
    sign_in(page, stack, "moving-to@example.com")
    page.get_by_role("link", name="Your data").click()
    data = view(page, "data")
    data.get_by_label("File").set_input_files(str(file))
    expect(data.locator("#import-date_order")).to_be_hidden()
    data.get_by_role("button", name="Preview the import").click()
    expect(data.locator("#import-summary")).to_have_text(
        "This file has 3 rows. Importing it adds 1 application and 2 activities."
    )
    expect(data.locator("#import-rows li")).to_have_text(
        ["Umbrella — ChemistRow 1 · applied Tue, Sep 1, 2026 · Screening"]
    )
    data.get_by_role("button", name="Import 1 application and 2 activities").click()

    # Then the application, its history and the activities are the new account's
    expect(data.locator("#import-summary")).to_have_text("Imported 1 application and 2 activities.")
    [moved] = call("GET", f"{stack.url}/applications", token=new).json["items"]
    assert (moved["company"], moved["status"]) == ("Umbrella", "screening")
    assert [e["type"] for e in moved["events"]] == ["screening"]
    kinds = {a["kind"] for a in call("GET", f"{stack.url}/activities", token=new).json["items"]}
    assert kinds == {"exercise", "networking_event"}
