"""Unsubscribe tokens name their key, so the signing secret can rotate: links already
mailed keep working through one rotation, and links of the older format (no key id)
keep working too."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from bounceback.adapters.tokens import UnsubscribeTokens, key_id
from bounceback.ports import InvalidToken
from bounceback_local.harness import ApiClient
from bounceback_local.template import Resolver

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
OLD, NEW, NEWER = "old-key-" + "a" * 56, "new-key-" + "b" * 56, "newer-key-" + "c" * 54


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def old_format(user: str, secret: str, expires: datetime) -> str:
    """A link as mailed before key ids: ``v1.<user>.<expiry>.<mac>``."""
    user_part, stamp = _b64(user.encode()), str(int(expires.timestamp()))
    message = f"unsubscribe\x00v1\x00{user_part}\x00{stamp}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"v1.{user_part}.{stamp}.{_b64(mac)}"


def keys(current: str, previous: str | None = None) -> UnsubscribeTokens:
    return UnsubscribeTokens(lambda: current, lambda: previous)


def test_a_new_token_names_its_key_without_revealing_it() -> None:
    token = keys(OLD).issue("alice", NOW)
    version, kid, *_ = token.split(".")
    assert version == "v2"
    assert kid == key_id(OLD)
    assert OLD not in token and kid not in OLD


def test_a_token_survives_one_rotation_but_not_two() -> None:
    token = keys(OLD).issue("alice", NOW)
    assert keys(NEW, previous=OLD).verify(token, NOW) == "alice"
    with pytest.raises(InvalidToken):
        keys(NEWER, previous=NEW).verify(token, NOW)


def test_the_key_id_cannot_be_swapped_for_the_current_one() -> None:
    version, _, user, expires, mac = keys(OLD).issue("alice", NOW).split(".")
    forged = ".".join([version, key_id(NEW), user, expires, mac])
    with pytest.raises(InvalidToken):
        keys(NEW, previous=OLD).verify(forged, NOW)


def test_an_unknown_key_id_is_refused() -> None:
    token = keys("someone-elses-key").issue("alice", NOW)
    with pytest.raises(InvalidToken):
        keys(NEW, previous=OLD).verify(token, NOW)


@pytest.mark.parametrize("signed_with", [OLD, NEW])
def test_links_of_the_old_format_keep_working(signed_with: str) -> None:
    token = old_format("alice", signed_with, NOW + timedelta(days=300))
    assert keys(NEW, previous=OLD).verify(token, NOW) == "alice"
    forged = token.replace(_b64(b"alice"), _b64(b"bob"))
    with pytest.raises(InvalidToken):
        keys(NEW, previous=OLD).verify(forged, NOW)


def test_a_link_mailed_before_a_rotation_of_the_real_secret_still_unsubscribes(
    api: ApiClient, aws: Resolver
) -> None:

    from bounceback import wiring
    from bounceback.adapters import tokens as token_module
    from bounceback.infra.settings import ApiSettings

    # Given a link mailed with the current version of the secret
    assert api.get("/me").status == 200
    mailed = wiring.unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)

    # When the secret rotates (a new AWSCURRENT; the old one becomes AWSPREVIOUS)
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    secrets.put_secret_value(SecretId=aws.refs["UnsubscribeSecret"], SecretString=NEW)
    token_module.forget_secrets()

    # Then the link still works, and new links are signed with the new key
    reply = api.post(
        "/unsubscribe",
        "List-Unsubscribe=One-Click",
        user=None,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        query={"token": mailed},
    )
    assert reply.status == 200, reply.text
    assert api.get("/me").json["unsubscribed"] is True
    fresh = wiring.unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    assert fresh.split(".")[1] == key_id(NEW)
