"""`POST /applications` with an `Idempotency-Key`: one application per key, per user.

Powertools idempotency keeps, per (user, key), the id of the application the first
request created; a repeat with the same body answers with that application, a repeat
with another body is a 409 (see `plumbing.register_error_handlers`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from bounceback.domain.model import Application
from bounceback.errors import NotFound
from bounceback.http import schemas as s
from bounceback.ports import Identity, RecordStore
from bounceback.usecases import records

CreateOnce = Callable[..., dict[str, str]]


@cache
def _create_once(table_name: str) -> tuple[CreateOnce, Any]:
    """The create use case behind Powertools idempotency, built on first use.

    Imported lazily: Powertools idempotency pulls in boto3, which only a create with
    an Idempotency-Key needs; every other request's cold start is spared it.
    """
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(table_name=table_name)
    # The key is the caller's id with their Idempotency-Key: one user's key never
    # answers for another user.
    config = IdempotencyConfig(
        event_key_jmespath="[user, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
    )

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config
    )
    def create(
        request: dict[str, Any],
        store: RecordStore,
        identity: Identity,
        now: datetime,
        created: list[Application],
    ) -> dict[str, str]:
        body = s.ApplicationIn.model_validate(request["body"])
        app = records.create_application(store, identity, body.changes(), now)
        created.append(app)
        # Only the id is kept in the idempotency record: no personal data outlives DELETE /me.
        return {"id": app.id}

    return create, config


def create_with_key(
    *,
    table_name: str,
    store: RecordStore,
    identity: Identity,
    key: str,
    body: s.ApplicationIn,
    now: datetime,
    lambda_context: Any,
) -> Application:
    """The application for this (user, key): created now, or the one created before."""
    create, config = _create_once(table_name)
    config.register_lambda_context(lambda_context)
    request = {"user": identity.user_id, "key": key, "body": body.model_dump(mode="json")}
    fresh: list[Application] = []
    first = create(request=request, store=store, identity=identity, now=now, created=fresh)
    if fresh:
        return fresh[0]
    # A repeat: answer with the application the first request created.
    stored = store.get_application(identity.user_id, first["id"])
    if stored is None:
        raise NotFound("the application created with this Idempotency-Key was deleted")
    return stored.application
