"""Turns one planned e-mail into its subject, plain-text and HTML parts.

The renderer only formats: what to say and when is the planner's job. The copy is
short and warm and never counts against the user. Everything the user typed
(company, role, notes, contact) is HTML-escaped in the HTML part and flattened to
one line where it appears in a header-like place; links the user supplies go
through percent-encoding before they reach an attribute. The HTML is tables and
inline styles only (no scripts, no external images), so common mail clients show
it as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final, assert_never
from urllib.parse import quote

from .model import UserState
from .planner import (
    AcknowledgementSection,
    AskFeedbackSection,
    CongratulationsSection,
    DigestSection,
    FollowUpSection,
    GapSection,
    NoResponseSection,
    PlannedEmail,
    ReplaySection,
    WeekBar,
    WeekPlanSection,
)

__all__ = ["RenderedEmail", "render_email"]

_SUBJECTS: Final[dict[str, str]] = {
    "acknowledgement": "About {company}: be gentle with yourself",
    "ask_feedback": "Welcome back: a gentle plan for this week",
    "replay": "Welcome back: a gentle plan for this week",
    "week_plan": "Welcome back: a gentle plan for this week",
    "gap": "One small step to keep your search warm",
    "follow_up": "A friendly follow-up could help",
    "no_response_check": "Still waiting to hear back?",
    "digest": "Your week in the search",
    "congratulations": "Congratulations on the new job!",
}
_PICKS: Final[dict[str, tuple[str, str]]] = {
    "networking": ("Go to one meetup or online event in your field", "a local meetup or online"),
    "contacts": (
        "Look through your contacts and message two people you would like to catch up with",
        "at your desk with a coffee, half an hour",
    ),
    "applications": (
        "Send one application for a role you genuinely like",
        "at home or in a library, one focused hour",
    ),
    "cv": ("Add one recent achievement to your CV", "somewhere quiet, forty minutes"),
    "industry_news": (
        "Catch up on news in your industry and note one idea",
        "with your morning coffee, twenty minutes",
    ),
}
_TIMES: Final[tuple[str, ...]] = ("late morning", "early afternoon", "morning")
_RELIEF: Final[dict[str, str]] = {
    "exercise": "Move for twenty minutes: a brisk walk, a run, a swim. It really does help.",
    "other": "Blow off some steam your way: loud music, a walk with a friend, cooking "
    "something good.",
}
_EMAIL_SHAPE: Final = re.compile(r"[^@\s]+@[^@\s]+")
_FONT: Final = "font-family:Helvetica,Arial,sans-serif;color:#1f2933;"


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """A ready-to-send e-mail body and the values for its headers."""

    subject: str
    text: str
    html: str
    kinds_header: str


@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    text: str
    html: str


def _plain(value: object, limit: int = 200) -> str:
    """User text on one line, without control characters, at most `limit` chars."""
    raw = "" if value is None else str(value)
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _h(value: object) -> str:
    """User text for the HTML part: one line, escaped."""
    return escape(_plain(value), quote=True)


def _day(day: date | None) -> str:
    if day is None:
        return "soon"
    return f"{day:%A} {day.day} {day:%B}"


def _mailto(address: object, subject: str, body: str) -> str | None:
    """A mailto: link for a plausible address, every part percent-encoded."""
    if not isinstance(address, str) or not _EMAIL_SHAPE.fullmatch(address.strip()):
        return None
    return (
        "mailto:"
        + quote(address.strip(), safe="@")
        + "?subject="
        + quote(subject, safe="")
        + "&body="
        + quote(body, safe="")
    )


def _link(href: str, label: str) -> str:
    return f'<a href="{escape(href, quote=True)}" style="color:#2f6f5e;">{escape(label)}</a>'


def _bold(text: str, part: str) -> str:
    """`text` escaped, with the first occurrence of `part` (already in it) in bold."""
    escaped, target = escape(text), escape(part)
    if not target or target not in escaped:
        return escaped
    return escaped.replace(target, f"<strong>{target}</strong>", 1)


def _para(text: str) -> str:
    return f'<p style="margin:0 0 12px 0;line-height:1.5;">{text}</p>'


# --------------------------------------------------------------------------- sections


def _acknowledgement(d: AcknowledgementSection, state: UserState) -> _Section:
    days = state.profile.break_days
    span = "a day" if days == 1 else f"{days} days" if days > 2 else "a couple of days"
    company = _plain(d.company) or "that company"
    text = (
        f"I'm sorry about {company}. It is completely normal to feel disappointed: "
        f"a no stings, and it says nothing about your worth.\n"
        f"Take {span} off from the search. No tasks, no pressure. "
        f"We will check in on {_day(d.comeback_on)}."
    )
    html = _para(
        f"I'm sorry about <strong>{_h(company)}</strong>. It is completely normal to feel "
        "disappointed: a no stings, and it says nothing about your worth."
    ) + _para(
        f"Take {span} off from the search. No tasks, no pressure. "
        f"We will check in on <strong>{escape(_day(d.comeback_on))}</strong>."
    )
    return _Section("Be gentle with yourself", text, html)


def _feedback_draft(d: AskFeedbackSection) -> tuple[str, str]:
    name = _plain(d.contact_name) or "there"
    role = _plain(d.role) or "the role"
    subject = f"Feedback on my application for {role}"
    body = (
        f"Hi {name},\n\nThank you for letting me know about the {role} position. "
        "If you have a moment, I would really value a few words of feedback on my "
        "application or interview: anything that could help me improve.\n\n"
        "Thanks again, and all the best,"
    )
    return subject, body


def _ask_feedback(d: AskFeedbackSection) -> _Section:
    company = _plain(d.company) or "the company"
    subject, body = _feedback_draft(d)
    link = _mailto(d.contact_email, subject, body)
    intro = (
        f"Welcome back. Since {company} told you in person, they may be happy to share "
        "a little feedback. Asking is a strength, and a short note is enough:"
    )
    text = f"{intro}\n\n{body}\n"
    if link:
        text += f"\nTo: {_plain(d.contact_email)}\n"
    draft_html = escape(body).replace("\n", "<br>")
    html = _para(_bold(intro, company))
    html += (
        '<div style="border-left:3px solid #9cc7b9;padding:8px 12px;margin:0 0 12px 0;'
        f'background:#f4faf8;">{draft_html}</div>'
    )
    if link:
        html += _para(_link(link, "Open this draft in your mail app"))
    return _Section("Ask for feedback", text, html)


def _replay(d: ReplaySection) -> _Section:
    company = _plain(d.company) or "the company"
    role = _plain(d.role) or "the role"
    if d.interview_happened:
        body = (
            f"Replay the {company} interview once, kindly: write down the questions you "
            "remember and how you would answer them today, or role-play it with a friend. "
            "Curiosity, not judgement."
        )
    else:
        body = (
            f"Put the {role} posting at {company} next to your CV: which must-haves does "
            "your CV show clearly, and which could it show better next time? "
            "Curiosity, not judgement."
        )
    html = _para(_bold(body, company))
    return _Section("Welcome back", f"Welcome back. {body}", html)


def _week_plan(d: WeekPlanSection) -> _Section:
    lines: list[str] = []
    rows: list[str] = []
    for i, pick in enumerate(d.picks):
        what, where = _PICKS.get(pick.category, ("One small step for your search", ""))
        when = f"{_day(pick.on)}, {_TIMES[i % len(_TIMES)]}"
        lines.append(f"- {what}. When: {when}. Where: {where}.")
        rows.append(
            "<tr>"
            f'<td style="padding:6px 8px;vertical-align:top;">{escape(what)}</td>'
            f'<td style="padding:6px 8px;vertical-align:top;color:#52606d;">'
            f"{escape(when)}<br>{escape(where)}</td>"
            "</tr>"
        )
    relief = _RELIEF.get(d.stress_relief, _RELIEF["exercise"])
    lines.append(f"- And for you: {relief}")
    text = "Three small things for this week, at your own pace:\n" + "\n".join(lines)
    html = (
        _para("Three small things for this week, at your own pace:")
        + '<table role="presentation" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;margin:0 0 12px 0;">'
        + "".join(rows)
        + "</table>"
        + _para(f"And for you: {escape(relief)}")
    )
    return _Section("Your week plan", text, html)


def _gap(d: GapSection) -> _Section:
    idle = d.days_idle
    body = (
        f"It has been {idle} days since you last logged something. No pressure: one small "
        "step counts. Send one application, message one contact, or polish one line of your CV."
    )
    if d.final:
        body += " This is our last reminder for now; we will be here when you are ready."
    return _Section("A small step", body, _para(escape(body)))


def _follow_ups(chases: Sequence[FollowUpSection | NoResponseSection]) -> _Section:
    lines: list[str] = []
    items: list[str] = []
    for d in chases:
        company = _plain(d.company) or "An application"
        role = _plain(d.role)
        applied = _day(d.applied_on)
        head = f"{company}, {role}" if role else company
        head_html = f"<strong>{_h(company)}</strong>" + (f", {_h(role)}" if role else "")
        if isinstance(d, FollowUpSection):
            advice = "A short, friendly follow-up after a week is completely normal."
            name = _plain(d.contact_name) or "there"
            body = (
                f"Hi {name},\n\nI applied for the {role or 'open'} role on {applied} and "
                "wanted to say I am still very interested. Is there anything else I can "
                "share?\n\nThank you,"
            )
            link = _mailto(d.contact_email, f"Following up: {role or company}", body)
        else:
            advice = (
                "Still no answer after 30 days. If it feels right, mark it as no response "
                "and free up the headspace."
            )
            link = None
        lines.append(f"- {head} (applied {applied}): {advice}")
        extra = f" {_link(link, 'Draft a follow-up')}" if link else ""
        items.append(
            f'<li style="margin:0 0 8px 0;">{head_html} (applied {escape(applied)}): '
            f"{escape(advice)}{extra}</li>"
        )
    text = "\n".join(lines)
    html = f'<ul style="margin:0 0 12px 0;padding-left:20px;">{"".join(items)}</ul>'
    return _Section("Follow-ups", text, html)


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _bars_html(weeks: Sequence[WeekBar]) -> str:
    """The 8-week picture: one table row of bottom-aligned bars, inline CSS only."""
    top = max([w.count for w in weeks] + [1])
    cells: list[str] = []
    labels: list[str] = []
    for week in weeks:
        count = week.count
        height = max(2, round(48 * count / top)) if count else 2
        colour = "#2f6f5e" if count else "#d9e2ec"
        cells.append(
            '<td style="vertical-align:bottom;padding:0 3px;" align="center">'
            f'<div style="font-size:11px;color:#52606d;">{count}</div>'
            f'<div style="width:22px;height:{height}px;background:{colour};'
            'border-radius:2px 2px 0 0;line-height:1px;font-size:1px;">&nbsp;</div></td>'
        )
        day = week.week_of
        labels.append(
            '<td style="font-size:10px;color:#7b8794;padding:2px 3px;" align="center">'
            f"{day.day}/{day.month}</td>"
        )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;margin:0 0 12px 0;height:70px;">'
        f'<tr style="height:64px;">{"".join(cells)}</tr><tr>{"".join(labels)}</tr></table>'
    )


def _bars_text(weeks: Sequence[WeekBar]) -> str:
    lines = []
    for week in weeks:
        count = week.count
        day = week.week_of
        lines.append(f"  {day:%d %b}  {'#' * min(count, 30)} {count}")
    return "\n".join(lines)


def _digest(section: DigestSection) -> _Section:
    d = section.figures
    if d is None:  # a future digest: figures are computed on its Monday
        note = f"Your weekly figures arrive on {_day(section.week_of)}."
        return _Section("Your week", note, _para(escape(note)))
    past = d.past_week
    before = d.week_before
    idle = d.days_since_last_activity
    facts = [
        f"Last week: {_count(past.applications, 'application')}, "
        f"{_count(past.activities, 'other activity', 'other activities')} "
        f"(the week before: {before.applications} and {before.activities}).",
        "Days since your last activity: " + (str(idle) if idle is not None else "none yet") + ".",
        f"Open follow-ups: {d.open_follow_ups}.",
    ]
    if d.last_comeback_on is not None:
        facts.append(f"Your last comeback day: {_day(d.last_comeback_on)}.")
    weeks = d.weeks
    text = "\n".join(facts) + "\n\nThe last 8 weeks (applications + activities):\n"
    text += _bars_text(weeks)
    html = "".join(_para(escape(f)) for f in facts)
    html += _para("The last 8 weeks (applications and activities):") + _bars_html(weeks)
    return _Section("Your week", text, html)


def _congratulations(d: CongratulationsSection) -> _Section:
    company = _plain(d.company) or "your new employer"
    text = (
        f"Congratulations on accepting the offer from {company}! All those applications "
        "and comebacks led here. We will stay quiet now; if you ever start a new search, "
        "add an application and we will be there."
    )
    html = _para(_bold(text, company))
    return _Section("Congratulations", text, html)


_Chase = FollowUpSection | NoResponseSection


def _sections(email: PlannedEmail, state: UserState) -> list[_Section]:
    sections: list[_Section] = []
    follow: list[_Chase] = []
    for nudge in email.nudges:
        d = nudge.section
        if isinstance(d, _Chase):
            follow.append(d)
            continue
        if follow:
            sections.append(_follow_ups(follow))
            follow = []
        match d:
            case AcknowledgementSection():
                sections.append(_acknowledgement(d, state))
            case AskFeedbackSection():
                sections.append(_ask_feedback(d))
            case ReplaySection():
                sections.append(_replay(d))
            case WeekPlanSection():
                sections.append(_week_plan(d))
            case GapSection():
                sections.append(_gap(d))
            case DigestSection():
                sections.append(_digest(d))
            case CongratulationsSection():
                sections.append(_congratulations(d))
            case _:
                assert_never(d)
    if follow:
        sections.append(_follow_ups(follow))
    return sections


def _subject(email: PlannedEmail) -> str:
    if not email.nudges:
        return "News from Bounceback"
    first = email.nudges[0]
    template = _SUBJECTS.get(first.kind, "News from Bounceback")
    named = getattr(first.section, "company", None)
    company = _plain(named, limit=60) or "today"
    return _plain(template.format(company=company), limit=120)


def render_email(
    email: PlannedEmail, state: UserState, *, unsubscribe_url: str, app_url: str
) -> RenderedEmail:
    """Subject, text and HTML for `email`, sections in the planner's order."""
    sections = _sections(email, state)
    subject = _subject(email)
    text_parts = ["Hi,", ""]
    for section in sections:
        text_parts += [section.title.upper(), section.text, ""]
    text_parts += [
        "Log an application, an outcome or an activity: " + app_url,
        "Unsubscribe from these e-mails: " + unsubscribe_url,
    ]
    body = "".join(
        f'<h2 style="font-size:16px;margin:20px 0 8px 0;color:#2f6f5e;">{escape(s.title)}</h2>'
        + s.html
        for s in sections
    )
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f5f7f6;{_FONT}">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f5f7f6;"><tr><td align="center" style="padding:24px 12px;">'
        '<table role="presentation" width="560" cellpadding="0" cellspacing="0" '
        f'style="max-width:560px;background:#ffffff;border-radius:8px;{_FONT}">'
        '<tr><td style="padding:24px 28px;font-size:15px;">'
        + _para("Hi,")
        + body
        + '<p style="margin:24px 0 0 0;font-size:12px;color:#7b8794;line-height:1.6;">'
        + _link(app_url, "Open Bounceback")
        + " · "
        + _link(unsubscribe_url, "Unsubscribe")
        + "</p></td></tr></table></td></tr></table></body></html>"
    )
    return RenderedEmail(
        subject=subject,
        text="\n".join(text_parts) + "\n",
        html=html,
        kinds_header=",".join(email.kinds),
    )
