"""The sender's headers: a From with a display name, and List-Unsubscribe with the
one-click https link and, when configured, a mailto."""

from __future__ import annotations

from email import message_from_string
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest

from bounceback.adapters.ses import from_header
from bounceback.usecases.delivery import list_unsubscribe

pytestmark = pytest.mark.unit

LINK = "https://bounceback.example/unsubscribe?token=v1.abc.def"


def test_from_has_the_display_name() -> None:
    assert from_header("nudges@bounceback.example", "Bounceback") == (
        "Bounceback <nudges@bounceback.example>"
    )


def test_a_display_name_that_needs_quoting_or_encoding_stays_one_valid_header() -> None:
    value = from_header("nudges@b.example", "Bounce, back\r\nBcc: victim@example.com")
    assert "\r" not in value and "\n" not in value
    assert parseaddr(value) == ("Bounce, back Bcc: victim@example.com", "nudges@b.example")
    encoded = from_header("nudges@b.example", "Bounceback Zoë")
    assert encoded.isascii()
    parsed = message_from_string(f"From: {encoded}\n\n")
    assert str(make_header(decode_header(parsed["From"]))) == "Bounceback Zoë <nudges@b.example>"


def test_an_empty_display_name_leaves_the_bare_address() -> None:
    assert from_header("nudges@b.example", "  ") == "nudges@b.example"


def test_list_unsubscribe_is_the_https_link_alone_without_a_mailto() -> None:
    assert list_unsubscribe(LINK, None, "v1.abc.def") == f"<{LINK}>"


def test_list_unsubscribe_offers_a_mailto_naming_the_token_after_the_link() -> None:
    value = list_unsubscribe(LINK, "unsubscribe@bounceback.example", "v1.abc.def")
    first, second = value.split(", ")
    assert first == f"<{LINK}>"  # one-click clients take the https one
    assert second == "<mailto:unsubscribe@bounceback.example?subject=unsubscribe%20v1.abc.def>"
