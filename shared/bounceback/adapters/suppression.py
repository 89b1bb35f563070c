"""The suppression list: addresses that bounced or complained, outside users' partitions.

Each entry's key is an HMAC-SHA256 (keyed with a secret of its own, read through
Powertools parameters) of the normalised address, so the table holds no readable
address, survives `DELETE /me`, and cannot be checked against a list of guessed
addresses without the key. Never rotate that key: a new one forgets every entry.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bounceback.adapters import sessions


def normalise(address: str) -> str:
    """One spelling per mailbox as far as we can tell: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", address.strip()).lower()


class HashedSuppressionList:
    """`SuppressionList` on its own DynamoDB table (partition key `address_hash`)."""

    def __init__(
        self,
        table_name: str,
        key: Callable[[], str],
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self._table_name = table_name
        self._key = key
        self._region = region
        self._endpoint_url = endpoint_url
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sessions.client(
                "dynamodb", region_name=self._region, endpoint_url=self._endpoint_url
            )
        return self._client

    def address_hash(self, address: str) -> str:
        digest = hmac.new(self._key().encode(), normalise(address).encode(), hashlib.sha256)
        return digest.hexdigest()

    def is_suppressed(self, address: str) -> bool:
        if not address.strip():
            return False
        reply = self.client.get_item(
            TableName=self._table_name,
            Key={"address_hash": {"S": self.address_hash(address)}},
            ProjectionExpression="address_hash",
        )
        return "Item" in reply

    def suppress(self, address: str, reason: str, now: datetime) -> None:
        self.client.put_item(
            TableName=self._table_name,
            Item={
                "address_hash": {"S": self.address_hash(address)},
                "reason": {"S": reason},
                "suppressed_at": {"S": now.isoformat()},
            },
        )
