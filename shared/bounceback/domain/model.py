"""The records Bounceback keeps for a user, as plain immutable values.

These types are the domain's vocabulary (see docs/behaviour.md). They know nothing about
DynamoDB, HTTP or the clock: adapters build them from storage, the planner and
the records service work on them, and handlers turn them into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

from bounceback.domain.limits import NOTHING, Usage

Source = Literal["direct", "referral", "recruiter", "agency", "job_board", "other"]
Status = Literal[
    "applied",
    "screening",
    "interviewing",
    "offer",
    "accepted",
    "rejected",
    "withdrawn",
    "no_response",
]
EventType = Literal[
    "screening",
    "interview",
    "rejection",
    "offer",
    "accepted",
    "withdrawn",
    "follow_up_sent",
    "feedback_received",
    "no_response",
]
RejectionChannel = Literal[
    "recruiter_call", "direct_email", "automated_email", "agency", "no_response"
]
ActivityKind = Literal[
    "networking_event",
    "contacts_reviewed",
    "resume_updated",
    "industry_news",
    "interview_practice",
    "exercise",
    "other",
]
# Listed in section order (docs/behaviour.md, "Scheduling and caps"): the planner
# orders an e-mail's sections by it.
NudgeKind = Literal[
    "acknowledgement",
    "interview_prep",
    "comeback",
    "ask_feedback",
    "replay",
    "week_plan",
    "interview_debrief",
    "gap",
    "follow_up",
    "no_response_check",
    "digest",
    "congratulations",
]
# State of one e-mail claim (docs/behaviour.md, "Sent history"): claimed before SES,
# sent after the message id is recorded, unknown when the sender died in between.
SendState = Literal["claimed", "sent", "unknown"]

SOURCES: tuple[str, ...] = get_args(Source)
STATUSES: tuple[str, ...] = get_args(Status)
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
REJECTION_CHANNELS: tuple[str, ...] = get_args(RejectionChannel)
ACTIVITY_KINDS: tuple[str, ...] = get_args(ActivityKind)

# Rejections delivered by a person: only these earn an `ask_feedback` section.
PERSONAL_CHANNELS: frozenset[str] = frozenset({"recruiter_call", "direct_email"})
# Statuses of an application that is over: no interview nudges for it.
CLOSED_STATUSES: frozenset[str] = frozenset({"accepted", "rejected", "withdrawn", "no_response"})
# Events that come from the employer's side (the response rate counts these).
EMPLOYER_EVENTS: frozenset[str] = frozenset(
    {"screening", "interview", "rejection", "offer", "accepted"}
)


@dataclass(frozen=True, slots=True)
class Profile:
    """A user's profile and nudge preferences (docs/behaviour.md, "Your settings")."""

    user_id: str
    email: str
    timezone: str = "UTC"
    send_hour: int = 9
    break_days: int = 2
    gap_days: int = 3
    digest_enabled: bool = True
    paused_until: date | None = None
    unsubscribed: bool = False
    suppressed: bool = False
    created_at: datetime | None = None
    # False while `timezone` is the default nobody chose: the web app then offers the
    # browser's zone. Setting any zone (UTC too) makes it True.
    timezone_chosen: bool = False
    name: str | None = None  # what the e-mails call the user, if they said
    # How many records the user stores, against the ceilings of `domain.limits`.
    usage: Usage = NOTHING


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to one application.

    `occurred_at` is when it happened (it dates the search activity);
    `recorded_at` is when the user told us (it times the acknowledgement).
    `scheduled_for` is an `interview` event's start, when the user scheduled one.
    `imported_at` is set when the event came in through an import: it is history,
    never acknowledged or congratulated (see `known_at`).
    """

    id: str
    type: EventType
    occurred_at: datetime
    recorded_at: datetime
    channel: RejectionChannel | None = None
    note: str | None = None
    scheduled_for: datetime | None = None
    imported_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """One job application and its history of events, oldest first."""

    id: str
    company: str
    role: str
    applied_on: date
    status: Status = "applied"
    source: Source = "other"
    url: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    notes: str | None = None
    events: tuple[Event, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    imported_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """Search work that is not one application (networking, CV, practice…)."""

    id: str
    kind: ActivityKind
    date: date
    note: str | None = None
    created_at: datetime | None = None
    imported_at: datetime | None = None


def known_at(record: Event | Application | Activity) -> datetime | None:
    """When Bounceback learnt of `record`: its import, else when it was recorded.

    An export carried to another deployment keeps its original recording times; the
    rules that ask "did we know of this yet?" read this moment instead.
    """
    if record.imported_at is not None:
        return record.imported_at
    if isinstance(record, Event):
        return record.recorded_at
    return record.created_at


@dataclass(frozen=True, slots=True)
class SentEmail:
    """One e-mail claim, as the sender records it.

    `claim_key` is the idempotency unit: ``day:<local date>`` for a scheduled
    e-mail, ``event:<event id>`` for an acknowledgement or congratulations.
    `nudge_keys` names every nudge the e-mail carried, so the planner never
    plans the same nudge twice; `kinds` are the section kinds in order.
    """

    claim_key: str
    local_date: date
    kinds: tuple[str, ...]
    nudge_keys: tuple[str, ...]
    state: SendState
    claimed_at: datetime
    sent_at: datetime | None = None
    message_id: str | None = None
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class UserState:
    """Everything the planner needs to know about one user."""

    profile: Profile
    applications: tuple[Application, ...] = ()
    activities: tuple[Activity, ...] = ()
    sent: tuple[SentEmail, ...] = field(default=())
