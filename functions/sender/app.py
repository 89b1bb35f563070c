"""Sender (SQS): for each queued user, send what the planner says is due, once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import wiring
from bounceback.domain.render import render_email
from bounceback.infra import clock
from bounceback.infra.settings import SenderSettings
from bounceback.usecases.delivery import Sender, Tally
from bounceback.usecases.dispatch import user_of

config = SenderSettings.from_env()
logger = Logger()
# A batch where every record failed still answers with the failures (no exception).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
wiring.bind_table(config)
mailer = wiring.mailer(config)
sender = Sender(
    store=wiring.planning_store(),
    claims=wiring.claims(),
    mailer=mailer,
    tokens=wiring.unsubscribe_tokens(config),
    action_tokens=wiring.action_tokens(config),
    render=render_email,
    link_base_url=config.link_base_url,
    unsubscribe_mailto=config.list_unsubscribe_mailto,
    suppressions=wiring.suppression_list(config),
)


def deliver(record: SQSRecord) -> None:
    logger.set_correlation_id(record.message_id)
    try:
        user_id = user_of(record.body)
    except ValueError:
        # Not one of ours: retrying cannot help, so it is dropped (and logged).
        logger.error("unreadable message dropped", extra={"message_id": record.message_id})
        return
    logger.append_keys(user_id=user_id)
    try:
        sender.deliver(user_id, clock.now())
    finally:
        logger.remove_keys(["user_id"])


def publish(tally: Tally) -> None:
    """One EMF metric per (name, dimension) counted in this invocation."""
    for (name, dimension, value), count in sorted(tally.counts.items(), key=str):
        with single_metric(name=name, unit=MetricUnit.Count, value=count) as metric:
            if dimension and value:
                metric.add_dimension(name=dimension, value=value)
    tally.counts.clear()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return process_partial_response(
            event=event,
            record_handler=deliver,
            processor=processor,
            context=context,
        )
    finally:
        publish(sender.tally)
