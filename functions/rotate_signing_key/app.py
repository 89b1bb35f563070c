"""Secrets Manager rotation of the links' signing key: one step per invocation."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import wiring
from bounceback.infra import clock
from bounceback.infra.settings import RotationSettings
from bounceback.usecases.key_rotation import rotate

config = RotationSettings.from_env()
logger = Logger()
versions = wiring.signing_secret_versions(config)
keys = wiring.link_keys()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    step, version = str(event["Step"]), str(event["ClientRequestToken"])
    # Never the secret's value: only which step ran on which version, and its outcome.
    outcome = rotate(versions, str(event["SecretId"]), version, step, keys, clock.now())
    logger.info("rotation step", extra={"step": step, "version": version, "outcome": outcome})
    return {"step": step, "version": version, "outcome": outcome}
