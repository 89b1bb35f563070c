"""Dispatcher (EventBridge schedule): queue every user whose wake-up has come."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import clock
from bounceback.adapters import dynamo
from bounceback.adapters.due_reader import DueIndexReader
from bounceback.adapters.queue import SqsQueue
from bounceback.dispatch import dispatch
from bounceback.settings import settings

logger = Logger()
metrics = Metrics()
dynamo.bind(settings().table_name, region=settings().region)
reader = DueIndexReader()
queue = SqsQueue(os.environ.get("QUEUE_URL", ""))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = dispatch(reader, queue, clock.now())
    metrics.add_metric(name="UsersQueued", unit=MetricUnit.Count, value=report.users_queued)
    return {
        "users_queued": report.users_queued,
        "batches": report.batches,
        "window_start": report.window_start.isoformat(),
        "window_end": report.window_end.isoformat(),
    }
