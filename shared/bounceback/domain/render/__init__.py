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

from dataclasses import dataclass
from html import escape
from typing import Final

from ..model import UserState
from ..planner import PlannedEmail
from .parts import FONT, anchor, para, plain
from .sections import sections as _sections

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


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """A ready-to-send e-mail body and the values for its headers."""

    subject: str
    text: str
    html: str
    kinds_header: str


def _subject(email: PlannedEmail) -> str:
    if not email.nudges:
        return "News from Bounceback"
    first = email.nudges[0]
    template = _SUBJECTS.get(first.kind, "News from Bounceback")
    named = getattr(first.section, "company", None)
    company = plain(named, limit=60) or "today"
    return plain(template.format(company=company), limit=120)


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
        f'<body style="margin:0;padding:0;background:#f5f7f6;{FONT}">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f5f7f6;"><tr><td align="center" style="padding:24px 12px;">'
        '<table role="presentation" width="560" cellpadding="0" cellspacing="0" '
        f'style="max-width:560px;background:#ffffff;border-radius:8px;{FONT}">'
        '<tr><td style="padding:24px 28px;font-size:15px;">'
        + para("Hi,")
        + body
        + '<p style="margin:24px 0 0 0;font-size:12px;color:#7b8794;line-height:1.6;">'
        + anchor(app_url, "Open Bounceback")
        + " · "
        + anchor(unsubscribe_url, "Unsubscribe")
        + "</p></td></tr></table></td></tr></table></body></html>"
    )
    return RenderedEmail(
        subject=subject,
        text="\n".join(text_parts) + "\n",
        html=html,
        kinds_header=",".join(email.kinds),
    )
