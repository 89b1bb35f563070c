"""Signed action tokens: the authority behind the one-click links in e-mails.

Format: ``a2.<key id>.<user id>.<action>.<application id or empty>.<issued, unix
seconds>.<mac>`` (ids base64url, the mac HMAC-SHA256, base64url). The keys are the
unsubscribe links' (`tokens.SigningKeys`: the secret's current version, and its
previous one during a rotation), and the key id names the one that signed, as in
unsubscribe tokens. The MAC input starts with ``action`` so an unsubscribe token can
never pass as an action token, nor the other way round. A token is valid for
`ACTION_TOKEN_LIFETIME` after it was issued. Tokens of the older format ``a1`` (the
same without the key id, already in mailboxes) are still accepted, under either key,
for the rest of their life.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bounceback.adapters.tokens import SigningKeys, b64, unb64
from bounceback.domain.actions import ACTIONS, APPLICATION_ACTIONS
from bounceback.ports import ActionGrant, InvalidToken

ACTION_TOKEN_LIFETIME = timedelta(days=30)
_VERSION = "a2"
_OLD_VERSION = "a1"
_MAX_LENGTH = 600
# Clocks differ a little between functions; a token "from the future" beyond this is edited.
_SKEW = timedelta(minutes=5)


class ActionTokenCodec:
    """Issues and checks action tokens (HMAC with the shared signing keys)."""

    def __init__(
        self,
        secret: Callable[[], str],
        lifetime: timedelta = ACTION_TOKEN_LIFETIME,
        previous: Callable[[], str | None] = lambda: None,
        reload: Callable[[], object] | None = None,
    ) -> None:
        self._keys = SigningKeys(secret, previous, reload)
        self._lifetime = lifetime

    @staticmethod
    def _message(version: str, fields: list[str]) -> bytes:
        return "\x00".join(["action", version, *fields]).encode()

    def issue(self, user_id: str, action: str, application_id: str | None, now: datetime) -> str:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        fields = [
            b64(user_id.encode()),
            action,
            b64(application_id.encode()) if application_id else "",
            str(int(now.timestamp())),
        ]
        kid, mac = self._keys.sign(self._message(_VERSION, fields))
        return ".".join([_VERSION, kid, *fields, b64(mac)])

    def verify(self, token: str, now: datetime) -> ActionGrant:
        """The grant the token carries; raises `InvalidToken` when it is not one we issued,
        was edited, or has expired."""
        if not token or len(token) > _MAX_LENGTH:
            raise InvalidToken("missing or oversized token")
        parts = token.split(".")
        kid: str | None
        if len(parts) == 7 and parts[0] == _VERSION:
            kid, fields, mac_part = parts[1], parts[2:6], parts[6]
        elif len(parts) == 6 and parts[0] == _OLD_VERSION:
            kid, fields, mac_part = None, parts[1:5], parts[5]
        else:
            raise InvalidToken("malformed token")
        if not fields[3].isdigit():
            raise InvalidToken("malformed token")
        try:
            mac = unb64(mac_part)
        except (binascii.Error, ValueError) as exc:
            raise InvalidToken("malformed token") from exc
        if not self._keys.check(self._message(parts[0], fields), mac, kid):
            raise InvalidToken("bad signature")
        user_part, action, app_part, issued = fields
        try:
            user_id = unb64(user_part).decode()
            application_id = unb64(app_part).decode() if app_part else None
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
