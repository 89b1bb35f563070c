"""The nudge planner: one pure function of (user state, now).

`plan(state, now)` answers which e-mails must go out now (`Plan.due`) and which
will go out later if nothing changes (`Plan.upcoming`, 35 local days ahead);
`next_wake_at(state, now)` is the earliest moment anything could become due.
Nothing here reads the clock or touches AWS. The rules, and every decision taken
where they were silent, are described in docs/behaviour.md.

Parts: `history` (facts about the user's history), `rules/` (one source per
rule), `content` (what an e-mail says, as facts), `sections` (the typed hand-off
to the renderer), `schedule` (caps, deferral, combining), `lists` (long lists named
in part, the rest counted).
"""

from __future__ import annotations

from .context import HORIZON_DAYS
from .contract import Nudge, Plan, PlannedEmail
from .history import Break, break_on, find_breaks, last_activity_date, weekly_activity
from .lists import LIST_CAP, LIST_KINDS
from .schedule import SECTION_ORDER, next_wake_at, plan
from .sections import (
    AcknowledgementSection,
    ActionLink,
    AskFeedbackSection,
    CongratulationsSection,
    DigestFigures,
    DigestSection,
    FollowUpSection,
    GapSection,
    InterviewDebriefSection,
    InterviewPrepSection,
    MoreSection,
    NoResponseSection,
    ReplaySection,
    Section,
    WeekBar,
    WeekCount,
    WeekPick,
    WeekPlanSection,
)
from .window import ACTIVITY_WINDOW_DAYS, activity_cutoff, planning_view

__all__ = [
    "ACTIVITY_WINDOW_DAYS",
    "HORIZON_DAYS",
    "LIST_CAP",
    "LIST_KINDS",
    "SECTION_ORDER",
    "AcknowledgementSection",
    "ActionLink",
    "AskFeedbackSection",
    "Break",
    "CongratulationsSection",
    "DigestFigures",
    "DigestSection",
    "FollowUpSection",
    "GapSection",
    "InterviewDebriefSection",
    "InterviewPrepSection",
    "MoreSection",
    "NoResponseSection",
    "Nudge",
    "Plan",
    "PlannedEmail",
    "ReplaySection",
    "Section",
    "WeekBar",
    "WeekCount",
    "WeekPick",
    "WeekPlanSection",
    "activity_cutoff",
    "break_on",
    "find_breaks",
    "last_activity_date",
    "next_wake_at",
    "plan",
    "planning_view",
    "weekly_activity",
]
