"""Dispatcher (EventBridge schedule): queue every user whose wake-up has come."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import wiring
from bounceback.infra import clock
from bounceback.infra.settings import DispatcherSettings
from bounceback.usecases.dispatch import dispatch

config = DispatcherSettings.from_env()
logger = Logger()
metrics = Metrics()
wiring.bind_table(config)
reader = wiring.due_source()
queue = wiring.send_queue(config)


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
