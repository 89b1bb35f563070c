"""The DynamoDB layout, as pynamodb models, and its mapping to domain values.

One table, one partition per user (``pk = USER#<sub>``):

| item        | sk                         | notes                                        |
|-------------|----------------------------|----------------------------------------------|
| profile     | ``PROFILE``                | preferences; due-index keys when due          |
| application | ``APP#<id>``               | events embedded; ``status_sk`` keys the LSI   |
| activity    | ``ACT#<date>#<id>``        | sorted by date, so ``?since=`` is a key range |
| sent e-mail | ``SEND#<claim key>``       | the sender's claim / record of one e-mail     |

One item outside any user's partition leads from a calendar feed's secret to its
user (``pk = CAL#<SHA-256 of the secret>``, ``sk = CALENDAR``), so the public feed
finds its user with one GetItem; the profile keeps the current secret, so rotating
and erasing can delete that item.

The profile's ``due_bucket``/``due_at`` put a user in the sparse ``DueIndex`` GSI
(see `bounceback.adapters.due_index`).
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    KeysOnlyProjection,
    LocalSecondaryIndex,
)
from pynamodb.models import MetaProtocol, Model

from bounceback.adapters.sessions import SharedSessionConnection
from bounceback.domain.limits import Usage
from bounceback.domain.model import (
    Activity,
    Application,
    Event,
    Profile,
    SentEmail,
)

PROFILE_SK = "PROFILE"
APP_PREFIX = "APP#"
ACT_PREFIX = "ACT#"
SEND_PREFIX = "SEND#"
CALENDAR_PREFIX = "CAL#"
CALENDAR_SK = "CALENDAR"
USED_PREFIX = "USED#"
# The dispatcher's own item: how far the due index has been swept (not a user's data).
DISPATCHER_PK = "DISPATCHER"
WATERMARK_SK = "WATERMARK"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def app_sk(app_id: str) -> str:
    return f"{APP_PREFIX}{app_id}"


def activity_sk(day: date, activity_id: str) -> str:
    return f"{ACT_PREFIX}{day.isoformat()}#{activity_id}"


def activity_sk_prefix(day: date) -> str:
    """Sorts after the keys of activities dated before `day`, before all the others."""
    return f"{ACT_PREFIX}{day.isoformat()}"


def send_sk(claim_key: str) -> str:
    return f"{SEND_PREFIX}{claim_key}"


def secret_digest(secret: str) -> str:
    """What the calendar lookup item is keyed by: the secret's SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def calendar_pk(digest: str) -> str:
    return f"{CALENDAR_PREFIX}{digest}"


def used_sk(link_key: str) -> str:
    return f"{USED_PREFIX}{link_key}"


def status_sort_key(status: str, app_id: str) -> str:
    return f"{status}#{app_id}"


class ByStatusIndex(LocalSecondaryIndex["ApplicationItem"]):
    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    status_sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["ProfileItem"]):
    class Meta:
        index_name = "DueIndex"
        projection = KeysOnlyProjection()

    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Every item of the table; `item_type` tells pynamodb which class to build."""

    class Meta:
        table_name = os.environ.get("TABLE_NAME", "bounceback")
        region = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
        host = os.environ.get("DYNAMODB_ENDPOINT_URL") or None
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """pynamodb's connection for this class, moved onto the thread's shared botocore
        session (`bounceback.adapters.sessions`); its table schema stays its own."""
        table = super()._get_connection()
        if not isinstance(table.connection, SharedSessionConnection):
            meta = cast(MetaProtocol, cls.Meta)  # pynamodb fills in the defaults
            connection = SharedSessionConnection(
                region=meta.region,
                host=meta.host,
                connect_timeout_seconds=meta.connect_timeout_seconds,
                read_timeout_seconds=meta.read_timeout_seconds,
                max_retry_attempts=meta.max_retry_attempts,
                max_pool_connections=meta.max_pool_connections,
                extra_headers=meta.extra_headers,
            )
            connection.add_meta_table(table.get_meta_table())
            table.connection = connection
        return table


class ProfileItem(BaseItem, discriminator="profile"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    send_hour = NumberAttribute(null=True)
    break_days = NumberAttribute(null=True)
    gap_days = NumberAttribute(null=True)
    digest_enabled = BooleanAttribute(null=True)
    paused_until = UnicodeAttribute(null=True)
    unsubscribed = BooleanAttribute(null=True)
    suppressed = BooleanAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    name = UnicodeAttribute(null=True)  # what the e-mails call the user
    # The calendar feed's current secret (its lookup item is keyed by the digest).
    calendar_secret = UnicodeAttribute(null=True)
    # Local dates with search activity, so the last one is known without a read.
    activity_days = UnicodeSetAttribute(null=True)
    # Bumped by every write that can change the plan; the sender's re-plan only
    # stores its wake-up time when nothing changed meanwhile.
    plan_version = NumberAttribute(null=True)
    # Records stored, against the per-account ceilings (moved by every write).
    application_count = NumberAttribute(null=True)
    event_count = NumberAttribute(null=True)
    activity_count = NumberAttribute(null=True)
    due_bucket = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    due_index = DueIndex()


class EventMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    recorded_at = UTCDateTimeAttribute()
    channel = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    scheduled_for = UTCDateTimeAttribute(null=True)
    imported_at = UTCDateTimeAttribute(null=True)


class ApplicationItem(BaseItem, discriminator="application"):
    id = UnicodeAttribute()
    company = UnicodeAttribute()
    role = UnicodeAttribute()
    applied_on = UnicodeAttribute()
    status = UnicodeAttribute()
    status_sk = UnicodeAttribute()
    source = UnicodeAttribute()
    url = UnicodeAttribute(null=True)
    contact_name = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    events = ListAttribute(of=EventMap, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    imported_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    by_status = ByStatusIndex()


class ActivityItem(BaseItem, discriminator="activity"):
    id = UnicodeAttribute()
    kind = UnicodeAttribute()
    date = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    imported_at = UTCDateTimeAttribute(null=True)


class SentEmailItem(BaseItem, discriminator="sent_email"):
    claim_key = UnicodeAttribute()
    local_date = UnicodeAttribute()
    kinds = ListAttribute(of=UnicodeAttribute, default=list)
    nudge_keys = ListAttribute(of=UnicodeAttribute, default=list)
    state = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)


class CalendarItem(BaseItem, discriminator="calendar"):
    """Leads from a calendar feed's secret (by its digest) to the user it belongs to."""

    user_id = UnicodeAttribute()


class LinkUsedItem(BaseItem, discriminator="link_used"):
    """An action link that has recorded its write (keyed by the token's digest).

    Lives in the user's partition (erased with it) and expires with the link.
    """

    expires_at = NumberAttribute()


class WatermarkItem(BaseItem, discriminator="watermark"):
    """The moment up to which the dispatcher has queued every due user (ISO UTC)."""

    through = UnicodeAttribute(null=True)


ITEM_CLASSES: tuple[type[BaseItem], ...] = (
    BaseItem,
    ProfileItem,
    ApplicationItem,
    ActivityItem,
    SentEmailItem,
    CalendarItem,
    LinkUsedItem,
    WatermarkItem,
)


def bind(table_name: str, *, region: str | None = None, host: str | None = None) -> None:
    """Point every model at `table_name` (and an endpoint, for the local stack)."""
    BaseItem.Meta.table_name = table_name
    if region:
        BaseItem.Meta.region = region
    BaseItem.Meta.host = host
    for cls in ITEM_CLASSES:
        cls._connection = None


def transaction_connection() -> Connection:
    """A connection for transactions on the bound table (the shared session's)."""
    return SharedSessionConnection(region=BaseItem.Meta.region, host=BaseItem.Meta.host)


# ------------------------------------------------------------------ mapping


def _opt_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def profile_from_item(item: ProfileItem) -> Profile:
    defaults = Profile(user_id=item.user_id, email="")
    return Profile(
        user_id=item.user_id,
        email=item.email or "",
        timezone=item.timezone or defaults.timezone,
        send_hour=int(item.send_hour if item.send_hour is not None else defaults.send_hour),
        break_days=int(item.break_days if item.break_days is not None else defaults.break_days),
        gap_days=int(item.gap_days if item.gap_days is not None else defaults.gap_days),
        digest_enabled=(
            item.digest_enabled if item.digest_enabled is not None else defaults.digest_enabled
        ),
        paused_until=_opt_date(item.paused_until),
        unsubscribed=bool(item.unsubscribed),
        suppressed=bool(item.suppressed),
        created_at=item.created_at,
        timezone_chosen=item.timezone is not None,
        name=item.name or None,
        usage=Usage(
            applications=int(item.application_count or 0),
            events=int(item.event_count or 0),
            activities=int(item.activity_count or 0),
        ),
    )


def last_activity_on(item: ProfileItem) -> date | None:
    """The latest local date with search activity, as stored on the profile."""
    return max((date.fromisoformat(d) for d in item.activity_days or ()), default=None)


def event_from_map(raw: EventMap) -> Event:
    return Event(
        id=raw.id,
        type=raw.type,  # type: ignore[arg-type]
        occurred_at=raw.occurred_at,
        recorded_at=raw.recorded_at,
        channel=raw.channel,  # type: ignore[arg-type]
        note=raw.note,
        scheduled_for=raw.scheduled_for,
        imported_at=raw.imported_at,
    )


def event_to_map(event: Event) -> EventMap:
    return EventMap(
        id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        channel=event.channel,
        note=event.note,
        scheduled_for=event.scheduled_for,
        imported_at=event.imported_at,
    )


def application_from_item(item: ApplicationItem) -> Application:
    return Application(
        id=item.id,
        company=item.company,
        role=item.role,
        applied_on=date.fromisoformat(item.applied_on),
        status=item.status,  # type: ignore[arg-type]
        source=item.source,  # type: ignore[arg-type]
        url=item.url,
        contact_name=item.contact_name,
        contact_email=item.contact_email,
        notes=item.notes,
        events=tuple(event_from_map(e) for e in item.events or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
        imported_at=item.imported_at,
    )


def application_to_item(
    user_id: str, app: Application, version: int | None = None
) -> ApplicationItem:
    assert app.created_at is not None and app.updated_at is not None
    item = ApplicationItem(
        pk=user_pk(user_id),
        sk=app_sk(app.id),
        id=app.id,
        company=app.company,
        role=app.role,
        applied_on=app.applied_on.isoformat(),
        status=app.status,
        status_sk=status_sort_key(app.status, app.id),
        source=app.source,
        url=app.url,
        contact_name=app.contact_name,
        contact_email=app.contact_email,
        notes=app.notes,
        events=[event_to_map(e) for e in app.events],
        created_at=app.created_at,
        updated_at=app.updated_at,
        imported_at=app.imported_at,
    )
    if version is not None:
        item.version = version
    return item


def activity_from_item(item: ActivityItem) -> Activity:
    return Activity(
        id=item.id,
        kind=item.kind,  # type: ignore[arg-type]
        date=date.fromisoformat(item.date),
        note=item.note,
        created_at=item.created_at,
        imported_at=item.imported_at,
    )


def activity_to_item(user_id: str, activity: Activity) -> ActivityItem:
    assert activity.created_at is not None
    return ActivityItem(
        pk=user_pk(user_id),
        sk=activity_sk(activity.date, activity.id),
        id=activity.id,
        kind=activity.kind,
        date=activity.date.isoformat(),
        note=activity.note,
        created_at=activity.created_at,
        imported_at=activity.imported_at,
    )


def sent_from_item(item: SentEmailItem) -> SentEmail:
    return SentEmail(
        claim_key=item.claim_key,
        local_date=date.fromisoformat(item.local_date),
        kinds=tuple(str(k) for k in item.kinds or ()),
        nudge_keys=tuple(str(k) for k in item.nudge_keys or ()),
        state=item.state,  # type: ignore[arg-type]
        claimed_at=item.claimed_at,
        sent_at=item.sent_at,
        message_id=item.message_id,
        subject=item.subject,
    )


def sent_to_item(user_id: str, sent: SentEmail) -> SentEmailItem:
    return SentEmailItem(
        pk=user_pk(user_id),
        sk=send_sk(sent.claim_key),
        claim_key=sent.claim_key,
        local_date=sent.local_date.isoformat(),
        kinds=list(sent.kinds),
        nudge_keys=list(sent.nudge_keys),
        state=sent.state,
        claimed_at=sent.claimed_at,
        sent_at=sent.sent_at,
        message_id=sent.message_id,
        subject=sent.subject,
    )


def utc_iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
