"""Signed action tokens: the authority behind the one-click links in e-mails.

Format: ``a1.<user id>.<action>.<application id or empty>.<issued, unix seconds>.<mac>``
(ids base64url, the mac HMAC-SHA256, base64url). The key is the unsubscribe links'
secret (Powertools parameters, see `tokens.read_secret`); the MAC input starts with
``action`` so an unsubscribe token can never pass as an action token, nor the other
way round. A token is valid for `ACTION_TOKEN_LIFETIME` after it was issued. The
leading ``a1`` names the format, so a later one can be told apart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bounceback.domain.actions import ACTIONS, APPLICATION_ACTIONS
from bounceback.ports import ActionGrant, InvalidToken

ACTION_TOKEN_LIFETIME = timedelta(days=30)
_VERSION = "a1"
_MAX_LENGTH = 600
# Clocks differ a little between functions; a token "from the future" beyond this is edited.
_SKEW = timedelta(minutes=5)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


class ActionTokenCodec:
    """Issues and checks action tokens (HMAC with the shared signing secret)."""

    def __init__(
        self, secret: Callable[[], str], lifetime: timedelta = ACTION_TOKEN_LIFETIME
    ) -> None:
        self._secret = secret
        self._lifetime = lifetime

    def _mac(self, fields: list[str]) -> bytes:
        message = "\x00".join(["action", _VERSION, *fields]).encode()
        return hmac.new(self._secret().encode(), message, hashlib.sha256).digest()

    def issue(self, user_id: str, action: str, application_id: str | None, now: datetime) -> str:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        fields = [
            _b64(user_id.encode()),
            action,
            _b64(application_id.encode()) if application_id else "",
            str(int(now.timestamp())),
        ]
        return ".".join([_VERSION, *fields, _b64(self._mac(fields))])

    def verify(self, token: str, now: datetime) -> ActionGrant:
        """The grant the token carries; raises `InvalidToken` when it is not one we issued,
        was edited, or has expired."""
        if not token or len(token) > _MAX_LENGTH:
            raise InvalidToken("missing or oversized token")
        parts = token.split(".")
        if len(parts) != 6 or parts[0] != _VERSION or not parts[4].isdigit():
            raise InvalidToken("malformed token")
        fields = parts[1:5]
        try:
            mac = _unb64(parts[5])
        except (binascii.Error, ValueError) as exc:
            raise InvalidToken("malformed token") from exc
        if not hmac.compare_digest(mac, self._mac(fields)):
            raise InvalidToken("bad signature")
        user_part, action, app_part, issued = fields
        try:
            user_id = _unb64(user_part).decode()
            application_id = _unb64(app_part).decode() if app_part else None
            issued_at = datetime.fromtimestamp(int(issued), UTC)
        except (binascii.Error, ValueError, UnicodeDecodeError, OverflowError) as exc:
            raise InvalidToken("malformed token") from exc
        if issued_at > now + _SKEW or now - issued_at > self._lifetime:
            raise InvalidToken("expired token")
        if not user_id or action not in ACTIONS:
            raise InvalidToken("malformed token")
        if (action in APPLICATION_ACTIONS) != (application_id is not None):
            raise InvalidToken("malformed token")
        return ActionGrant(user_id, action, application_id, issued_at)
