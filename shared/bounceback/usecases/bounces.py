"""SES bounce and complaint notifications (through SNS) → suppress the user.

Permanent bounces and complaints mark the user `suppressed` (no e-mail ever again);
transient bounces (mailbox full, greylisting) change nothing. The user is found from
the `bb_user` tag the sender puts on every e-mail, never from the address.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger

from bounceback.ports import USER_TAG, Stopper, user_from_tag

logger = Logger(child=True)


def _user_of(mail: Mapping[str, Any]) -> str | None:
    tags = mail.get("tags") or {}
    values = tags.get(USER_TAG) if isinstance(tags, Mapping) else None
    if not values:
        return None
    try:
        return user_from_tag(str(values[0]))
    except (ValueError, UnicodeDecodeError):
        return None


def classify(notification: Mapping[str, Any]) -> str:
    """``suppress``, ``ignore`` (transient bounce, other event) for one SES event."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Complaint":
        return "suppress"
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        return "suppress" if bounce.get("bounceType") == "Permanent" else "ignore"
    return "ignore"


def handle_notification(message: str, suppressor: Stopper) -> str:
    """Apply one SNS message body from SES; returns what was done (for logs and tests)."""
    try:
        notification = json.loads(message)
    except ValueError:
        logger.warning("SNS message is not JSON; ignored")
        return "ignored"
    if not isinstance(notification, dict):
        return "ignored"
    action = classify(notification)
    kind = notification.get("eventType") or notification.get("notificationType")
    if action == "ignore":
        logger.info("SES event needs no action", extra={"ses_event": kind})
        return "ignored"
    user_id = _user_of(notification.get("mail") or {})
    if user_id is None:
        logger.warning("SES event without a user tag; cannot map it", extra={"ses_event": kind})
        return "unmapped"
    suppressed = suppressor.stop(user_id, "suppressed")
    logger.info(
        "user suppressed" if suppressed else "no such user",
        extra={"user_id": user_id, "ses_event": kind},
    )
    return "suppressed" if suppressed else "unknown_user"
