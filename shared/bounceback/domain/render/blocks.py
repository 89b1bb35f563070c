"""What an e-mail says, as a few kinds of block that both parts are written from.

A section renderer (`sections.py`) answers one `Part`: a title and blocks. The HTML
writer (`html.py`, a Jinja2 template) and the text writer (`text.py`) each know how
to write every kind of block, so the two parts always carry the same words and the
same links: nothing is written for one part only.

Every string here is plain text, exactly as the reader should see it; the HTML
writer escapes it (Jinja2's autoescape), the text writer does not need to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeAlias

__all__ = [
    "Bar",
    "Bars",
    "Block",
    "Buttons",
    "Draft",
    "Email",
    "Heading",
    "Link",
    "Para",
    "Part",
    "Plan",
    "PlanRow",
]


@dataclass(frozen=True, slots=True)
class Link:
    """A link: a button in HTML, a "label: url" line in text."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph. `strong` names parts of `text` (the user's own words, usually)
    to set in bold, first occurrence each."""

    text: str
    strong: tuple[str, ...] = ()
    kind: ClassVar[str] = "para"


@dataclass(frozen=True, slots=True)
class Heading:
    """A small heading inside a section (one application of several)."""

    text: str
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True, slots=True)
class Draft:
    """A ready-to-send message the reader may copy, with its addressee when known and
    a `mailto:` link that opens it in the reader's mail app."""

    to: str | None
    subject: str
    body: str
    link: Link | None
    kind: ClassVar[str] = "draft"


@dataclass(frozen=True, slots=True)
class PlanRow:
    what: str
    when: str
    where: str


@dataclass(frozen=True, slots=True)
class Plan:
    """A short list of things to do, each with a when and a where."""

    rows: tuple[PlanRow, ...]
    kind: ClassVar[str] = "plan"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the week, as "3 Feb"
    week_of: date
    count: int


@dataclass(frozen=True, slots=True)
class Bars:
    """The digest's picture: one horizontal bar per week, labelled, with its figure."""

    caption: str
    bars: tuple[Bar, ...]
    kind: ClassVar[str] = "bars"

    @property
    def top(self) -> int:
        return max([bar.count for bar in self.bars] + [1])


@dataclass(frozen=True, slots=True)
class Buttons:
    """Links the reader acts on: action links, or a draft's "open in your mail app"."""

    links: tuple[Link, ...]
    kind: ClassVar[str] = "buttons"


Block: TypeAlias = Para | Heading | Draft | Plan | Bars | Buttons


@dataclass(frozen=True, slots=True)
class Part:
    """One titled section of an e-mail. Adjacent parts with the same title are shown as
    one section (several follow-ups due the same day share one)."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Email:
    """Everything both parts show, in order: headline (the subject), greeting, parts,
    and the footer's words and links."""

    subject: str
    greeting: str
    parts: tuple[Part, ...]
    footer: str
    links: tuple[Link, ...]
