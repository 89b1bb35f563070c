"""Per-account ceilings: how much one user may store (docs/behaviour.md, "Limits").

One account must not be able to make the service do unbounded work: every plan,
`GET /nudges` and export reads the user's records, so their number is bounded. The
counts live on the profile and move in the same transaction as each write.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Usage:
    """How many records of each kind a user stores (or a write adds)."""

    applications: int = 0
    events: int = 0
    activities: int = 0


NOTHING = Usage()
CEILINGS = Usage(applications=5_000, events=50_000, activities=50_000)


def over_ceiling(stored: Usage, adding: Usage, ceilings: Usage = CEILINGS) -> str | None:
    """A plain message naming the first ceiling `adding` would pass, or None if it fits."""
    for kind in ("applications", "events", "activities"):
        more = getattr(adding, kind)
        if more > 0 and getattr(stored, kind) + more > getattr(ceilings, kind):
            limit = getattr(ceilings, kind)
            return (
                f"an account holds at most {limit:,} {kind}; you have "
                f"{getattr(stored, kind):,}. Delete some before adding more"
            )
    return None
