"""The HTML part: the blocks written by one Jinja2 template, with autoescape on.

The template (`templates/email.html`) is compiled on first use, not at import, so a
function that never sends pays nothing for it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup, escape

from .blocks import Email

__all__ = ["write_html"]

_TEMPLATES = Path(__file__).with_name("templates")


def _emphasise(text: str, strong: tuple[str, ...]) -> Markup:
    """`text` escaped, with the first occurrence of each of `strong` in bold."""
    html = str(escape(text))
    for part in strong:
        target = str(escape(part))
        if target and target in html:
            html = html.replace(target, f"<strong>{target}</strong>", 1)
    return Markup(html)  # noqa: S704 - built only from escaped pieces above


def _lines(text: str) -> Markup:
    """`text` escaped, its line breaks kept as <br>."""
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


@cache
def _template() -> Template:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["emphasise"] = _emphasise
    env.filters["lines"] = _lines
    return env.get_template("email.html")


def write_html(email: Email) -> str:
    return _template().render(email=email)
