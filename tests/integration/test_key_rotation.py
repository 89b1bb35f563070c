"""The signing key's rotation function, step by step, against moto's Secrets Manager.

Each step runs through the function's real handler (loaded with the template's
environment), as Secrets Manager invokes it: a new version staged AWSPENDING, then
AWSCURRENT with the old one AWSPREVIOUS; a repeated step changes nothing. After a
rotation, links signed before still verify and new ones carry the new key id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bounceback import wiring
from bounceback.adapters import tokens as token_module
from bounceback.adapters.tokens import UnsubscribeTokens, key_id
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.ports import InvalidToken
from bounceback.usecases.key_rotation import RotationRefused
from bounceback_local.events import LambdaContext
from bounceback_local.runtime import apply_environment, load_handler
from bounceback_local.template import Resolver, functions
from tests.conftest import TEMPLATE
from tests.rotation import start_rotation

pytestmark = pytest.mark.integration

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
Step = Callable[[str, str], dict[str, Any]]


@pytest.fixture
def secret(aws: Resolver) -> str:
    return aws.refs["UnsubscribeSecret"]


@pytest.fixture
def client(aws: Resolver) -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture
def step(aws: Resolver, secret: str) -> Iterator[Step]:
    """Invoke the rotation function as Secrets Manager does: (step, version id)."""
    specs = functions(TEMPLATE, aws)
    apply_environment(list(specs.values()))
    handler = load_handler(specs["SigningKeyRotationFunction"])
    clock.use(lambda: NOW)

    def invoke(name: str, token: str, secret_id: str = secret) -> dict[str, Any]:
        event = {"Step": name, "SecretId": secret_id, "ClientRequestToken": token}
        result: dict[str, Any] = handler(event, LambdaContext("SigningKeyRotationFunction"))
        return result

    yield invoke
    clock.use(None)


def stages(client: Any, secret: str) -> dict[str, list[str]]:
    found = client.describe_secret(SecretId=secret)["VersionIdsToStages"]
    return {version: sorted(labels) for version, labels in found.items()}


def value(client: Any, secret: str, **version: str) -> str:
    """A version's value (by default AWSCURRENT's)."""
    version = version or {"VersionStage": "AWSCURRENT"}
    return str(client.get_secret_value(SecretId=secret, **version)["SecretString"])


def current_version(client: Any, secret: str) -> str:
    return next(v for v, labels in stages(client, secret).items() if "AWSCURRENT" in labels)


def rotate_fully(step: Step, secret: str) -> str:
    token = str(uuid.uuid4())
    start_rotation(secret, token)
    for name in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        step(name, token)
    return token


def fresh_caches() -> None:
    """A new container: nothing cached of the secret."""
    token_module.forget_secrets()


# ------------------------------------------------------------------ each step


def test_create_stages_a_new_random_key_as_pending_and_once_only(
    step: Step, client: Any, secret: str
) -> None:
    old_version, old_key = current_version(client, secret), value(client, secret)
    token = str(uuid.uuid4())
    start_rotation(secret, token)

    assert step("createSecret", token)["outcome"] == "created"
    pending = value(client, secret, VersionId=token, VersionStage="AWSPENDING")
    assert len(pending) == 64 and pending.isalnum() and pending != old_key
    assert stages(client, secret) == {old_version: ["AWSCURRENT"], token: ["AWSPENDING"]}

    # Secrets Manager retries a step: the same version keeps the same key
    assert step("createSecret", token)["outcome"] == "already created"
    assert value(client, secret, VersionId=token, VersionStage="AWSPENDING") == pending
    assert stages(client, secret) == {old_version: ["AWSCURRENT"], token: ["AWSPENDING"]}
    assert value(client, secret) == old_key


def test_set_has_nothing_to_set_and_test_changes_nothing(
    step: Step, client: Any, secret: str
) -> None:
    token = str(uuid.uuid4())
    start_rotation(secret, token)
    step("createSecret", token)
    before = stages(client, secret), value(client, secret), value(client, secret, VersionId=token)
    for _ in range(2):
        assert step("setSecret", token)["outcome"] == "nothing to set"
        assert step("testSecret", token)["outcome"] == "tested"
    after = stages(client, secret), value(client, secret), value(client, secret, VersionId=token)
    assert after == before


def test_finish_makes_the_new_key_current_and_the_old_one_previous(
    step: Step, client: Any, secret: str
) -> None:
    old_version, old_key = current_version(client, secret), value(client, secret)
    token = str(uuid.uuid4())
    start_rotation(secret, token)
    step("createSecret", token)
    new_key = value(client, secret, VersionId=token)

    assert step("finishSecret", token)["outcome"] == "finished"
    after = stages(client, secret)
    assert "AWSCURRENT" in after[token] and after[old_version] == ["AWSPREVIOUS"]
    assert value(client, secret) == new_key
    assert value(client, secret, VersionStage="AWSPREVIOUS") == old_key

    # any step again, for this version, changes nothing
    for name in ("finishSecret", "createSecret", "setSecret", "testSecret"):
        assert step(name, token)["outcome"] == "already current"
    assert stages(client, secret) == after
    assert value(client, secret) == new_key


def test_a_second_rotation_moves_previous_along(step: Step, client: Any, secret: str) -> None:
    first_key = value(client, secret)
    first = rotate_fully(step, secret)
    second_key_version = current_version(client, secret)
    assert second_key_version == first
    second = rotate_fully(step, secret)
    after = stages(client, secret)
    assert "AWSCURRENT" in after[second] and after[first] == ["AWSPREVIOUS"]
    assert first_key not in {
        value(client, secret),
        value(client, secret, VersionStage="AWSPREVIOUS"),
    }


# ------------------------------------------------------------------ refusals


def put_pending(client: Any, secret: str, token: str, key: str) -> None:
    client.put_secret_value(
        SecretId=secret, ClientRequestToken=token, SecretString=key, VersionStages=["AWSPENDING"]
    )


def test_test_and_finish_refuse_a_pending_key_that_is_too_short(
    step: Step, client: Any, secret: str
) -> None:
    token = str(uuid.uuid4())
    start_rotation(secret, token)
    put_pending(client, secret, token, "short")
    before = stages(client, secret)
    for name in ("testSecret", "finishSecret"):
        with pytest.raises(RotationRefused):
            step(name, token)
    assert stages(client, secret) == before


def test_secrets_managers_check_of_the_configuration_passes_and_changes_nothing(
    step: Step, client: Any, secret: str
) -> None:
    """A schedule set without rotating at once: Secrets Manager runs testSecret alone on
    a pending version it made itself (a copy of the current key, or no value yet)."""
    key = value(client, secret)
    for copy in (key, None):
        token = str(uuid.uuid4())
        start_rotation(secret, token)
        if copy is not None:
            put_pending(client, secret, token, copy)
        before = stages(client, secret)
        assert step("testSecret", token)["outcome"] == "nothing to test"
        assert stages(client, secret) == before and value(client, secret) == key
        # and such a version never becomes current
        with pytest.raises(RotationRefused):
            step("finishSecret", token)
        assert stages(client, secret) == before


def test_refuses_another_secret_an_unknown_version_or_step(
    step: Step, client: Any, secret: str, aws: Resolver
) -> None:
    token = str(uuid.uuid4())
    start_rotation(secret, token)
    before = stages(client, secret)
    # the address-hash key must never rotate (a new key forgets every suppression)
    other = aws.refs["AddressHashSecret"]
    start_rotation(other, token)
    other_before = stages(client, other), value(client, other)
    with pytest.raises(RotationRefused):
        step("createSecret", token, other)
    assert (stages(client, other), value(client, other)) == other_before
    with pytest.raises(RotationRefused):
        step("createSecret", str(uuid.uuid4()))
    with pytest.raises(RotationRefused):
        step("deleteSecret", token)
    # a version that is not pending (the current one) is never touched
    assert step("createSecret", current_version(client, secret))["outcome"] == "already current"
    assert stages(client, secret) == before


def test_refuses_when_rotation_is_not_enabled(step: Step, client: Any, secret: str) -> None:
    with pytest.raises(RotationRefused):
        step("createSecret", str(uuid.uuid4()))


# ------------------------------------------------------------------ links across a rotation


def test_links_signed_before_a_rotation_still_verify_and_new_ones_name_the_new_key(
    step: Step, client: Any, secret: str
) -> None:
    config = ApiSettings.from_env()
    fresh_caches()
    old_key = value(client, secret)
    unsubscribe = wiring.unsubscribe_tokens(config).issue("alice", NOW - timedelta(days=300))
    action = wiring.action_tokens(config).issue(
        "alice", "pause_week", None, NOW - timedelta(days=2)
    )
    assert unsubscribe.split(".")[1] == action.split(".")[1] == key_id(old_key)

    rotate_fully(step, secret)
    fresh_caches()
    new_key = value(client, secret)
    assert new_key != old_key
    assert wiring.unsubscribe_tokens(config).verify(unsubscribe, NOW) == "alice"
    assert wiring.action_tokens(config).verify(action, NOW).user_id == "alice"
    assert wiring.unsubscribe_tokens(config).issue("alice", NOW).split(".")[1] == key_id(new_key)
    fresh = wiring.action_tokens(config).issue("alice", "pause_week", None, NOW)
    assert fresh.split(".")[1] == key_id(new_key)

    # one rotation later the first key is gone: why the schedule waits out a token's life
    rotate_fully(step, secret)
    fresh_caches()
    with pytest.raises(InvalidToken):
        wiring.unsubscribe_tokens(config).verify(unsubscribe, NOW)
    assert wiring.action_tokens(config).verify(fresh, NOW).user_id == "alice"


def test_a_container_that_cached_the_old_key_accepts_a_link_signed_with_the_new_one(
    step: Step, client: Any, secret: str
) -> None:
    config = ApiSettings.from_env()
    fresh_caches()
    container = wiring.unsubscribe_tokens(config)
    container.issue("alice", NOW)  # the key before the rotation is now cached (five minutes)
    rotate_fully(step, secret)
    new_key = value(client, secret)
    # a sender that started after the rotation signs with the new key
    signed_after = UnsubscribeTokens(lambda: new_key).issue("alice", NOW)
    assert container.verify(signed_after, NOW) == "alice"
    assert container.issue("bob", NOW).split(".")[1] == key_id(new_key)
