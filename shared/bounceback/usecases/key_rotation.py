"""Rotating the links' signing key: the four steps Secrets Manager asks a rotation
function for, on the secret that signs unsubscribe and action links.

Secrets Manager calls the function once per step, with the new version's id (the
`ClientRequestToken`), and may call a step again (it retries failures): every step
is idempotent on that id.

- createSecret: a new random key, stored as that version, staged AWSPENDING.
  Again for the same id: the pending key is kept.
- setSecret: nothing. An HMAC key lives only in the secret: there is no database or
  other service that must learn the new value.
- testSecret: the pending key signs a token that the pending key (and only it)
  verifies, and differs from the current key and its key id. A pending version
  createSecret did not make (no value, or a copy of the current key: Secrets
  Manager's check of the configuration when a schedule is set without rotating at
  once) has nothing to test.
- finishSecret: AWSCURRENT moves to the new version (never to one without a usable
  key); Secrets Manager then moves AWSPREVIOUS to the version it came from. The
  functions read both stages (see `adapters.tokens`), so links signed before keep
  working until the next rotation, which is why the schedule's interval is at least
  the longest token life (tests/security/test_key_rotation.py).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from datetime import datetime

from bounceback.ports import InvalidToken, KeyUse, SecretVersions

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"
# As long as the template's first key (GenerateSecretString: 64, no punctuation).
KEY_LENGTH = 64
# testSecret refuses a shorter key (a value put by hand, say): 32 characters of this
# alphabet are about 190 bits.
MIN_KEY_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits


class RotationRefused(Exception):
    """The call cannot be a step of this secret's rotation (nothing was changed)."""


def new_key() -> str:
    """A fresh random key, from the operating system's generator."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(KEY_LENGTH))


def rotate(
    versions: SecretVersions,
    secret_id: str,
    token: str,
    step: str,
    keys: KeyUse,
    now: datetime,
    generate: Callable[[], str] = new_key,
) -> str:
    """Run one step for the version `token` of the secret `secret_id` (which must be
    the one `versions` stands for); what it did, in a word or two.

    `keys` signs and checks tokens with a given key (testSecret tries the new one).
    """
    if step not in STEPS:
        raise RotationRefused(f"unknown rotation step {step!r}")
    if not versions.names(secret_id):
        raise RotationRefused(f"{secret_id} is not the secret this function rotates")
    if not versions.rotation_enabled():
        raise RotationRefused("rotation is not enabled on this secret")
    stages = versions.stages()
    if token not in stages:
        raise RotationRefused(f"version {token} is not a version of this secret")
    if CURRENT in stages[token]:
        return "already current"
    if PENDING not in stages[token]:
        raise RotationRefused(f"version {token} is not pending rotation")
    if step == "createSecret":
        return _create(versions, token, generate)
    if step == "setSecret":
        return "nothing to set"
    if step == "testSecret":
        return _test(versions, token, keys, now)
    return _finish(versions, token, stages)


def _create(versions: SecretVersions, token: str, generate: Callable[[], str]) -> str:
    current = versions.value(stage=CURRENT)
    if current is None:
        raise RotationRefused("the secret has no current version")
    if versions.value(token, PENDING) is not None:
        return "already created"
    versions.put_pending(token, generate())
    return "created"


def _test(versions: SecretVersions, token: str, keys: KeyUse, now: datetime) -> str:
    pending = versions.value(token, PENDING)
    current = versions.value(stage=CURRENT)
    if pending is None or pending == current:
        # Not a key createSecret made (it stores only fresh random keys): Secrets
        # Manager's own check of the configuration, which runs testSecret alone on a
        # pending version it then removes. finishSecret refuses such a version.
        return "nothing to test"
    if current is None or len(pending) < MIN_KEY_LENGTH:
        raise RotationRefused(f"version {token} holds no usable key")
    if keys.key_id(pending) == keys.key_id(current):
        raise RotationRefused(f"version {token} would not be told apart from the current key")
    probe = keys.signer(pending).issue("rotation-test", now)
    if keys.checker(pending).verify(probe, now) != "rotation-test":
        raise RotationRefused(f"version {token} does not verify what it signs")
    try:
        keys.checker(current).verify(probe, now)
    except InvalidToken:
        return "tested"
    raise RotationRefused(f"the current key accepts what version {token} signs")


def _finish(versions: SecretVersions, token: str, stages: Mapping[str, list[str]]) -> str:
    current = next((v for v, labels in stages.items() if CURRENT in labels), None)
    if current is None:
        raise RotationRefused("the secret has no current version")
    pending = versions.value(token, PENDING)
    if pending is None or len(pending) < MIN_KEY_LENGTH or pending == versions.value():
        # Every function would sign with it at once: never an empty or short key, nor
        # a copy of the current one (a rotation that would rotate nothing).
        raise RotationRefused(f"version {token} holds no new usable key")
    versions.make_current(token, current)
    return "finished"
