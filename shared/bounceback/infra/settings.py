"""Configuration from the environment: the one place that reads it.

Each function has a model of exactly the variables `template.yaml` gives it, built and
checked once at import (the Lambda init phase): a missing variable stops the function
at cold start with a message naming it, not at its first AWS call. The local stack and
the tests set the same variables from the same template.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator


class MissingSetting(RuntimeError):
    """A variable the function needs is not set (or not acceptable)."""


class FunctionSettings(BaseModel):
    """What every function reads: its table, region and (locally) DynamoDB endpoint."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Field name -> environment variable; the variable is the upper-cased name unless
    # listed here.
    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {
        "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
        "dynamodb_endpoint_url": ("DYNAMODB_ENDPOINT_URL",),
    }

    table_name: str
    region: str
    # Only the local stack sets it; on AWS the SDK finds the regional endpoint.
    dynamodb_endpoint_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The settings from `environ` (the process environment by default).

        Raises `MissingSetting` naming every missing or unacceptable variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in cls.model_fields:
            for variable in cls.ALIASES.get(name, (name.upper(),)):
                if variable in env:
                    values[name] = env[variable]
                    break
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                variable = cls.ALIASES.get(field, (field.upper(),))[0]
                reason = "is not set" if error["type"] == "missing" else error["msg"]
                problems.append(f"environment variable {variable} {reason}")
            raise MissingSetting(f"{cls.__name__}: " + "; ".join(problems)) from None

    @field_validator("table_name", "region")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value

    @field_validator("dynamodb_endpoint_url")
    @classmethod
    def blank_is_none(cls, value: str | None) -> str | None:
        return value or None


def _strip_slash(value: str) -> str:
    return value.rstrip("/")


class ApiSettings(FunctionSettings):
    idempotency_table_name: str
    # May be empty: links are then built from the request's own host.
    public_base_url: str
    auth_domain: str
    auth_client_id: str
    unsubscribe_secret_arn: str

    strip_slash = field_validator("public_base_url", "auth_domain")(_strip_slash)


class DispatcherSettings(FunctionSettings):
    queue_url: str


class SenderSettings(FunctionSettings):
    sender_address: str
    configuration_set: str
    unsubscribe_secret_arn: str
    # Base of the links in e-mails (the sender's name for it: PUBLIC_BASE_URL is the
    # API's, which may be empty and then comes from the request).
    link_base_url: str

    strip_slash = field_validator("link_base_url")(_strip_slash)

    @field_validator("sender_address", "unsubscribe_secret_arn")
    @classmethod
    def required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value


class SesEventsSettings(FunctionSettings):
    pass
