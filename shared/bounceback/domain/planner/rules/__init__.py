"""The planner's rules, each one source, and the sequences the scheduler walks.

Adding a rule is adding one module here and one line below:

- an *immediate* rule (its own e-mail, keyed by an event, never capped) exports
  ``emails(ctx) -> list[PlannedEmail]`` and joins `IMMEDIATE`;
- a *scheduled* rule (a section of a day's e-mail, under breaks, pauses and the
  caps) exports ``items(ctx) -> list[Item]``, with an `Item` subclass whose
  ``nudge(ctx)`` builds its section, and joins `SCHEDULED`. Its kind goes into
  `NudgeKind` (which orders an e-mail's sections) and `domain/render/sections.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ..context import Context, Item
from ..contract import PlannedEmail
from . import (
    acknowledgement,
    comeback,
    congratulations,
    digest,
    follow_up,
    gap,
    interview_debrief,
    interview_prep,
)

__all__ = ["BEYOND_HORIZON", "IMMEDIATE", "SCHEDULED"]

IMMEDIATE: Final[tuple[Callable[[Context], list[PlannedEmail]], ...]] = (
    acknowledgement.emails,
    interview_prep.emails,
    congratulations.emails,
)
SCHEDULED: Final[tuple[Callable[[Context], list[Item]], ...]] = (
    comeback.items,
    interview_debrief.items,
    gap.items,
    follow_up.items,
    digest.items,
)
# Rules that may still have something to send beyond the horizon with nothing in it.
BEYOND_HORIZON: Final[tuple[Callable[[Context], bool], ...]] = (digest.beyond_horizon,)
