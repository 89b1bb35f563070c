"""One renderer per section kind: the planner's facts in the service's own words."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final, TypeAlias, assert_never

from ..model import UserState
from ..planner import (
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
from .parts import Part, anchor, bold, h, long_date, mailto, para, plain

__all__ = ["sections"]

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


def _acknowledgement(d: AcknowledgementSection, state: UserState) -> Part:
    days = state.profile.break_days
    span = "a day" if days == 1 else f"{days} days" if days > 2 else "a couple of days"
    company = plain(d.company) or "that company"
    text = (
        f"I'm sorry about {company}. It is completely normal to feel disappointed: "
        f"a no stings, and it says nothing about your worth.\n"
        f"Take {span} off from the search. No tasks, no pressure. "
        f"We will check in on {long_date(d.comeback_on)}."
    )
    html = para(
        f"I'm sorry about <strong>{h(company)}</strong>. It is completely normal to feel "
        "disappointed: a no stings, and it says nothing about your worth."
    ) + para(
        f"Take {span} off from the search. No tasks, no pressure. "
        f"We will check in on <strong>{escape(long_date(d.comeback_on))}</strong>."
    )
    return Part("Be gentle with yourself", text, html)


def _feedback_draft(d: AskFeedbackSection) -> tuple[str, str]:
    name = plain(d.contact_name) or "there"
    role = plain(d.role) or "the role"
    subject = f"Feedback on my application for {role}"
    body = (
        f"Hi {name},\n\nThank you for letting me know about the {role} position. "
        "If you have a moment, I would really value a few words of feedback on my "
        "application or interview: anything that could help me improve.\n\n"
        "Thanks again, and all the best,"
    )
    return subject, body


def _ask_feedback(d: AskFeedbackSection) -> Part:
    company = plain(d.company) or "the company"
    subject, body = _feedback_draft(d)
    address = mailto(d.contact_email, subject, body)
    intro = (
        f"Welcome back. Since {company} told you in person, they may be happy to share "
        "a little feedback. Asking is a strength, and a short note is enough:"
    )
    text = f"{intro}\n\n{body}\n"
    if address:
        text += f"\nTo: {plain(d.contact_email)}\n"
    draft_html = escape(body).replace("\n", "<br>")
    html = para(bold(intro, company))
    html += (
        '<div style="border-left:3px solid #9cc7b9;padding:8px 12px;margin:0 0 12px 0;'
        f'background:#f4faf8;">{draft_html}</div>'
    )
    if address:
        html += para(anchor(address, "Open this draft in your mail app"))
    return Part("Ask for feedback", text, html)


def _replay(d: ReplaySection) -> Part:
    company = plain(d.company) or "the company"
    role = plain(d.role) or "the role"
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
    html = para(bold(body, company))
    return Part("Welcome back", f"Welcome back. {body}", html)


def _week_plan(d: WeekPlanSection) -> Part:
    lines: list[str] = []
    rows: list[str] = []
    for i, pick in enumerate(d.picks):
        what, where = _PICKS.get(pick.category, ("One small step for your search", ""))
        when = f"{long_date(pick.on)}, {_TIMES[i % len(_TIMES)]}"
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
        para("Three small things for this week, at your own pace:")
        + '<table role="presentation" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;margin:0 0 12px 0;">'
        + "".join(rows)
        + "</table>"
        + para(f"And for you: {escape(relief)}")
    )
    return Part("Your week plan", text, html)


def _gap(d: GapSection) -> Part:
    idle = d.days_idle
    body = (
        f"It has been {idle} days since you last logged something. No pressure: one small "
        "step counts. Send one application, message one contact, or polish one line of your CV."
    )
    if d.final:
        body += " This is our last reminder for now; we will be here when you are ready."
    return Part("A small step", body, para(escape(body)))


def _follow_ups(chases: Sequence[FollowUpSection | NoResponseSection]) -> Part:
    lines: list[str] = []
    items: list[str] = []
    for d in chases:
        company = plain(d.company) or "An application"
        role = plain(d.role)
        applied = long_date(d.applied_on)
        head = f"{company}, {role}" if role else company
        head_html = f"<strong>{h(company)}</strong>" + (f", {h(role)}" if role else "")
        if isinstance(d, FollowUpSection):
            advice = "A short, friendly follow-up after a week is completely normal."
            name = plain(d.contact_name) or "there"
            body = (
                f"Hi {name},\n\nI applied for the {role or 'open'} role on {applied} and "
                "wanted to say I am still very interested. Is there anything else I can "
                "share?\n\nThank you,"
            )
            address = mailto(d.contact_email, f"Following up: {role or company}", body)
        else:
            advice = (
                "Still no answer after 30 days. If it feels right, mark it as no response "
                "and free up the headspace."
            )
            address = None
        lines.append(f"- {head} (applied {applied}): {advice}")
        extra = f" {anchor(address, 'Draft a follow-up')}" if address else ""
        items.append(
            f'<li style="margin:0 0 8px 0;">{head_html} (applied {escape(applied)}): '
            f"{escape(advice)}{extra}</li>"
        )
    text = "\n".join(lines)
    html = f'<ul style="margin:0 0 12px 0;padding-left:20px;">{"".join(items)}</ul>'
    return Part("Follow-ups", text, html)


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


def _digest(section: DigestSection) -> Part:
    d = section.figures
    if d is None:  # a future digest: figures are computed on its Monday
        note = f"Your weekly figures arrive on {long_date(section.week_of)}."
        return Part("Your week", note, para(escape(note)))
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
        facts.append(f"Your last comeback day: {long_date(d.last_comeback_on)}.")
    weeks = d.weeks
    text = "\n".join(facts) + "\n\nThe last 8 weeks (applications + activities):\n"
    text += _bars_text(weeks)
    html = "".join(para(escape(f)) for f in facts)
    html += para("The last 8 weeks (applications and activities):") + _bars_html(weeks)
    return Part("Your week", text, html)


def _congratulations(d: CongratulationsSection) -> Part:
    company = plain(d.company) or "your new employer"
    text = (
        f"Congratulations on accepting the offer from {company}! All those applications "
        "and comebacks led here. We will stay quiet now; if you ever start a new search, "
        "add an application and we will be there."
    )
    html = para(bold(text, company))
    return Part("Congratulations", text, html)


_Chase: TypeAlias = FollowUpSection | NoResponseSection


def sections(email: PlannedEmail, state: UserState) -> list[Part]:
    sections: list[Part] = []
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
