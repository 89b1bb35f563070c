"""Long lists in one e-mail: name the first few, count the rest.

Follow-ups, no-response checks and interview debriefs come one section per
application or interview, so one e-mail could hold thousands (an import of an old
search makes them all due at once). Each of these kinds names at most `LIST_CAP`
per e-mail, those waiting longest first, and one `MoreSection` counts the rest.

What is counted is handled, not reminded: the e-mail's sent record holds the named
sections' keys and one key for the count (``more:<kind>:<date>``), and the rules
skip every section of that kind whose natural day is on or before that date. Such a
section is not e-mailed again; the web app lists it. See docs/behaviour.md,
"Long lists".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Final

from ..model import NudgeKind
from .context import Context, Item
from .contract import Nudge
from .sections import MoreSection

__all__ = ["LIST_CAP", "LIST_KINDS", "cap", "counted", "counted_through", "more_key"]

# At most this many sections of one list kind per e-mail: a phone screen or two.
LIST_CAP: Final = 5
LIST_KINDS: Final[frozenset[NudgeKind]] = frozenset(
    {"interview_debrief", "follow_up", "no_response_check"}
)
_PREFIX: Final = "more:"
_WHAT: Final[dict[str, str]] = {
    "follow_up": "applications where a follow-up could help",
    "no_response_check": "applications with no answer in 30 days",
    "interview_debrief": "interviews to note down",
}


def more_key(kind: str, through: date) -> str:
    """The nudge key of a count of `kind` sections due on or before `through`."""
    return f"{_PREFIX}{kind}:{through.isoformat()}"


def counted_through(done: Iterable[str], kind: str) -> int | None:
    """The latest day (an ordinal) through which a sent e-mail counted `kind`'s sections
    instead of naming them all; None when none did."""
    prefix = f"{_PREFIX}{kind}:"
    latest: int | None = None
    for key in done:
        if not key.startswith(prefix):
            continue
        try:
            day = date.fromisoformat(key.removeprefix(prefix)).toordinal()
        except ValueError:
            continue
        if latest is None or day > latest:
            latest = day
    return latest


def counted(day: date, through: int | None) -> bool:
    """Whether an e-mail already counted a section of natural day `day` in its "and N
    more" line (`through` from `counted_through`)."""
    return through is not None and day.toordinal() <= through


@dataclass(slots=True, kw_only=True, eq=False)
class _More(Item):
    rest: tuple[Item, ...]

    def nudge(self, ctx: Context) -> Nudge:
        ids = tuple(dict.fromkeys(app_id for item in self.rest for app_id in item.concerns()))
        what = _WHAT.get(self.kind, "sections")
        reason = (
            f"{len(self.rest):,} more {what}, counted in this e-mail but not named: "
            "they are listed in Bounceback."
        )
        day = date.fromordinal(self.day)
        section = MoreSection(self.kind, len(self.rest))
        return Nudge(self.kind, self.key, day, self.due_at, ids, reason, section)


def _relevance(item: Item) -> tuple[int, int, str]:
    return (item.waiting_since(), item.day, item.key)


def cap(items: list[Item]) -> list[Item]:
    """One e-mail's items, in section order, with each list kind cut to the `LIST_CAP`
    waiting longest (earliest first) and followed by one item counting the rest.

    The count's key names the latest natural day among that kind's items here: the
    e-mail holds every pending item of that kind due by then (the scheduler takes them
    in day order), so the rules can tell the counted ones from any due later.
    """
    out: list[Item] = []
    for kind, run in groupby(items, key=lambda item: item.kind):
        group = list(run)
        if kind not in LIST_KINDS or len(group) <= LIST_CAP:
            out.extend(sorted(group, key=_relevance) if kind in LIST_KINDS else group)
            continue
        group.sort(key=_relevance)
        out.extend(group[:LIST_CAP])
        rest = tuple(group[LIST_CAP:])
        through = max(item.day for item in group)
        out.append(
            _More(
                day=through,
                kind=kind,
                key=more_key(kind, date.fromordinal(through)),
                due_at=max(item.due_at for item in group),
                rest=rest,
            )
        )
    return out
