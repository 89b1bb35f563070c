"""The send queue: due user ids from the dispatcher to the sender, through SQS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bounceback.adapters import sessions
from bounceback.ports import BATCH_SIZE


class QueueError(Exception):
    """Some messages could not be queued after retries."""


class SqsQueue:
    """`SendMessageBatch` to one queue, resending the entries SQS reports as failed."""

    def __init__(self, url: str, client: Any | None = None, attempts: int = 3) -> None:
        self._url = url
        self._client = client
        self._attempts = attempts

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sessions.client("sqs")
        return self._client

    def send_batch(self, bodies: Sequence[str]) -> None:
        """Queue up to 10 message bodies; raises `QueueError` if some never make it."""
        if len(bodies) > BATCH_SIZE:
            raise ValueError(f"at most {BATCH_SIZE} messages per batch")
        pending = {str(i): body for i, body in enumerate(bodies)}
        for _ in range(self._attempts):
            if not pending:
                return
            reply = self.client.send_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": key, "MessageBody": body} for key, body in pending.items()],
            )
            for ok in reply.get("Successful", []):
                pending.pop(ok["Id"], None)
        if pending:
            raise QueueError(f"{len(pending)} messages could not be queued")
