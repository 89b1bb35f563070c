"""Signed unsubscribe tokens: HMAC-SHA256 over the user id and an expiry, with a key id.

Format: ``v2.<key id>.<user id, base64url>.<expiry, unix seconds>.<mac, base64url>``.
The key id is a short fingerprint of the signing key (not the key), so a token names
the key that signed it. The keys are the secret's current version and, during a
rotation, its previous one (Secrets Manager's AWSCURRENT and AWSPREVIOUS stages,
read through Powertools parameters and cached per container): a link mailed before a
rotation keeps working until the next one. Tokens of the older format
``v1.<user>.<expiry>.<mac>`` (no key id, already in mailboxes) are still accepted
under either key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from bounceback.ports import InvalidToken

# Every e-mail carries a fresh token; a year covers an old e-mail found in the archive.
TOKEN_LIFETIME = timedelta(days=365)
_VERSION = "v2"
_OLD_VERSION = "v1"
_MAX_LENGTH = 600


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def key_id(secret: str) -> str:
    """A short, public fingerprint of a signing key (12 hex digits of SHA-256)."""
    return hashlib.sha256(b"bounceback-key-id\x00" + secret.encode()).hexdigest()[:12]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else bytes(value).decode()


def read_secret(secret_id: str, max_age: int = 300) -> str:
    """The secret's current value through Powertools parameters (cached `max_age` s)."""
    from aws_lambda_powertools.utilities import parameters

    return _text(parameters.get_secret(secret_id, max_age=max_age))


@cache
def _previous_versions() -> Any:
    # A provider of its own: Powertools' cache key is the name alone, so reading the
    # AWSPREVIOUS stage through the default provider would overwrite the current value.
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider()


def read_previous_secret(secret_id: str, max_age: int = 300) -> str | None:
    """The secret's AWSPREVIOUS version, or None before its first rotation."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        return _text(
            _previous_versions().get(secret_id, max_age=max_age, VersionStage="AWSPREVIOUS")
        )
    except GetParameterError:
        return None


class UnsubscribeTokens:
    """Issues and checks the per-user tokens of unsubscribe links."""

    def __init__(
        self,
        secret: Callable[[], str],
        previous: Callable[[], str | None] = lambda: None,
        lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        self._secret = secret
        self._previous = previous
        self._lifetime = lifetime

    @staticmethod
    def _mac(secret: str, version: str, user_part: str, expires: str) -> bytes:
        message = f"unsubscribe\x00{version}\x00{user_part}\x00{expires}".encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).digest()

    def _keys(self) -> list[str]:
        previous = self._previous()
        return [self._secret(), *([previous] if previous else [])]

    def issue(self, user_id: str, now: datetime) -> str:
        secret = self._secret()
        user_part = _b64(user_id.encode())
        expires = str(int((now + self._lifetime).timestamp()))
        mac = _b64(self._mac(secret, _VERSION, user_part, expires))
        return f"{_VERSION}.{key_id(secret)}.{user_part}.{expires}.{mac}"

    def verify(self, token: str, now: datetime) -> str:
        """The user id the token was issued for; raises `InvalidToken` otherwise."""
        if not token or len(token) > _MAX_LENGTH:
            raise InvalidToken("missing or oversized token")
        parts = token.split(".")
        if len(parts) == 5 and parts[0] == _VERSION:
            _, kid, user_part, expires, mac_part = parts
            keys = [k for k in self._keys() if hmac.compare_digest(key_id(k), kid)]
        elif len(parts) == 4 and parts[0] == _OLD_VERSION:
            _, user_part, expires, mac_part = parts
            keys = self._keys()
        else:
            raise InvalidToken("malformed token")
        if not expires.isdigit():
            raise InvalidToken("malformed token")
        try:
            mac = _unb64(mac_part)
            user_id = _unb64(user_part).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("malformed token") from exc
        if not any(
            hmac.compare_digest(mac, self._mac(k, parts[0], user_part, expires)) for k in keys
        ):
            raise InvalidToken("bad signature")
        if int(expires) < now.timestamp():
            raise InvalidToken("expired token")
        if not user_id:
            raise InvalidToken("malformed token")
        return user_id
