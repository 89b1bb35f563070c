"""Every function of template.yaml runs with its sample events, as `sam local invoke -e` would.

Handler path and environment come from the template; the resources from moto,
created from the same template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from bounceback_local.events import LambdaContext
from bounceback_local.runtime import apply_environment, load_handler
from bounceback_local.template import FunctionSpec, Resolver, functions
from tests.conftest import TEMPLATE
from tests.rotation import start_rotation

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).resolve().parents[2] / "events"

# What the API answers to each sample on an empty account.
API_STATUS = {
    "get_me": 200,
    "patch_me": 200,
    "create_application": 201,
    "list_applications": 200,
    "record_event": 404,  # the sample names an application this account does not have
    "log_activity": 201,
    "export_csv": 200,
}


def prepare(function_name: str, samples: list[Path], aws: Resolver) -> None:
    """What AWS does before it sends the samples: for the rotation function, Secrets
    Manager starts a rotation of the secret the samples name (their version)."""
    if function_name == "SigningKeyRotationFunction":
        first: dict[str, Any] = json.loads(samples[0].read_text())
        start_rotation(aws.refs[first["SecretId"]], first["ClientRequestToken"])


def samples_for(spec: FunctionSpec) -> list[Path]:
    folder = spec.code_dir.name
    return sorted([*EVENTS.glob(f"{folder}.json"), *EVENTS.glob(f"{folder}/*.json")])


def test_every_function_has_a_sample_event() -> None:
    specs = functions(TEMPLATE, Resolver(TEMPLATE))
    missing = [name for name, spec in specs.items() if not samples_for(spec)]
    assert not missing, f"functions without a sample under events/: {missing}"


def test_every_api_sample_is_covered() -> None:
    assert {p.stem for p in (EVENTS / "api").glob("*.json")} == set(API_STATUS)


@pytest.mark.parametrize("function_name", sorted(functions(TEMPLATE, Resolver(TEMPLATE))))
def test_function_runs_with_its_sample_events(aws: Resolver, function_name: str) -> None:
    specs = functions(TEMPLATE, aws)
    spec = specs[function_name]
    apply_environment(list(specs.values()))
    handler = load_handler(spec)
    samples = samples_for(spec)
    prepare(function_name, samples, aws)
    for sample in samples:
        event: dict[str, Any] = json.loads(sample.read_text())
        result = handler(event, LambdaContext(function_name))
        if isinstance(result, dict) and "statusCode" in result:
            expected = API_STATUS.get(sample.stem)
            assert expected is None or result["statusCode"] == expected, (sample.name, result)
            assert result["statusCode"] < 500, (sample.name, result)
    if function_name == "SigningKeyRotationFunction":
        # the four steps in order: the samples' version is the signing key now
        secret = boto3.client("secretsmanager").describe_secret(
            SecretId=aws.refs["UnsubscribeSecret"]
        )
        assert "AWSCURRENT" in secret["VersionIdsToStages"][event["ClientRequestToken"]]
