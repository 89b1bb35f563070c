"""What the planner hands the renderer: one small frozen value per section kind.

Each nudge carries exactly one of these. They hold facts, never wording: the
renderer (`domain/render/sections.py`) decides what to say. Dates are `date` values and
the user's own words (company, role, contact) are passed through untouched; the
renderer escapes and flattens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from ..model import NudgeKind, RejectionChannel

# What a quiet spell is counted from: the last search activity, a break's comeback
# day, or the first day after a pause.
GapAnchor = Literal["activity", "comeback", "pause"]

__all__ = [
    "AcknowledgementSection",
    "ActionLink",
    "AskFeedbackSection",
    "CongratulationsSection",
    "DigestFigures",
    "DigestSection",
    "FollowUpSection",
    "GapAnchor",
    "GapSection",
    "InterviewDebriefSection",
    "InterviewPrepSection",
    "MoreSection",
    "NoResponseSection",
    "ReplaySection",
    "Section",
    "WeekBar",
    "WeekCount",
    "WeekPick",
    "WeekPlanSection",
]


@dataclass(frozen=True, slots=True)
class ActionLink:
    """One thing the reader can record straight from the e-mail, without signing in.

    `action` names what the link records (for example ``followed_up``), `label` is the
    button's words and `url` the signed link. The planner decides which actions a
    section offers; the renderer shows each as a button in HTML and as a
    "label: url" line in the text part.
    """

    action: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class AcknowledgementSection:
    """A rejection was just recorded: be kind, and name the comeback day."""

    application_id: str
    company: str
    role: str
    channel: RejectionChannel | None
    comeback_on: date
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class AskFeedbackSection:
    """Comeback after a rejection delivered by a person: offer a feedback draft."""

    application_id: str
    company: str
    role: str
    channel: RejectionChannel | None
    break_start: date
    comeback_on: date
    contact_name: str | None
    contact_email: str | None
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplaySection:
    """Comeback otherwise: replay the interview, or compare the posting with the CV."""

    application_id: str
    company: str
    role: str
    channel: RejectionChannel | None
    break_start: date
    comeback_on: date
    interview_happened: bool
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class WeekPick:
    """One of the week plan's three activities, and the day it is suggested for."""

    category: str
    on: date
    last_logged_on: date | None


@dataclass(frozen=True, slots=True)
class WeekPlanSection:
    """Three small activities for the week after a break, plus a stress reliever."""

    picks: tuple[WeekPick, ...]
    stress_relief: str  # "exercise", or "other" when exercise was logged lately
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class GapSection:
    """The user has been quiet: one step of the gap guard.

    The quiet spell is counted from `anchor`: the last search activity, or the
    comeback day of a break (or the day after a pause) when that came later, as
    `since_kind` says. A break Bounceback asked for is never counted as a quiet spell.
    `suggestion` is one category the user has not logged lately; the steps of one
    quiet spell suggest different ones while there are several to choose from.
    """

    anchor: date
    step: int  # 1 … 4
    days_idle: int  # local days from `anchor` to the nudge's day
    since_kind: GapAnchor
    last_activity_on: date
    suggestion: WeekPick
    final: bool
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUpSection:
    """An application with no answer after a week: a follow-up could help."""

    application_id: str
    company: str
    role: str
    applied_on: date
    contact_name: str | None
    contact_email: str | None
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class NoResponseSection:
    """An application with no answer after 30 days: maybe mark it as no response."""

    application_id: str
    company: str
    role: str
    applied_on: date
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Applications and other logged activities in one week."""

    applications: int
    activities: int


@dataclass(frozen=True, slots=True)
class WeekBar:
    """One bar of the digest's 8-week picture."""

    week_of: date
    count: int


@dataclass(frozen=True, slots=True)
class DigestFigures:
    """The digest's figures, computed once the digest can be due."""

    past_week: WeekCount
    week_before: WeekCount
    days_since_last_activity: int | None
    open_follow_ups: int
    last_comeback_on: date | None
    weeks: tuple[WeekBar, ...]


@dataclass(frozen=True, slots=True)
class DigestSection:
    """The weekly digest; a later Monday in `upcoming` only names its week."""

    week_of: date
    figures: DigestFigures | None
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class InterviewPrepSection:
    """An interview is coming up: what to re-read, stories, questions, logistics.

    `starts_at` is the interview's start in the user's zone; `logistics` is the
    interview event's note, `notes` the application's.
    """

    application_id: str
    company: str
    role: str
    starts_at: datetime
    logistics: str | None
    url: str | None
    notes: str | None
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class InterviewDebriefSection:
    """The day after an interview: three notes, a thank-you, the outcome."""

    application_id: str
    company: str
    role: str
    starts_at: datetime
    contact_name: str | None
    contact_email: str | None
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class CongratulationsSection:
    """An offer was accepted."""

    application_id: str
    company: str
    role: str
    actions: tuple[ActionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class MoreSection:
    """The end of a list that names only its first few: how many more there are.

    Sections that come one per application or interview (follow-ups, no-response
    checks, debriefs) name at most a few per e-mail (`planner/lists.py`); this one,
    right after them, counts the rest of that `kind`, which the reader finds in the
    web app.
    """

    kind: NudgeKind
    count: int
    actions: tuple[ActionLink, ...] = ()


Section = (
    AcknowledgementSection
    | InterviewPrepSection
    | InterviewDebriefSection
    | AskFeedbackSection
    | ReplaySection
    | WeekPlanSection
    | GapSection
    | FollowUpSection
    | NoResponseSection
    | DigestSection
    | CongratulationsSection
    | MoreSection
)
