"""Acting from an e-mail: which actions a section offers, what each records, in words.

Pure rules (no secrets, no clock): the sender asks `offers` which links to sign for a
planned e-mail, and the `/act` pages ask `choices_for` and `question` what to show.
What each action records is in docs/behaviour.md ("Actions from e-mail").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from .model import ACTIVITY_KINDS, REJECTION_CHANNELS

__all__ = [
    "ACTIONS",
    "APPLICATION_ACTIONS",
    "MAX_PER_SECTION",
    "Action",
    "Choice",
    "Offer",
    "choices_for",
    "done_text",
    "offers",
    "question",
]

Action = Literal[
    "followed_up",
    "rejected",
    "no_response",
    "feedback_received",
    "log_activity",
    "outcome",
    "pause_week",
]
ACTIONS: Final[tuple[str, ...]] = get_args(Action)
# Actions about one application: their tokens name it.
APPLICATION_ACTIONS: Final[frozenset[str]] = frozenset(
    {"followed_up", "rejected", "no_response", "feedback_received", "outcome"}
)
# An e-mail is not a control panel.
MAX_PER_SECTION: Final = 3

# Which actions each section kind offers, in the order they are shown.
_BY_KIND: Final[dict[str, tuple[Action, ...]]] = {
    "follow_up": ("followed_up", "rejected"),
    "no_response_check": ("no_response", "followed_up"),
    "ask_feedback": ("feedback_received",),
    "week_plan": ("log_activity",),
    "gap": ("log_activity",),
    "interview_debrief": ("outcome",),
}


@dataclass(frozen=True, slots=True)
class Offer:
    """One action link a section offers: what to sign, and the button's words."""

    action: Action
    application_id: str | None
    label: str


def _label(action: Action, company: str) -> str:
    at = f" {company}" if company else ""
    return {
        "followed_up": f"I followed up{' with' + at if at else ''}",
        "rejected": f"{company or 'They'} said no",
        "no_response": "Mark as no response",
        "feedback_received": "I got feedback",
        "log_activity": "Log what I did",
        "outcome": "How did it go?",
        "pause_week": "Pause e-mails for a week",
    }[action]


def offers(kind: str, section: object, *, last_of_scheduled: bool) -> tuple[Offer, ...]:
    """The action links a section of kind `kind` offers (at most `MAX_PER_SECTION`).

    `last_of_scheduled` is true for the last section of a day's scheduled e-mail: it
    also carries `pause_week`, so every scheduled e-mail offers a pause exactly once.
    """
    app_id = getattr(section, "application_id", None)
    company = " ".join(str(getattr(section, "company", "") or "").split())[:60]
    found: list[Offer] = []
    for action in _BY_KIND.get(kind, ()):
        if action in APPLICATION_ACTIONS and not isinstance(app_id, str):
            continue
        owner = app_id if action in APPLICATION_ACTIONS else None
        found.append(Offer(action, owner, _label(action, company)))
    if last_of_scheduled:
        found.append(Offer("pause_week", None, _label("pause_week", company)))
    return tuple(found[:MAX_PER_SECTION])


# ------------------------------------------------------------------ the pages


@dataclass(frozen=True, slots=True)
class Choice:
    """One radio button of an action page: the posted value and its words."""

    value: str
    label: str


_CHANNEL_WORDS: Final[dict[str, str]] = {
    "automated_email": "An automated e-mail",
    "recruiter_call": "A call from a recruiter or the hiring team",
    "direct_email": "A personal e-mail from someone there",
    "agency": "Through an agency",
    "no_response": "They never answered",
}
_KIND_WORDS: Final[dict[str, str]] = {
    "networking_event": "Went to a networking event",
    "contacts_reviewed": "Went through my contacts",
    "resume_updated": "Worked on my CV",
    "industry_news": "Caught up on industry news",
    "interview_practice": "Practised for interviews",
    "exercise": "Exercised",
    "other": "Something else for the search",
}


def _words(table: dict[str, str], value: str) -> str:
    return table.get(value, value.replace("_", " ").capitalize())


def choices_for(action: str) -> tuple[Choice, ...]:
    """The values `choice` may take for `action`; empty when it takes none."""
    if action == "rejected":
        return tuple(Choice(c, _words(_CHANNEL_WORDS, c)) for c in REJECTION_CHANNELS)
    if action == "log_activity":
        return tuple(Choice(k, _words(_KIND_WORDS, k)) for k in ACTIVITY_KINDS)
    if action == "outcome":
        return (
            Choice("offer", "They made me an offer"),
            Choice("interview", "They invited me to another round"),
            *(
                Choice(c, "They said no: " + _words(_CHANNEL_WORDS, c).lower())
                for c in REJECTION_CHANNELS
            ),
            Choice("nothing", "Nothing yet"),
        )
    return ()


# Why the rejection page asks how the no came.
CHANNEL_WHY: Final = (
    "How the no came decides what we suggest after your break: a person can often be "
    "asked for a few words of feedback."
)


def question(action: str, company: str | None, role: str | None) -> str:
    """The page's plain-words question, e.g. "Record that you followed up with …?"."""
    about = _about(company, role)
    return {
        "followed_up": f"Record that you followed up{' with' if about else ''}{about}?",
        "rejected": f"Record a no{' from' if about else ''}{about}?",
        "no_response": f"Record that you heard nothing back{' from' if about else ''}{about}?",
        "feedback_received": f"Record that you got feedback{' from' if about else ''}{about}?",
        "log_activity": "Record something you did for your search today?",
        "outcome": f"How did it go{' with' if about else ''}{about}?",
        "pause_week": "Pause Bounceback's e-mails for a week?",
    }.get(action, "Record this?")


def done_text(action: str, choice: str | None, company: str | None, role: str | None) -> str:
    """What the answer page says was recorded."""
    about = _about(company, role)
    if action == "followed_up":
        return f"Recorded: you followed up{' with' if about else ''}{about}."
    if action == "no_response":
        return f"Recorded: no response{' from' if about else ''}{about}."
    if action == "feedback_received":
        return f"Recorded: feedback received{' from' if about else ''}{about}."
    if action == "log_activity":
        return f"Recorded: {_words(_KIND_WORDS, choice or 'other').lower()}, today. Well done."
    if action == "rejected" or (action == "outcome" and choice in REJECTION_CHANNELS):
        return (
            f"Recorded: a no{' from' if about else ''}{about}. Take your break; "
            "we will check in when it is over."
        )
    if action == "outcome" and choice == "offer":
        return f"Recorded: an offer{' from' if about else ''}{about}. Congratulations!"
    if action == "outcome" and choice == "interview":
        return f"Recorded: another interview{' with' if about else ''}{about}. Good luck!"
    return "Recorded."


def _about(company: str | None, role: str | None) -> str:
    company = " ".join((company or "").split())
    role = " ".join((role or "").split())
    if company and role:
        return f" {company} about {role}"
    return f" {company}" if company else ""
