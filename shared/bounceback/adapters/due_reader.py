"""Reading the sparse due-user index, and the dispatcher's watermark.

`due_between(start, end)` queries one `DueIndex` partition per (hour, shard) in the
window, with a key condition on `due_at`, so it reads only users whose wake-up lies
in the window: its cost grows with the number due, never with the number of users.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from bounceback.adapters import dynamo as d
from bounceback.adapters.due_index import buckets_between
from bounceback.ports import DueUser

DUE_INDEX = "DueIndex"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class DueIndexReader:
    """The `DueIndex` GSI (keys only) and the `DISPATCHER`/`WATERMARK` item."""

    def due_between(self, start: datetime, end: datetime) -> Iterator[DueUser]:
        """Users whose `due_at` lies in [start, end], oldest hour first."""
        low, high = _iso(start), _iso(end)
        # The index projects keys only, so the query goes through the table connection:
        # a model query would add an `item_type` filter that projected items cannot pass.
        connection = d.ProfileItem._get_connection()
        condition = d.ProfileItem.due_at.between(low, high)
        prefix = len("USER#")
        for bucket in buckets_between(start, end):
            start_key: dict[str, Any] | None = None
            while True:
                page = connection.query(
                    bucket,
                    range_key_condition=condition,
                    index_name=DUE_INDEX,
                    exclusive_start_key=start_key,
                )
                for raw in page.get("Items", []):
                    yield DueUser(user_id=raw["pk"]["S"][prefix:], due_at=raw["due_at"]["S"])
                start_key = page.get("LastEvaluatedKey")
                if not start_key:
                    break

    def watermark(self) -> datetime | None:
        """Up to when every due user was queued, or None before the first run."""
        try:
            item = d.WatermarkItem.get(d.DISPATCHER_PK, d.WATERMARK_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return _parse(item.through) if item.through else None

    def advance_watermark(self, to: datetime) -> bool:
        """Move the watermark forward to `to`; never backwards (overlapping runs)."""
        w = d.WatermarkItem
        value = _iso(to)
        try:
            w(d.DISPATCHER_PK, d.WATERMARK_SK).update(
                actions=[w.item_type.set(w), w.through.set(value)],
                condition=w.through.does_not_exist() | (w.through < value),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
