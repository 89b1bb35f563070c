"""Unsubscribe tokens: HMAC-signed per user, with an expiry (pure; no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bounceback.adapters.tokens import UnsubscribeTokens
from bounceback.ports import InvalidToken

pytestmark = pytest.mark.unit

NOW = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
tokens = UnsubscribeTokens(lambda: "s3cret-key")


def test_a_token_names_the_user_it_was_issued_for() -> None:
    assert tokens.verify(tokens.issue("alice", NOW), NOW) == "alice"


def test_user_ids_with_any_characters_round_trip() -> None:
    odd = "ü/+=.x y"
    assert tokens.verify(tokens.issue(odd, NOW), NOW) == odd


def test_a_token_is_url_safe() -> None:
    token = tokens.issue("8c1f2d3e-0000-4bbb-9ccc-123456789abc", NOW)
    assert all(c.isalnum() or c in "-_." for c in token)


def test_a_token_expires_after_its_lifetime() -> None:
    token = UnsubscribeTokens(lambda: "k", lifetime=timedelta(days=1)).issue("alice", NOW)
    checker = UnsubscribeTokens(lambda: "k")
    assert checker.verify(token, NOW + timedelta(hours=23)) == "alice"
    with pytest.raises(InvalidToken):
        checker.verify(token, NOW + timedelta(days=1, seconds=1))


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidToken):
        UnsubscribeTokens(lambda: "other").verify(tokens.issue("alice", NOW), NOW)


def test_swapping_in_another_users_id_breaks_the_signature() -> None:
    alice = tokens.issue("alice", NOW).split(".")
    bob = tokens.issue("bob", NOW).split(".")
    with pytest.raises(InvalidToken):
        tokens.verify(".".join([alice[0], alice[1], bob[2], alice[3], alice[4]]), NOW)


@pytest.mark.parametrize(
    "bad",
    ["", "v1", "v1.a.b.c", "v2.YWxpY2U.1.x", "v1.YWxpY2U.notdigits.x", "v1.@@@.123.xyz", "x" * 700],
)
def test_malformed_tokens_are_refused(bad: str) -> None:
    with pytest.raises(InvalidToken):
        tokens.verify(bad, NOW)


def test_every_truncation_is_refused() -> None:
    token = tokens.issue("alice", NOW)
    for length in range(len(token)):
        with pytest.raises(InvalidToken):
            tokens.verify(token[:length], NOW)
