"""Configuration from the environment, read once per Lambda container.

The variables are the ones `template.yaml` gives each function; the local stack and
the tests set them from the same template.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    idempotency_table_name: str
    public_base_url: str
    auth_domain: str
    auth_client_id: str
    region: str
    sender_address: str
    configuration_set: str
    # Base of the links in e-mails (the sender's name for it: PUBLIC_BASE_URL is the
    # API's, which may be empty and then comes from the request).
    link_base_url: str

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            table_name=env.get("TABLE_NAME", "bounceback"),
            idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", "bounceback-idempotency"),
            public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
            auth_domain=env.get("AUTH_DOMAIN", "").rstrip("/"),
            auth_client_id=env.get("AUTH_CLIENT_ID", ""),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            sender_address=env.get("SENDER_ADDRESS", ""),
            configuration_set=env.get("CONFIGURATION_SET", ""),
            link_base_url=env.get("LINK_BASE_URL", "").rstrip("/"),
        )


@cache
def settings() -> Settings:
    return Settings.from_env()
