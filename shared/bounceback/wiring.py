"""Composition: which adapter serves which port, for the handlers in `functions/`.

The only module of the package (besides the handlers themselves) that knows both the
use cases' ports and the AWS adapters behind them.
"""

from __future__ import annotations

from collections.abc import Callable

from bounceback.adapters import dynamo
from bounceback.adapters.action_tokens import ActionTokenCodec
from bounceback.adapters.claims import DynamoClaims
from bounceback.adapters.due_reader import DueIndexReader
from bounceback.adapters.queue import SqsQueue
from bounceback.adapters.secret_versions import SecretsManagerVersions
from bounceback.adapters.ses import SesMailer
from bounceback.adapters.signins import CognitoSignIns
from bounceback.adapters.store import DynamoRecordStore
from bounceback.adapters.suppression import HashedSuppressionList
from bounceback.adapters.tokens import (
    LinkKeys,
    UnsubscribeTokens,
    read_previous_secret,
    read_secret,
)
from bounceback.infra.settings import (
    ApiSettings,
    DispatcherSettings,
    FunctionSettings,
    RotationSettings,
    SenderSettings,
    SuppressionSettings,
)
from bounceback.ports import (
    ActionRecords,
    ActionTokens,
    BatchQueue,
    Claims,
    DueSource,
    KeyUse,
    Mailer,
    PlanningStore,
    RecordStore,
    SecretVersions,
    SentMessages,
    SignIns,
    Stopper,
    SuppressionList,
)


def bind_table(config: FunctionSettings) -> None:
    """Point the table's models at the function's table (and endpoint, locally)."""
    dynamo.bind(config.table_name, region=config.region, host=config.dynamodb_endpoint_url)


def suppression_list(config: SuppressionSettings) -> SuppressionList:
    """The address-hash table, keyed with its secret (read when first needed, cached)."""
    secret_arn = config.address_hash_secret_arn
    return HashedSuppressionList(
        config.suppression_table_name,
        lambda: read_secret(secret_arn),
        region=config.region,
        endpoint_url=config.dynamodb_endpoint_url,
    )


def record_store(config: ApiSettings) -> RecordStore:
    return DynamoRecordStore(suppressions=suppression_list(config))


def sign_ins(config: ApiSettings) -> SignIns:
    return CognitoSignIns(config.user_pool_id, region=config.region)


def sent_messages() -> SentMessages:
    return DynamoClaims()


def planning_store() -> PlanningStore:
    return DynamoRecordStore()


def claims() -> Claims:
    return DynamoClaims()


def stopper() -> Stopper:
    return DynamoClaims()


def _reload_signing_secret(secret_arn: str) -> Callable[[], None]:
    """Reads the links' signing secret past the cache (both versions): for a token
    naming a key this container has not seen yet, the secret having rotated since."""

    def reload() -> None:
        read_secret(secret_arn, force=True)
        read_previous_secret(secret_arn, force=True)

    return reload


def unsubscribe_tokens(config: ApiSettings | SenderSettings) -> UnsubscribeTokens:
    """Tokens signed with the secret the function's settings name.

    The secret's value is read when a token is first signed or checked, and cached by
    Powertools parameters (five minutes), not here.
    """
    secret_arn = config.unsubscribe_secret_arn
    return UnsubscribeTokens(
        lambda: read_secret(secret_arn),
        lambda: read_previous_secret(secret_arn),
        reload=_reload_signing_secret(secret_arn),
    )


def action_records(config: ApiSettings) -> ActionRecords:
    """The record store (it serves the action routes' port too)."""
    return DynamoRecordStore(suppressions=suppression_list(config))


def action_tokens(config: ApiSettings | SenderSettings) -> ActionTokens:
    """Action-link tokens, signed with the unsubscribe links' secret (read as above)."""
    secret_arn = config.unsubscribe_secret_arn
    return ActionTokenCodec(
        lambda: read_secret(secret_arn),
        previous=lambda: read_previous_secret(secret_arn),
        reload=_reload_signing_secret(secret_arn),
    )


def mailer(config: SenderSettings) -> Mailer:
    return SesMailer(
        config.sender_address,
        config.configuration_set,
        display_name=config.sender_display_name.strip() or "Bounceback",
    )


def due_source() -> DueSource:
    return DueIndexReader()


def send_queue(config: DispatcherSettings) -> BatchQueue:
    return SqsQueue(config.queue_url)


def signing_secret_versions(config: RotationSettings) -> SecretVersions:
    """The links' signing secret, as its rotation function sees it."""
    return SecretsManagerVersions(config.signing_secret_arn)


def link_keys() -> KeyUse:
    return LinkKeys()
