"""The dispatcher's use case: queue every user whose wake-up has come.

Each run reads the due index for the window from the watermark (minus a small
overlap, for index propagation and clock skew) up to `now`, queues the user ids in
batches of 10, then moves the watermark to `now`. After missed runs the window simply
starts further back, so an outage is caught up without a Scan; overlapping runs read
overlapping windows, and a user queued twice is harmless (the sender's claims make
each e-mail go out once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from bounceback.ports import BATCH_SIZE, BatchQueue, DueSource, DueUser

logger = Logger(child=True)

# Before the first run there is no watermark: look this far back.
FIRST_RUN_LOOKBACK = timedelta(hours=24)
# Re-read this much of the previous window (GSI propagation, clock skew between runs).
OVERLAP = timedelta(minutes=2)
# An outage longer than this is not caught up from the index; such users come back
# with their next write (which marks them due now).
MAX_CATCH_UP = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class DispatchReport:
    window_start: datetime
    window_end: datetime
    users_queued: int
    batches: int


def message_body(user: DueUser) -> str:
    return json.dumps({"user_id": user.user_id, "due_at": user.due_at}, separators=(",", ":"))


def user_of(body: str) -> str:
    """The user id in a queued message body; ValueError when it is not one of ours."""
    payload = json.loads(body)
    user_id = payload.get("user_id") if isinstance(payload, dict) else None
    if not isinstance(user_id, str) or not user_id:
        raise ValueError("message has no user_id")
    return user_id


def dispatch(source: DueSource, queue: BatchQueue, now: datetime) -> DispatchReport:
    """Queue the users due in (watermark - overlap, now]; then advance the watermark."""
    watermark = source.watermark()
    start = watermark - OVERLAP if watermark is not None else now - FIRST_RUN_LOOKBACK
    start = max(start, now - MAX_CATCH_UP)
    seen: set[str] = set()
    batch: list[str] = []
    batches = 0
    for user in source.due_between(start, now):
        if user.user_id in seen:
            continue
        seen.add(user.user_id)
        batch.append(message_body(user))
        if len(batch) == BATCH_SIZE:
            queue.send_batch(batch)
            batches += 1
            batch = []
    if batch:
        queue.send_batch(batch)
        batches += 1
    # Only after everything is queued: a failed run leaves the window to the next one.
    source.advance_watermark(now)
    report = DispatchReport(start, now, len(seen), batches)
    logger.info(
        "dispatched",
        extra={"users_queued": report.users_queued, "window_start": start.isoformat()},
    )
    return report
