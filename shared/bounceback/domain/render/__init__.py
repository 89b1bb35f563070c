"""Turns one planned e-mail into its subject, plain-text and HTML parts.

The renderer only formats: what to say and when is the planner's job. Each section
kind has one small function in `sections.py` that answers a `Part` made of blocks
(`blocks.py`); `html.py` (a Jinja2 template with autoescape) and `text.py` write the
same blocks, so both parts carry the same words and links. Everything the user typed
is escaped in the HTML part and flattened to one line where it appears in a
header-like place; the HTML has no scripts and no images, and reads at 360 px
(phones) as well as at 600 px.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Profile, UserState
from ..planner import PlannedEmail
from .blocks import Email, Link
from .html import write_html
from .parts import plain
from .sections import parts_of, renders, subject_of
from .text import write_text

__all__ = ["RenderedEmail", "greeting", "render_email", "renders"]

FOOTER = "You get these e-mails because you keep your job search in Bounceback."


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """A ready-to-send e-mail body and the values for its headers."""

    subject: str
    text: str
    html: str
    kinds_header: str


def greeting(profile: Profile) -> str:
    """By name when the user gave one, otherwise a warm opening (never a bare "Hi,")."""
    name = plain(profile.name, limit=80)
    return f"Hi {name}," if name else "Hi there,"


def render_email(
    email: PlannedEmail, state: UserState, *, unsubscribe_url: str, app_url: str
) -> RenderedEmail:
    """Subject, text and HTML for `email`, sections in the planner's order."""
    content = Email(
        subject=subject_of(email),
        greeting=greeting(state.profile),
        parts=tuple(parts_of(email, state.profile, app_url)),
        footer=FOOTER,
        links=(
            Link("Log an application, an outcome or an activity", app_url),
            Link("Unsubscribe from these e-mails", unsubscribe_url),
        ),
    )
    return RenderedEmail(
        subject=content.subject,
        text=write_text(content),
        html=write_html(content),
        kinds_header=",".join(email.kinds),
    )
