"""Small pieces every e-mail part is built from: safe user text, dates, links, paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final
from urllib.parse import quote

__all__ = ["FONT", "Part", "anchor", "bold", "h", "long_date", "mailto", "para", "plain"]

_EMAIL_SHAPE: Final = re.compile(r"[^@\s]+@[^@\s]+")
FONT: Final = "font-family:Helvetica,Arial,sans-serif;color:#1f2933;"


@dataclass(frozen=True, slots=True)
class Part:
    """One titled section of an e-mail, in both parts."""

    title: str
    text: str
    html: str


def plain(value: object, limit: int = 200) -> str:
    """User text on one line, without control characters, at most `limit` chars."""
    raw = "" if value is None else str(value)
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def h(value: object) -> str:
    """User text for the HTML part: one line, escaped."""
    return escape(plain(value), quote=True)


def long_date(day: date | None) -> str:
    if day is None:
        return "soon"
    return f"{day:%A} {day.day} {day:%B}"


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


def anchor(href: str, label: str) -> str:
    return f'<a href="{escape(href, quote=True)}" style="color:#2f6f5e;">{escape(label)}</a>'


def bold(text: str, part: str) -> str:
    """`text` escaped, with the first occurrence of `part` (already in it) in bold."""
    escaped, target = escape(text), escape(part)
    if not target or target not in escaped:
        return escaped
    return escaped.replace(target, f"<strong>{target}</strong>", 1)


def para(text: str) -> str:
    return f'<p style="margin:0 0 12px 0;line-height:1.5;">{text}</p>'
