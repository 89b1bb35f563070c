"""The e-mail renderer: parts, header value, escaping of the user's own words."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bounceback.domain.planner import PlannedEmail, plan
from bounceback.domain.render import RenderedEmail, render_email

from .test_planner_support import activity, application, at, event, profile, state_of

pytestmark = pytest.mark.unit

HOSTILE = '<script>alert("x")</script>\r\nBcc: victim@example.com'
UNSUB = "https://bounceback.example/unsubscribe?token=abc&x=1"
APP = "https://bounceback.example/"


def render(email: PlannedEmail, state: object) -> RenderedEmail:
    return render_email(email, state, unsubscribe_url=UNSUB, app_url=APP)  # type: ignore[arg-type]


def comeback_email(**app_fields: object) -> tuple[PlannedEmail, object]:
    app = application(
        "a1",
        date(2027, 1, 20),
        event("r", "rejection", at(2027, 2, 3), channel="recruiter_call"),
        **app_fields,
    )
    state = state_of(profile(digest_enabled=False), [app])
    email = next(e for e in plan(state, at(2027, 2, 3, 13)).upcoming if e.scheduled)
    return email, state


def test_hostile_company_and_notes_are_escaped_in_html_and_subject_stays_one_line() -> None:
    # Given an application whose company and notes carry markup and a header injection
    app = application(
        "a1",
        date(2027, 1, 20),
        event("r", "rejection", at(2027, 2, 3, 14)),
        company=HOSTILE,
        role="<b>Role</b>",
        notes=HOSTILE,
    )
    state = state_of(profile(), [app])
    (ack,) = plan(state, at(2027, 2, 3, 14)).due
    # When the acknowledgement is rendered
    out = render(ack, state)
    # Then no markup from the user reaches the HTML, and the subject has no CR/LF
    assert "<script" not in out.html
    assert "&lt;script&gt;" in out.html
    assert "\r" not in out.subject and "\n" not in out.subject
    assert out.subject.startswith("About ")


def test_both_parts_are_present_with_the_unsubscribe_link() -> None:
    email, state = comeback_email()
    out = render(email, state)
    assert out.text.strip() and out.html.startswith("<!DOCTYPE html>")
    assert UNSUB in out.text
    assert 'href="https://bounceback.example/unsubscribe?token=abc&amp;x=1"' in out.html
    assert "<script" not in out.html.lower()
    assert "<img" not in out.html.lower()


def test_kinds_header_lists_sections_in_order() -> None:
    email, state = comeback_email()
    assert render(email, state).kinds_header == "ask_feedback,week_plan"


def test_feedback_draft_links_to_the_contact_with_a_url_encoded_mailto() -> None:
    email, state = comeback_email(contact_name="Sam", contact_email="sam@acme.example")
    out = render(email, state)
    (href,) = re.findall(r'href="(mailto:[^"]*)"', out.html)
    assert href.startswith("mailto:sam@acme.example?subject=")
    assert " " not in href and "\n" not in href
    assert "Hi Sam," in out.text


def test_hostile_contact_address_cannot_break_out_of_the_attribute() -> None:
    email, state = comeback_email(contact_email='x@y.z"><script>alert(1)</script>')
    out = render(email, state)
    assert "<script>" not in out.html
    for href in re.findall(r'href="([^"]*)"', out.html):
        assert "<" not in href and ">" not in href and '"' not in href


def test_follow_up_and_no_response_check_share_one_section() -> None:
    a = application("A", date(2027, 1, 1), company="Alpha")
    b = application("B", date(2027, 1, 24), company="Beta")
    state = state_of(
        profile(digest_enabled=False), [a, b], [activity("n", "other", date(2027, 1, 30))]
    )
    email = next(e for e in plan(state, at(2027, 1, 31, 9)).due if e.scheduled)
    out = render(email, state)
    assert out.kinds_header.endswith("follow_up,no_response_check")
    assert out.html.count(">Follow-ups</h2>") == 1
    assert out.text.count("FOLLOW-UPS") == 1
    assert "Alpha" in out.text and "Beta" in out.text


def test_digest_draws_eight_labelled_weeks_as_a_table_with_a_text_fallback() -> None:
    apps = [application("a", date(2027, 2, 2)), application("b", date(2027, 1, 26))]
    state = state_of(profile(gap_days=14), apps)
    (email,) = plan(state, at(2027, 2, 8, 9)).due
    out = render(email, state)
    rows = re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', out.html)
    assert rows == ["14 Dec", "21 Dec", "28 Dec", "4 Jan", "11 Jan", "18 Jan", "25 Jan", "1 Feb"]
    assert re.search(r"^  1 Feb\s+#+ 1$", out.text, re.MULTILINE)
    assert not re.search(r"\b\d{1,2}/\d{1,2}\b", out.text + out.html)
    assert "<script" not in out.html and "<img" not in out.html


def test_week_plan_says_when_and_where() -> None:
    email, state = comeback_email()
    out = render(email, state)
    assert out.text.count("When:") == 3
    assert "Where:" in out.text
    assert "And for you:" in out.text


def test_replay_without_interview_compares_posting_with_cv() -> None:
    app = application("a1", date(2027, 1, 20), event("r", "rejection", at(2027, 2, 3)))
    state = state_of(profile(digest_enabled=False), [app])
    email = next(e for e in plan(state, at(2027, 2, 3, 13)).upcoming if e.scheduled)
    out = render(email, state)
    assert "posting" in out.text and "CV" in out.text


def test_congratulations_copy() -> None:
    app = application(
        "w",
        date(2027, 1, 10),
        event("o", "offer", at(2027, 1, 30)),
        event("acc", "accepted", at(2027, 2, 3, 15)),
        company="Acme & Sons",
    )
    state = state_of(profile(), [app])
    (email,) = plan(state, at(2027, 2, 3, 15)).due
    out = render(email, state)
    assert out.kinds_header == "congratulations"
    assert "Acme &amp; Sons" in out.html
    assert out.subject == "Congratulations on the new job!"


def test_digest_forecast_without_figures_still_renders() -> None:
    apps = [application("a", date(2027, 2, 2))]
    state = state_of(profile(gap_days=14), apps)
    email = next(e for e in plan(state, at(2027, 2, 3)).upcoming if "digest" in e.kinds)
    out = render(email, state)
    assert "Mon 8 Feb" in out.text


def test_interview_prep_names_what_to_reread_stories_questions_logistics() -> None:
    from datetime import timedelta

    # Given an interview with a hostile company name and a logistics note
    start = at(2027, 3, 10, 14)
    recorded = at(2027, 3, 3)
    app = application(
        "a1",
        date(2027, 3, 1),
        event("i1", "interview", recorded, note="Room 4, ask for Kim", scheduled_for=start),
        company=HOSTILE,
        url="https://jobs.example/42",
        notes="Team of six; they ship weekly",
    )
    state = state_of(profile(), [app])
    (prep,) = [e for e in plan(state, start - timedelta(days=1)).due if not e.scheduled]
    # When it is rendered
    out = render(prep, state)
    # Then the copy has each part, with the user's words escaped and on one line
    assert out.kinds_header == "interview_prep"
    assert "Wed 10 Mar at 14:00" in out.text
    assert "https://jobs.example/42" in out.text and "Team of six" in out.text
    assert "two or three stories" in out.text
    assert out.text.count('"What') == 2
    assert "Logistics: Room 4, ask for Kim" in out.text
    assert "Getting the interview was the hard part" in out.text
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "\n" not in out.subject and "\r" not in out.subject


def test_interview_debrief_has_three_notes_a_thank_you_mailto_and_the_outcome() -> None:
    start = at(2027, 3, 10, 14)
    app = application(
        "a1",
        date(2027, 3, 1),
        event("i1", "interview", at(2027, 3, 3), scheduled_for=start),
        contact_name="Kim",
        contact_email="kim@acme.example",
    )
    state = state_of(profile(digest_enabled=False), [app])
    (debrief,) = [e for e in plan(state, at(2027, 3, 11, 9)).due if e.scheduled]
    out = render(debrief, state)
    assert out.kinds_header == "interview_debrief"
    assert out.subject == "How did it go with Acme?"
    assert "note three things" in out.text
    assert "Hi Kim," in out.text and "To: Kim <kim@acme.example>" in out.text
    assert 'href="mailto:kim@acme.example?subject=' in out.html
    assert "record the outcome" in out.text
