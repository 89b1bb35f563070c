"""The plain-text part: the same blocks as the HTML part, written as text.

Links are written as "label: url" lines, drafts indented under their addressee and
subject, the digest's picture as a row of # per week.
"""

from __future__ import annotations

from .blocks import Bars, Block, Buttons, Draft, Email, Heading, Link, Para, Plan

__all__ = ["write_text"]


def _link(link: Link) -> str:
    return f"{link.label}: {link.url}"


def _bars(b: Bars) -> list[str]:
    width = max(len(bar.label) for bar in b.bars) if b.bars else 0
    lines = [b.caption]
    for bar in b.bars:
        marks = "#" * round(20 * bar.count / b.top)
        lines.append(f"  {bar.label:<{width}}  {marks + ' ' if marks else ''}{bar.count}")
    return lines


def _block(b: Block) -> list[str]:
    match b:
        case Para():
            return [b.text]
        case Heading():
            return [b.text, "-" * min(len(b.text), 60)]
        case Draft():
            lines = [f"  To: {b.to}"] if b.to else []
            lines.append(f"  Subject: {b.subject}")
            lines.append("")
            lines += [f"  {line}".rstrip() for line in b.body.split("\n")]
            if b.link:
                lines += ["", _link(b.link)]
            return lines
        case Plan():
            return [
                f"- {row.what}. When: {row.when}." + (f" Where: {row.where}." if row.where else "")
                for row in b.rows
            ]
        case Bars():
            return _bars(b)
        case Buttons():
            return [_link(link) for link in b.links]


def write_text(email: Email) -> str:
    subject = email.subject
    out = [subject, "=" * min(len(subject), 60), "", email.greeting, ""]
    for part in email.parts:
        out += [part.title.upper(), ""]
        for b in part.blocks:
            out += [*_block(b), ""]
    out += ["--", email.footer, *(_link(link) for link in email.links)]
    return "\n".join(out) + "\n"
