"""Long lists in one e-mail: the first few named, the rest counted once
(docs/behaviour.md, "Long lists")."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bounceback.domain.model import Application, UserState
from bounceback.domain.planner import LIST_CAP, MoreSection, PlannedEmail, plan
from bounceback.domain.render import render_email
from bounceback.usecases.actions import with_action_links

from .test_planner_support import (
    application,
    at,
    deliver,
    event,
    keys_of,
    profile,
    run_until,
    state_of,
)

pytestmark = pytest.mark.unit

IMPORTED_AT = at(2027, 2, 3, 10)  # a Wednesday; send time 9:00 UTC
SENDS_AT = at(2027, 2, 4, 9)  # the next send time: the e-mail the import makes due
APP_URL = "https://bounceback.example/"
UNSUB = "https://bounceback.example/unsubscribe?token=t"


class Tokens:
    """Action tokens as long as the real ones (about 130 characters)."""

    def issue(self, user_id: str, action: str, application_id: str | None, now: datetime) -> str:
        return "v1." + "x" * 40 + f".{action}." + "y" * 40 + ".1796000000." + "z" * 43

    def verify(self, token: str, now: datetime) -> object:
        raise NotImplementedError


def imported(app: Application, moment: datetime = IMPORTED_AT) -> Application:
    return replace(app, created_at=moment, imported_at=moment)


def old_search(count: int) -> UserState:
    """`count` imported applications still `applied`, one a day back from yesterday: the
    last 23 days' are due a follow-up, the older ones a no-response check."""
    apps = [
        imported(
            application(
                f"a{n:04d}",
                date(2027, 2, 2) - timedelta(days=n % 400),
                company=f"Company {n}",
                contact_name="Sam Rivera",
                contact_email="sam@example.com",
                notes="Long notes " * 30,
            )
        )
        for n in range(count)
    ]
    return state_of(profile(digest_enabled=False), apps)


def email_at(state: UserState, moment: datetime = SENDS_AT) -> PlannedEmail:
    due = plan(state, moment).due
    assert len(due) == 1
    return due[0]


def named(email: PlannedEmail, kind: str) -> list[str]:
    return [
        n.application_ids[0]
        for n in email.nudges
        if n.kind == kind and not isinstance(n.section, MoreSection)
    ]


def counted(email: PlannedEmail, kind: str) -> int:
    found = [
        n.section.count
        for n in email.nudges
        if n.kind == kind and isinstance(n.section, MoreSection)
    ]
    assert len(found) <= 1
    return found[0] if found else 0


def waiting(state: UserState, kind: str) -> set[str]:
    """Applications whose `kind` is due: 8 … 30 days old for a follow-up, older for a check."""
    today = date(2027, 2, 4)
    if kind == "follow_up":
        return {a.id for a in state.applications if 7 <= (today - a.applied_on).days < 30}
    return {a.id for a in state.applications if (today - a.applied_on).days >= 30}


def test_5000_due_follow_ups_make_one_email_under_100_kb_naming_at_most_the_cap() -> None:
    state = old_search(5_000)
    email = email_at(state)
    signed = with_action_links(email, Tokens(), "u1", "https://bounceback.example", SENDS_AT)
    out = render_email(signed, state, unsubscribe_url=UNSUB, app_url=APP_URL)
    # Gmail clips a message over ~102 KB; this one, links and all, stays well under.
    assert len(out.html.encode()) < 100_000
    assert len(out.text.encode()) < 100_000
    for kind in ("follow_up", "no_response_check"):
        due = waiting(state, kind)
        shown = named(email, kind)
        assert len(shown) == LIST_CAP
        assert counted(email, kind) == len(due) - LIST_CAP  # the remainder, exactly
        # The ones named are those waiting longest, oldest first.
        applied = {a.id: a.applied_on for a in state.applications}
        assert shown == sorted(due, key=lambda app_id: (applied[app_id], app_id))[:LIST_CAP]
    # 5,000 over 400 days back: 13 a day for the first 200, 12 a day after. Follow-ups:
    # 23 days (8 to 30 days old) x 13 = 299; checks: the other 4,636.
    follow_more, check_more = "And 294 more applications", "And 4,631 more applications"
    for part in (out.text, out.html):
        flat = " ".join(re.sub(r"<[^>]+>", " ", part).split())
        assert f"{follow_more} where a follow-up could help" in flat
        assert f"{check_more} still without an answer after 30 days" in flat
    # Each "and N more" links to the web app, in both parts.
    assert out.text.count(f"See them all in Bounceback: {APP_URL}") == 2
    assert out.html.count(f'href="{APP_URL}"') == 3  # the two lists and the footer
    # Only the named applications get action buttons.
    assert out.text.count("I followed up") == 2 * LIST_CAP


def test_a_list_within_the_cap_is_named_in_full_without_a_count() -> None:
    state = old_search(LIST_CAP)  # five, all of the last five days: none due yet
    apps = [imported(application(f"b{n}", date(2026, 12, 1) + timedelta(days=n))) for n in range(5)]
    state = replace(state, applications=state.applications + tuple(apps))
    email = email_at(state)
    assert named(email, "no_response_check") == [f"b{n}" for n in range(5)]
    assert not any(isinstance(n.section, MoreSection) for n in email.nudges)


def about(emails: list[PlannedEmail], kind: str) -> set[str]:
    """The applications `emails` name in a `kind` section."""
    return {app_id for e in emails for app_id in named(e, kind)}


def test_what_was_counted_is_not_emailed_again_and_only_what_was_named_counts_as_sent() -> None:
    state = old_search(300)
    # When the next send time comes, one e-mail names ten and counts the rest.
    state, first = deliver(state, SENDS_AT)
    assert len(first) == 1
    shown = about(first, "follow_up") | about(first, "no_response_check")
    assert len(shown) == 2 * LIST_CAP
    # The sent record names exactly the named sections, plus one key per count.
    record = state.sent[-1]
    reminded = [k for k in record.nudge_keys if not k.startswith("more:")]
    kinds = ("follow_up", "no_response_check")
    assert sorted(reminded) == sorted(f"{k}:{a}" for k in kinds for a in named(first[0], k))
    assert sorted(k for k in record.nudge_keys if k.startswith("more:")) == [
        "more:follow_up:2027-02-04",
        "more:no_response_check:2027-02-04",
    ]
    # Then, for sixty days, no e-mail names a counted section again: no daily drip of
    # the backlog. What does come is new: the follow-ups of the applications too recent on
    # the 4th, and each 8-to-30-day-old application's own 30-day check when it falls due.
    _, later = run_until(state, SENDS_AT + timedelta(minutes=1), SENDS_AT + timedelta(days=60))
    checks = about(later, "no_response_check")
    assert about(later, "follow_up") == {f"a{n:04d}" for n in range(5)}  # 2-6 days old
    assert not checks & waiting(state, "no_response_check")
    assert waiting(state, "follow_up") <= checks | shown
    assert len(later) <= 60 * 4 // 7 + 1  # within the caps, however many were counted


def test_an_application_recorded_after_the_count_still_gets_its_follow_up() -> None:
    state, _ = deliver(old_search(300), SENDS_AT)
    fresh = application("new", date(2027, 2, 3), created_at=at(2027, 2, 3, 18))
    state = replace(state, applications=(*state.applications, fresh))
    _, later = run_until(state, SENDS_AT + timedelta(minutes=1), at(2027, 2, 12, 12))
    assert "follow_up:new" in keys_of(later)


def test_a_count_whose_email_outcome_is_unknown_is_not_done_and_is_counted_again() -> None:
    state, first = deliver(old_search(300), SENDS_AT, outcome="unknown")
    email = email_at(state, SENDS_AT + timedelta(days=1))
    assert named(email, "no_response_check") == named(first[0], "no_response_check")

    def rest(e: PlannedEmail) -> set[str]:
        more = [n for n in e.nudges if n.kind == "no_response_check" and n.key.startswith("more:")]
        return set(more[0].application_ids)

    # The same counted again, plus the one application that turned 30 days old since.
    assert rest(first[0]) < rest(email) and len(rest(email) - rest(first[0])) == 1


def test_debriefs_of_many_interviews_name_the_first_five_and_count_the_rest() -> None:
    apps = []
    for n in range(8):
        start = at(2027, 2, 3, 9 + n)
        interview = event(f"i{n}", "interview", at(2027, 1, 30), scheduled_for=start)
        apps.append(application(f"a{n}", date(2027, 1, 20), interview, company=f"C{n}"))
    state = state_of(profile(digest_enabled=False), apps)
    email = email_at(state, at(2027, 2, 4, 9))
    assert named(email, "interview_debrief") == [f"a{n}" for n in range(5)]
    assert counted(email, "interview_debrief") == 3
    out = render_email(email, state, unsubscribe_url=UNSUB, app_url=APP_URL)
    assert "And 3 more interviews to look back on" in out.text
    state, _ = deliver(state, at(2027, 2, 4, 9))
    _, later = run_until(state, at(2027, 2, 4, 10), at(2027, 3, 4, 12))
    assert not [k for k in keys_of(later) if "interview_debrief" in k]


def test_get_nudges_shows_the_count_with_the_applications_it_concerns() -> None:
    from bounceback.http.nudges import nudges_view

    view = nudges_view(old_search(40), IMPORTED_AT)
    more = [n for n in view["upcoming"] if "counted in this e-mail" in n["reason"]]
    assert [n["kind"] for n in more] == ["follow_up", "no_response_check"]
    # 40 applications, one a day back from the 2nd: 12 are over 30 days old on the 4th.
    assert more[1]["reason"].startswith("7 more applications with no answer in 30 days")
    # The seven newer ones are counted (the five oldest are named).
    assert sorted(more[1]["application_ids"]) == [f"a{n:04d}" for n in range(28, 35)]
