"""Signed unsubscribe tokens: HMAC-SHA256 over the user id and an expiry.

Format: ``v1.<user id, base64url>.<expiry, unix seconds>.<mac, base64url>``. The
secret comes from Secrets Manager through Powertools parameters (cached per
container), so every function that signs or checks tokens uses the same key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta

from bounceback.ports import InvalidToken

# Every e-mail carries a fresh token; a year covers an old e-mail found in the archive.
TOKEN_LIFETIME = timedelta(days=365)
_VERSION = "v1"
_MAX_LENGTH = 600


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def read_secret(secret_id: str, max_age: int = 300) -> str:
    """The secret's value through Powertools parameters (cached for `max_age` seconds)."""
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_id, max_age=max_age)
    return value if isinstance(value, str) else bytes(value).decode()


class UnsubscribeTokens:
    """Issues and checks the per-user tokens of unsubscribe links."""

    def __init__(self, secret: Callable[[], str], lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self._secret = secret
        self._lifetime = lifetime

    def _mac(self, user_part: str, expires: str) -> bytes:
        message = f"unsubscribe\x00{_VERSION}\x00{user_part}\x00{expires}".encode()
        return hmac.new(self._secret().encode(), message, hashlib.sha256).digest()

    def issue(self, user_id: str, now: datetime) -> str:
        user_part = _b64(user_id.encode())
        expires = str(int((now + self._lifetime).timestamp()))
        return f"{_VERSION}.{user_part}.{expires}.{_b64(self._mac(user_part, expires))}"

    def verify(self, token: str, now: datetime) -> str:
        """The user id the token was issued for; raises `InvalidToken` otherwise."""
        if not token or len(token) > _MAX_LENGTH:
            raise InvalidToken("missing or oversized token")
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
            raise InvalidToken("malformed token")
        _, user_part, expires, mac_part = parts
        try:
            mac = _unb64(mac_part)
            user_id = _unb64(user_part).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("malformed token") from exc
        if not hmac.compare_digest(mac, self._mac(user_part, expires)):
            raise InvalidToken("bad signature")
        if int(expires) < now.timestamp():
            raise InvalidToken("expired token")
        if not user_id:
            raise InvalidToken("malformed token")
        return user_id
