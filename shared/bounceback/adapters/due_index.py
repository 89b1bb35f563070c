"""Keys of the sparse due-user index (the `DueIndex` GSI of the table).

A user with a wake-up time has ``due_bucket = <UTC hour>#<shard>`` and ``due_at`` (ISO
UTC) on the profile. The hour bucket lets the dispatcher read only the hours up to now;
the shard, a stable hash of the user id, spreads one hour's users over several
partitions so that no single partition of the index runs hot.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

SHARDS = 8
_BUCKET_FORMAT = "%Y%m%d%H"


def shard_of(user_id: str) -> int:
    return zlib.crc32(user_id.encode()) % SHARDS


def hour_bucket(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_BUCKET_FORMAT)


def due_keys(user_id: str, wake_at: datetime) -> tuple[str, str]:
    """(`due_bucket`, `due_at`) that put `user_id` in the index at `wake_at`."""
    at = wake_at.astimezone(UTC)
    return f"{hour_bucket(at)}#{shard_of(user_id)}", at.strftime("%Y-%m-%dT%H:%M:%SZ")


def buckets_between(start: datetime, end: datetime) -> list[str]:
    """Every `due_bucket` partition for the UTC hours from `start` to `end`, inclusive."""
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    last = end.astimezone(UTC)
    buckets: list[str] = []
    while hour <= last:
        prefix = hour.strftime(_BUCKET_FORMAT)
        buckets.extend(f"{prefix}#{shard}" for shard in range(SHARDS))
        hour += timedelta(hours=1)
    return buckets
