"""SES bounce and complaint notifications (through SNS) → suppress the address and user.

Permanent bounces and complaints put the recipient's address on the suppression list
(a keyed hash, kept outside the user's partition, so `DELETE /me` does not forget it)
and mark the user `suppressed`; transient bounces (mailbox full, greylisting) change
nothing. The user is found from the `bb_user` tag the sender puts on every e-mail,
and the event counts only if its `mail.messageId` is one the sender recorded for that
user: an event naming an unknown message (forged, or not ours) is ignored. No address
is ever logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from bounceback.ports import USER_TAG, SentMessages, Stopper, SuppressionList, user_from_tag

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


def recipients(notification: Mapping[str, Any]) -> list[str]:
    """The addresses that bounced or complained (else the message's destination)."""
    for part, key in (("bounce", "bouncedRecipients"), ("complaint", "complainedRecipients")):
        listed = (notification.get(part) or {}).get(key) or []
        found = [
            str(r["emailAddress"])
            for r in listed
            if isinstance(r, Mapping) and r.get("emailAddress")
        ]
        if found:
            return found
    destination = (notification.get("mail") or {}).get("destination") or []
    return [str(a) for a in destination if isinstance(a, str)]


def handle_notification(
    message: str,
    suppressor: Stopper,
    sent: SentMessages,
    suppressions: SuppressionList,
    now: datetime,
) -> str:
    """Apply one SNS message body from SES; returns what was done (for logs and tests).

    ``ignored``, ``unmapped`` (no user tag), ``unmatched`` (no such message sent to that
    user), ``suppressed`` or ``unknown_user`` (the address is suppressed, the profile
    is gone).
    """
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
    mail = notification.get("mail") or {}
    message_id = mail.get("messageId") if isinstance(mail, Mapping) else None
    if not isinstance(message_id, str) or not sent.sent_to(user_id, message_id):
        logger.warning(
            "SES event for a message we did not send to this user; ignored",
            extra={"user_id": user_id, "ses_event": kind},
        )
        return "unmatched"
    for address in recipients(notification):
        suppressions.suppress(address, str(kind).lower(), now)
    suppressed = suppressor.stop(user_id, "suppressed")
    logger.info(
        "user suppressed" if suppressed else "no such user",
        extra={"user_id": user_id, "ses_event": kind},
    )
    return "suppressed" if suppressed else "unknown_user"
