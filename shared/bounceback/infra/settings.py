"""Configuration from the environment: the one place that reads it.

Each function has a model of exactly the variables `template.yaml` gives it, built and
checked once at import (the Lambda init phase): a missing variable stops the function
at cold start with a message naming it, not at its first AWS call. The local stack and
the tests set the same variables from the same template.

Plain frozen dataclasses rather than pydantic: three of the four functions import
nothing else of pydantic, and importing it would add ~0.13 s to their cold start
(`bench/cold_start.py`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self


class MissingSetting(RuntimeError):
    """A variable the function needs is not set (or is blank)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionSettings:
    """What every function reads: its table, region and (locally) DynamoDB endpoint."""

    # Field -> the variables it is read from, first set one wins; otherwise the field's
    # name upper-cased.
    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    }
    # Fields that must not be blank (the others must be set, but may be empty).
    NOT_BLANK: ClassVar[frozenset[str]] = frozenset({"table_name", "region"})
    # URL bases: stored without a trailing slash.
    URL_BASES: ClassVar[frozenset[str]] = frozenset()

    table_name: str
    region: str
    # Only the local stack sets it; on AWS the SDK finds the regional endpoint.
    dynamodb_endpoint_url: str | None = None

    @classmethod
    def variables_of(cls, name: str) -> tuple[str, ...]:
        return cls.ALIASES.get(name, (name.upper(),))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The settings from `environ` (the process environment by default).

        Raises `MissingSetting` naming every missing or blank variable at once.
        """
        env = os.environ if environ is None else environ
        values: dict[str, str | None] = {}
        problems: list[str] = []
        for field in dataclasses.fields(cls):
            found = next((env[v] for v in cls.variables_of(field.name) if v in env), None)
            variable = cls.variables_of(field.name)[0]
            if found is None:
                if field.default is dataclasses.MISSING:
                    problems.append(f"environment variable {variable} is not set")
                continue
            if field.name in cls.NOT_BLANK and not found.strip():
                problems.append(f"environment variable {variable} is empty")
                continue
            if field.name in cls.URL_BASES:
                found = found.rstrip("/")
            # An optional variable set but empty means "not given".
            values[field.name] = None if not found and field.default is None else found
        if problems:
            raise MissingSetting(f"{cls.__name__}: " + "; ".join(problems))
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionSettings(FunctionSettings):
    """The suppression list: a table of keyed address hashes and the hash key's secret."""

    NOT_BLANK = FunctionSettings.NOT_BLANK | {"suppression_table_name", "address_hash_secret_arn"}

    suppression_table_name: str
    address_hash_secret_arn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiSettings(SuppressionSettings):
    NOT_BLANK = SuppressionSettings.NOT_BLANK | {
        "idempotency_table_name",
        "unsubscribe_secret_arn",
        "user_pool_id",
    }
    URL_BASES = frozenset({"public_base_url", "auth_domain"})

    idempotency_table_name: str
    # May be empty: links are then built from the request's own host.
    public_base_url: str
    auth_domain: str
    auth_client_id: str
    user_pool_id: str
    unsubscribe_secret_arn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatcherSettings(FunctionSettings):
    NOT_BLANK = FunctionSettings.NOT_BLANK | {"queue_url"}

    queue_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderSettings(SuppressionSettings):
    NOT_BLANK = SuppressionSettings.NOT_BLANK | {"sender_address", "unsubscribe_secret_arn"}
    URL_BASES = frozenset({"link_base_url"})

    sender_address: str
    configuration_set: str
    unsubscribe_secret_arn: str
    # Base of the links in e-mails (the sender's name for it: PUBLIC_BASE_URL is the
    # API's, which may be empty and then comes from the request).
    link_base_url: str
    # The name mail apps show as the sender: From "Bounceback <sender_address>"
    # (template parameter SenderDisplayName).
    sender_display_name: str = "Bounceback"
    # An address for mailto unsubscribes, offered in List-Unsubscribe beside the
    # one-click https link (template parameter ListUnsubscribeMailto); unset or empty:
    # the https link only.
    list_unsubscribe_mailto: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SesEventsSettings(SuppressionSettings):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class RotationSettings(FunctionSettings):
    """The rotation function: the one secret it rotates (the links' signing key)."""

    NOT_BLANK = FunctionSettings.NOT_BLANK | {"signing_secret_arn"}

    signing_secret_arn: str
