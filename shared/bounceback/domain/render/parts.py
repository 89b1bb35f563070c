"""Small helpers every section uses: the user's words on one line, dates, mailto links."""

from __future__ import annotations

import re
from datetime import date
from typing import Final
from urllib.parse import quote

__all__ = ["count", "day_label", "mailto", "plain", "week_label"]

_EMAIL_SHAPE: Final = re.compile(r"[^@\s]+@[^@\s]+")
# English names whatever the machine's locale is (strftime's %a and %b follow it).
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def plain(value: object, limit: int = 200) -> str:
    """User text on one line, without control characters, at most `limit` chars."""
    raw = "" if value is None else str(value)
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def day_label(day: date | None) -> str:
    """A local date as people read it anywhere: "Mon 1 Mar" (never "1/3")."""
    if day is None:
        return "soon"
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def week_label(day: date) -> str:
    """The first day of a week, as "3 Feb"."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def mailto(address: object, subject: str, body: str) -> str | None:
    """A mailto: link for a plausible address, every part percent-encoded."""
    if not isinstance(address, str) or not _EMAIL_SHAPE.fullmatch(address.strip()):
        return None
    return (
        "mailto:"
        + quote(address.strip(), safe="@")
        + "?subject="
        + quote(subject, safe="")
        + "&body="
        + quote(body, safe="")
    )
