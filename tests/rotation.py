"""Secrets Manager's side of a rotation, for tests against moto.

Before it invokes a rotation function's first step, Secrets Manager turns rotation on
and adds a version (the `ClientRequestToken`) staged AWSPENDING, still without a value.
moto's own `rotate_secret` would instead invoke the function through its Lambda
emulation (Docker), so the tests set that state directly in moto's backend and then
call the function's steps themselves, as Secrets Manager would.
"""

from __future__ import annotations

import time

from moto.core import DEFAULT_ACCOUNT_ID
from moto.secretsmanager.models import secretsmanager_backends


def start_rotation(secret_id: str, token: str, region: str = "us-east-1") -> None:
    secret = secretsmanager_backends[DEFAULT_ACCOUNT_ID][region].secrets[secret_id]
    secret.rotation_requested = secret.rotation_enabled = True
    for version in secret.versions.values():
        if "AWSPENDING" in version["version_stages"]:
            version["version_stages"].remove("AWSPENDING")
    secret.versions[token] = {
        "version_id": token,
        "version_stages": ["AWSPENDING"],
        "createdate": int(time.time()),
    }
