"""Signed unsubscribe tokens, and the signing keys every signed link shares.

Format: ``v2.<key id>.<user id, base64url>.<expiry, unix seconds>.<mac, base64url>``.
The key id is a short fingerprint of the signing key (not the key), so a token names
the key that signed it. The keys (`SigningKeys`) are the secret's current version
and, during a rotation, its previous one (Secrets Manager's AWSCURRENT and
AWSPREVIOUS stages, read through Powertools parameters and cached per container): a
link mailed before a rotation keeps working until the next one. Tokens of the older
format ``v1.<user>.<expiry>.<mac>`` (no key id, already in mailboxes) are still
accepted under either key. The action links (`action_tokens`) sign with the same keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from bounceback.adapters import sessions
from bounceback.ports import InvalidToken

# Every e-mail carries a fresh token; a year covers an old e-mail found in the archive.
TOKEN_LIFETIME = timedelta(days=365)
_VERSION = "v2"
_OLD_VERSION = "v1"
_MAX_LENGTH = 600
# A token naming a key this container does not know yet makes it re-read the secret
# (a rotation happened since its cache was filled), at most this often.
RELOAD_EVERY = 60.0


def b64(raw: bytes) -> str:
    """Unpadded base64url, the encoding of every field of a signed token."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def key_id(secret: str) -> str:
    """A short, public fingerprint of a signing key (12 hex digits of SHA-256)."""
    return hashlib.sha256(b"bounceback-key-id\x00" + secret.encode()).hexdigest()[:12]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else bytes(value).decode()


@cache
def _secrets(stage: str) -> Any:
    """A Powertools secrets provider for one version stage, on the thread's SDK session.

    One per stage: a provider's cache key is the secret's name alone, so reading
    AWSPREVIOUS through the provider that caches AWSCURRENT would overwrite it.
    """
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_session=sessions.boto3_session())


def read_secret(secret_id: str, max_age: int = 300, force: bool = False) -> str:
    """The secret's current value through Powertools parameters (cached `max_age` s;
    `force` reads it again now)."""
    # The stage named, though AWSCURRENT is the default: moto's default version does not
    # follow AWSCURRENT when a rotation moves it (UpdateSecretVersionStage), AWS's does.
    return _text(
        _secrets("AWSCURRENT").get(
            secret_id, max_age=max_age, force_fetch=force, VersionStage="AWSCURRENT"
        )
    )


def read_previous_secret(secret_id: str, max_age: int = 300, force: bool = False) -> str | None:
    """The secret's AWSPREVIOUS version, or None before its first rotation."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        return _text(
            _secrets("AWSPREVIOUS").get(
                secret_id, max_age=max_age, force_fetch=force, VersionStage="AWSPREVIOUS"
            )
        )
    except GetParameterError:
        return None


def forget_secrets() -> None:
    """Drop every cached secret value: the next read asks Secrets Manager."""
    for stage in ("AWSCURRENT", "AWSPREVIOUS"):
        _secrets(stage).clear_cache()


class SigningKeys:
    """The keys signed links are made and checked with: the secret's current version,
    and its previous one during a rotation.

    New tokens are signed with the current key and carry its `key_id`; a token is
    checked only against the key its id names (or, for the older formats without a key
    id, against either key). `reload` re-reads the secret, bypassing the cache: called
    when a token names a key this container has not seen (the secret rotated since it
    was cached), at most every `reload_every` seconds, so made-up key ids cannot turn
    every request into a read of the secret.
    """

    def __init__(
        self,
        current: Callable[[], str],
        previous: Callable[[], str | None] = lambda: None,
        reload: Callable[[], object] | None = None,
        reload_every: float = RELOAD_EVERY,
    ) -> None:
        self._current = current
        self._previous = previous
        self._reload = reload
        self._reload_every = reload_every
        self._reloaded_at: float | None = None

    def _keys(self) -> list[str]:
        previous = self._previous()
        return [self._current(), *([previous] if previous else [])]

    @staticmethod
    def mac(key: str, message: bytes) -> bytes:
        return hmac.new(key.encode(), message, hashlib.sha256).digest()

    def sign(self, message: bytes) -> tuple[str, bytes]:
        """The current key's id and its MAC of `message`."""
        key = self._current()
        return key_id(key), self.mac(key, message)

    def _named(self, kid: str | None) -> list[str]:
        keys = self._keys()
        if kid is None:
            return keys
        return [k for k in keys if hmac.compare_digest(key_id(k), kid)]

    def check(self, message: bytes, mac: bytes, kid: str | None) -> bool:
        """Whether `mac` is the MAC of `message` under the key `kid` names (None: an
        older token without a key id, checked under every key)."""
        keys = self._named(kid)
        if not keys and kid is not None and self._may_reload():
            keys = self._named(kid)
        return any(hmac.compare_digest(mac, self.mac(k, message)) for k in keys)

    def _may_reload(self) -> bool:
        if self._reload is None:
            return False
        now = time.monotonic()
        if self._reloaded_at is not None and now - self._reloaded_at < self._reload_every:
            return False
        self._reloaded_at = now
        self._reload()
        return True


class UnsubscribeTokens:
    """Issues and checks the per-user tokens of unsubscribe links."""

    def __init__(
        self,
        secret: Callable[[], str],
        previous: Callable[[], str | None] = lambda: None,
        lifetime: timedelta = TOKEN_LIFETIME,
        reload: Callable[[], object] | None = None,
    ) -> None:
        self._keys = SigningKeys(secret, previous, reload)
        self._lifetime = lifetime

    @staticmethod
    def _message(version: str, user_part: str, expires: str) -> bytes:
        return f"unsubscribe\x00{version}\x00{user_part}\x00{expires}".encode()

    def issue(self, user_id: str, now: datetime) -> str:
        user_part = b64(user_id.encode())
        expires = str(int((now + self._lifetime).timestamp()))
        kid, mac = self._keys.sign(self._message(_VERSION, user_part, expires))
        return f"{_VERSION}.{kid}.{user_part}.{expires}.{b64(mac)}"

    def verify(self, token: str, now: datetime) -> str:
        """The user id the token was issued for; raises `InvalidToken` otherwise."""
        if not token or len(token) > _MAX_LENGTH:
            raise InvalidToken("missing or oversized token")
        parts = token.split(".")
        kid: str | None
        if len(parts) == 5 and parts[0] == _VERSION:
            _, kid, user_part, expires, mac_part = parts
        elif len(parts) == 4 and parts[0] == _OLD_VERSION:
            _, user_part, expires, mac_part = parts
            kid = None
        else:
            raise InvalidToken("malformed token")
        if not expires.isdigit():
            raise InvalidToken("malformed token")
        try:
            mac = unb64(mac_part)
            user_id = unb64(user_part).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("malformed token") from exc
        if not self._keys.check(self._message(parts[0], user_part, expires), mac, kid):
            raise InvalidToken("bad signature")
        if int(expires) < now.timestamp():
            raise InvalidToken("expired token")
        if not user_id:
            raise InvalidToken("malformed token")
        return user_id


class LinkKeys:
    """`KeyUse` for the rotation function: a key's id, and unsubscribe tokens made and
    checked with that one key."""

    def key_id(self, key: str) -> str:
        return key_id(key)

    def signer(self, key: str) -> UnsubscribeTokens:
        return UnsubscribeTokens(lambda: key)

    def checker(self, key: str) -> UnsubscribeTokens:
        return UnsubscribeTokens(lambda: key)
