"""One secret's versions in Secrets Manager, for the rotation steps (`usecases.key_rotation`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from bounceback.adapters import sessions

PENDING = "AWSPENDING"


class SecretsManagerVersions:
    """The calls a rotation function makes, on the one secret it rotates."""

    def __init__(self, secret_id: str, client: Any | None = None) -> None:
        self._secret_id = secret_id
        self._client = client or sessions.client("secretsmanager")

    def _describe(self) -> dict[str, Any]:
        return dict(self._client.describe_secret(SecretId=self._secret_id))

    def names(self, secret_id: str) -> bool:
        if secret_id == self._secret_id:
            return True
        try:
            other = self._client.describe_secret(SecretId=secret_id)
        except ClientError:  # not found, or not ours to describe
            return False
        return bool(other["ARN"] == self._describe()["ARN"])

    def rotation_enabled(self) -> bool:
        return bool(self._describe().get("RotationEnabled"))

    def stages(self) -> Mapping[str, list[str]]:
        found = self._describe().get("VersionIdsToStages") or {}
        return {str(version): list(labels) for version, labels in found.items()}

    def value(self, version_id: str | None = None, stage: str = "AWSCURRENT") -> str | None:
        request: dict[str, str] = {"SecretId": self._secret_id, "VersionStage": stage}
        if version_id is not None:
            request["VersionId"] = version_id
        try:
            answer = self._client.get_secret_value(**request)
        except self._client.exceptions.ResourceNotFoundException:
            return None
        value = answer.get("SecretString")
        return None if value is None else str(value)

    def put_pending(self, version_id: str, value: str) -> None:
        self._client.put_secret_value(
            SecretId=self._secret_id,
            ClientRequestToken=version_id,
            SecretString=value,
            VersionStages=[PENDING],
        )

    def make_current(self, version_id: str, current_version_id: str) -> None:
        self._client.update_secret_version_stage(
            SecretId=self._secret_id,
            VersionStage="AWSCURRENT",
            MoveToVersionId=version_id,
            RemoveFromVersionId=current_version_id,
        )
