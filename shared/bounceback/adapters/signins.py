"""The Cognito user pool, for `DELETE /me`: the sign-in goes with the data."""

from __future__ import annotations

from typing import Any

from bounceback.adapters import sessions


class CognitoSignIns:
    """`SignIns` on a user pool (needs only `cognito-idp:AdminDeleteUser` on it)."""

    def __init__(self, user_pool_id: str, region: str | None = None) -> None:
        self._pool = user_pool_id
        self._region = region
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sessions.client("cognito-idp", region_name=self._region)
        return self._client

    def delete(self, user_id: str) -> None:
        """Delete the user whose `sub` (the pool's user name) is `user_id`; gone is fine."""
        try:
            self.client.admin_delete_user(UserPoolId=self._pool, Username=user_id)
        except self.client.exceptions.UserNotFoundException:
            return
