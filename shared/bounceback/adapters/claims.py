"""The sender's claims on e-mails (``SEND#<claim key>`` items) and the stop flags.

A claim is written with a condition *before* SES is called, so two senders that plan
the same e-mail cannot both send it: the second one finds the key taken. The claim is
written in one transaction with a check that the profile is neither unsubscribed nor
suppressed, so once an unsubscribe has committed no new e-mail can be claimed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from bounceback.adapters import dynamo as d
from bounceback.adapters import sessions
from bounceback.domain.model import SentEmail
from bounceback.ports import ClaimResult, StopFlag


def _conditional_failure(exc: UpdateError | DeleteError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


class DynamoClaims:
    """Claims and stop flags in the user's partition of the table."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection
        self._client: Any = None

    def sent_to(self, user_id: str, message_id: str) -> bool:
        """Does the user's partition hold a claim whose SES message id is `message_id`?

        Reads only keys and message ids (all the SES-events function may read).
        """
        if self._client is None:
            self._client = sessions.client(
                "dynamodb", region_name=d.BaseItem.Meta.region, endpoint_url=d.BaseItem.Meta.host
            )
        request: dict[str, Any] = {
            "TableName": d.BaseItem.Meta.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :send)",
            "FilterExpression": "message_id = :mid",
            "ProjectionExpression": "pk, sk, message_id",
            "Select": "SPECIFIC_ATTRIBUTES",
            "ExpressionAttributeValues": {
                ":pk": {"S": d.user_pk(user_id)},
                ":send": {"S": d.SEND_PREFIX},
                ":mid": {"S": message_id},
            },
        }
        for page in self._client.get_paginator("query").paginate(**request):
            if page.get("Items"):
                return True
        return False

    def _connection_for_transactions(self) -> Connection:
        if self._connection is None:
            self._connection = d.transaction_connection()
        return self._connection

    def claim(self, user_id: str, email: SentEmail) -> ClaimResult:
        """Write `email` (state ``claimed``) unless its key exists or sending has stopped."""
        p = d.ProfileItem
        not_unsubscribed = p.unsubscribed.does_not_exist() | (p.unsubscribed == False)  # noqa: E712
        not_suppressed = p.suppressed.does_not_exist() | (p.suppressed == False)  # noqa: E712
        may_send = p.pk.exists() & not_unsubscribed & not_suppressed
        try:
            with TransactWrite(connection=self._connection_for_transactions()) as tx:
                tx.save(
                    d.sent_to_item(user_id, email), condition=d.SentEmailItem.sk.does_not_exist()
                )
                tx.condition_check(p, d.user_pk(user_id), d.PROFILE_SK, condition=may_send)
        except TransactWriteError as exc:
            # pynamodb sends condition checks first: [profile check, claim put].
            codes = [r.code if r is not None else None for r in exc.cancellation_reasons or []]
            if codes[:1] == ["ConditionalCheckFailed"]:
                return ClaimResult.STOPPED
            if codes[1:2] == ["ConditionalCheckFailed"]:
                return ClaimResult.TAKEN
            raise
        return ClaimResult.CLAIMED

    def mark_sent(
        self, user_id: str, claim_key: str, message_id: str, subject: str, sent_at: datetime
    ) -> None:
        """Record SES's message id on our claim (state ``sent``)."""
        item = d.SentEmailItem(d.user_pk(user_id), d.send_sk(claim_key))
        s = d.SentEmailItem
        item.update(
            actions=[
                s.state.set("sent"),
                s.message_id.set(message_id),
                s.subject.set(subject),
                s.sent_at.set(sent_at),
            ],
            condition=s.sk.exists(),
        )

    def release(self, user_id: str, claim_key: str) -> bool:
        """Delete a claim SES did not accept, so a retry can claim it again."""
        item = d.SentEmailItem(d.user_pk(user_id), d.send_sk(claim_key))
        try:
            item.delete(condition=d.SentEmailItem.state == "claimed")
        except DeleteError as exc:
            if _conditional_failure(exc):
                return False
            raise
        return True

    def mark_unknown(self, user_id: str, claim_key: str, claimed_at: datetime) -> bool:
        """Turn a claim abandoned in ``claimed`` into ``unknown``; True only for the one
        caller that changed it (so the ClaimsUnknown metric counts each claim once)."""
        s = d.SentEmailItem
        item = s(d.user_pk(user_id), d.send_sk(claim_key))
        try:
            item.update(
                actions=[s.state.set("unknown")],
                condition=(s.state == "claimed") & (s.claimed_at == claimed_at),
            )
        except UpdateError as exc:
            if _conditional_failure(exc):
                return False
            raise
        return True

    def stop(self, user_id: str, flag: StopFlag) -> bool:
        """Set `unsubscribed` or `suppressed` and take the user out of the due index.

        Bumps `plan_version`, so a sender re-planning with older state cannot put the
        user back. False when there is no such profile (nothing is created).
        """
        p = d.ProfileItem
        attribute = p.unsubscribed if flag == "unsubscribed" else p.suppressed
        try:
            p(d.user_pk(user_id), d.PROFILE_SK).update(
                actions=[
                    attribute.set(True),
                    p.plan_version.add(1),
                    p.due_bucket.remove(),
                    p.due_at.remove(),
                ],
                condition=p.pk.exists(),
            )
        except UpdateError as exc:
            if _conditional_failure(exc):
                return False
            raise
        return True
