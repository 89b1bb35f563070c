"""Each function's settings are read once from the environment and fail at import."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bounceback.infra.settings import (
    ApiSettings,
    DispatcherSettings,
    MissingSetting,
    SenderSettings,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SENDER_ENV = {
    "TABLE_NAME": "table",
    "AWS_REGION": "eu-west-1",
    "SENDER_ADDRESS": "nudges@example.com",
    "CONFIGURATION_SET": "bounceback",
    "UNSUBSCRIBE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x",
    "LINK_BASE_URL": "https://example.com/",
    "SUPPRESSION_TABLE_NAME": "suppression",
    "ADDRESS_HASH_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:y",
}


def test_sender_settings_come_from_the_environment() -> None:
    config = SenderSettings.from_env(SENDER_ENV)
    assert config.sender_address == "nudges@example.com"
    assert config.link_base_url == "https://example.com"
    assert config.region == "eu-west-1"
    assert config.dynamodb_endpoint_url is None
    assert config.sender_display_name == "Bounceback"
    assert config.list_unsubscribe_mailto is None


def test_sender_display_name_and_unsubscribe_mailto_are_read_when_set() -> None:
    env = {
        **SENDER_ENV,
        "SENDER_DISPLAY_NAME": "Bounceback Team",
        "LIST_UNSUBSCRIBE_MAILTO": "unsubscribe@example.com",
    }
    config = SenderSettings.from_env(env)
    assert config.sender_display_name == "Bounceback Team"
    assert config.list_unsubscribe_mailto == "unsubscribe@example.com"
    assert (
        SenderSettings.from_env({**env, "LIST_UNSUBSCRIBE_MAILTO": ""}).list_unsubscribe_mailto
        is None
    )


def test_a_missing_sender_address_is_named() -> None:
    env = {k: v for k, v in SENDER_ENV.items() if k != "SENDER_ADDRESS"}
    with pytest.raises(MissingSetting, match="SENDER_ADDRESS is not set"):
        SenderSettings.from_env(env)


def test_an_empty_sender_address_is_refused() -> None:
    with pytest.raises(MissingSetting, match="SENDER_ADDRESS is empty"):
        SenderSettings.from_env({**SENDER_ENV, "SENDER_ADDRESS": " "})


def test_every_missing_variable_is_named_at_once() -> None:
    with pytest.raises(MissingSetting) as raised:
        ApiSettings.from_env({"AWS_REGION": "us-east-1"})
    for name in (
        "TABLE_NAME",
        "IDEMPOTENCY_TABLE_NAME",
        "AUTH_DOMAIN",
        "UNSUBSCRIBE_SECRET_ARN",
        "USER_POOL_ID",
        "SUPPRESSION_TABLE_NAME",
        "ADDRESS_HASH_SECRET_ARN",
    ):
        assert name in str(raised.value)


def test_the_region_falls_back_to_the_default_region() -> None:
    config = DispatcherSettings.from_env(
        {"TABLE_NAME": "t", "AWS_DEFAULT_REGION": "ap-south-1", "QUEUE_URL": "https://q"}
    )
    assert config.region == "ap-south-1"


def test_a_handler_without_its_queue_url_fails_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "table")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.delenv("QUEUE_URL", raising=False)
    source = ROOT / "functions" / "dispatcher" / "app.py"
    spec = importlib.util.spec_from_file_location("dispatcher_without_queue", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dispatcher_without_queue", module)
    with pytest.raises(MissingSetting, match="QUEUE_URL is not set"):
        spec.loader.exec_module(module)
