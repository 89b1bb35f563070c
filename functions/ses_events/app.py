"""SES events (SNS): permanent bounces and complaints suppress the user."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import wiring
from bounceback.infra import clock
from bounceback.infra.settings import SesEventsSettings
from bounceback.usecases.bounces import handle_notification

config = SesEventsSettings.from_env()
logger = Logger()
metrics = Metrics()
wiring.bind_table(config)
claims = wiring.stopper()
sent_messages = wiring.sent_messages()
suppressions = wiring.suppression_list(config)


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=SNSEvent)
def lambda_handler(event: SNSEvent, context: LambdaContext) -> dict[str, Any]:
    outcomes: list[str] = []
    for record in event.records:
        logger.set_correlation_id(record.sns.message_id)
        metrics.add_metric(name="SesEventsReceived", unit=MetricUnit.Count, value=1)
        outcome = handle_notification(
            record.sns.message, claims, sent_messages, suppressions, clock.now()
        )
        if outcome == "suppressed":
            metrics.add_metric(name="UsersSuppressed", unit=MetricUnit.Count, value=1)
        elif outcome == "unmatched":
            metrics.add_metric(name="SesEventsUnmatched", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"outcomes": outcomes}
