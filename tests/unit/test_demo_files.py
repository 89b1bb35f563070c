"""`bounceback demo` leaves every e-mail behind as an .html and a .txt file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bounceback_local.demo import save

pytestmark = pytest.mark.unit


def test_each_email_is_written_as_html_and_text_named_by_order_and_kinds(tmp_path: Path) -> None:
    emails = [
        {"headers": {"X-Bounceback-Kinds": "acknowledgement"}, "html": "<p>a</p>", "text": "a"},
        {
            "headers": {"X-Bounceback-Kinds": "ask_feedback,week_plan"},
            "html": "<p>b</p>",
            "text": "b",
        },
        {"headers": {"X-Bounceback-Kinds": "../../etc"}, "html": "<p>c</p>", "text": "c"},
    ]
    written = save(emails, tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == [
        "01-acknowledgement.html",
        "01-acknowledgement.txt",
        "02-ask_feedback+week_plan.html",
        "02-ask_feedback+week_plan.txt",
        "03-etc.html",
        "03-etc.txt",
    ]
    assert all(p.parent == tmp_path / "out" for p in written)
    assert (tmp_path / "out" / "02-ask_feedback+week_plan.html").read_text() == "<p>b</p>"
    assert (tmp_path / "out" / "02-ask_feedback+week_plan.txt").read_text() == "b"
