"""`RecordStore` on DynamoDB through pynamodb.

Request budget per use case (counted by bench/api_requests.py):
reads and list pages are one request; a write is one transaction that stores the
record and touches the profile (activity day, plan version, due mark), plus one read
where the use case needs the current item. Every write that can change the user's plan
marks the user due *now* in the due index; the sender then re-plans and stores the
planner's real wake-up time (see `mark_planned`).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.connection import Connection
from pynamodb.exceptions import (
    DoesNotExist,
    PutError,
    PynamoDBException,
    TransactWriteError,
    UpdateError,
)
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from bounceback.adapters import dynamo as d
from bounceback.adapters.due_index import due_keys
from bounceback.domain.limits import CEILINGS, NOTHING, Usage
from bounceback.domain.model import Activity, Application, Profile, UserState
from bounceback.errors import BadRequest, Conflict
from bounceback.ports import (
    AlreadyRecorded,
    CalendarSecretTaken,
    Identity,
    ImportItem,
    Page,
    ProfileNotCurrent,
    RecordStore,
    StoredApplication,
    SuppressionList,
    usage_of,
)

logger = Logger(child=True)

# BatchWriteItem takes at most 25 puts; unprocessed ones are sent again after
# BACKOFF_S, doubling, at most BATCH_ATTEMPTS times in all.
BATCH_SIZE = 25
BATCH_ATTEMPTS = 6
BACKOFF_S = 0.05

# Profile counter of each kind of record (see `bounceback.domain.limits`).
_COUNTERS = {
    "applications": d.ProfileItem.application_count,
    "events": d.ProfileItem.event_count,
    "activities": d.ProfileItem.activity_count,
}


def _encode_cursor(payload: Mapping[str, str | None]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, expected: Mapping[str, str | None]) -> str:
    """The position stored in `cursor`; 400 when it was edited or made for another query."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("cursor is not one this API issued") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("after"), str):
        raise BadRequest("cursor is not one this API issued")
    for key, value in expected.items():
        if payload.get(key) != value:
            raise BadRequest(f"cursor was issued for a different {key}")
    after: str = payload["after"]
    return after


def _page(
    results: Any,
    convert: Callable[[Any], Any],
    query: Mapping[str, str | None],
    after: Callable[[Any, Any], str],
) -> Page:
    """One page of a newest-first query, with a cursor when DynamoDB says there is more.

    The cursor names the query it was made for (`query`) and the last item returned
    (`after(raw item, converted item)`), so it cannot be replayed against another one.
    """
    raw = list(results)
    items = tuple(convert(i) for i in raw)
    next_cursor = None
    if results.last_evaluated_key and raw:
        next_cursor = _encode_cursor({**query, "after": after(raw[-1], items[-1])})
    return Page(items, next_cursor)


def _condition_failed(error: TransactWriteError, index: int) -> bool:
    """True when the transaction's item at `index` failed its condition."""
    reasons = error.cancellation_reasons or []
    reason = reasons[index] if len(reasons) > index else None
    return reason is not None and reason.code == "ConditionalCheckFailed"


class _ClaimingTransaction(TransactWrite):
    """A transaction that also writes `marker`, on the condition it is new.

    The marker goes in as an update (which creates it), not a put: pynamodb orders a
    transaction's items condition checks, deletes, puts, then updates, so only as the
    last update is the marker the last item. Its cancellation reason is then the last
    one, and the indices the store reads for its own items stay what they are
    without a marker.
    """

    def __init__(self, marker: d.LinkUsedItem, connection: Connection) -> None:
        super().__init__(connection=connection)
        self._marker = marker

    def _commit(self) -> Any:
        item = d.LinkUsedItem
        self.update(
            self._marker,
            actions=[
                item.item_type.set(item),
                item.expires_at.set(self._marker.expires_at),
            ],
            condition=item.sk.does_not_exist(),
        )
        try:
            return super()._commit()
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            last = reasons[-1] if reasons else None
            if last is not None and last.code == "ConditionalCheckFailed":
                raise AlreadyRecorded("this link was used before") from exc
            raise


class DynamoRecordStore:
    """The table of `bounceback.adapters.dynamo`, one partition per user."""

    def __init__(
        self,
        connection: Connection | None = None,
        marker: d.LinkUsedItem | None = None,
        suppressions: SuppressionList | None = None,
    ) -> None:
        self._connection = connection
        self._marker = marker
        self._suppressions = suppressions

    def address_suppressed(self, address: str) -> bool:
        """Is `address` on the suppression list (its own table, see `adapters.suppression`)?"""
        return self._suppressions is not None and self._suppressions.is_suppressed(address)

    def _transaction_connection(self) -> Connection:
        if self._connection is None:
            self._connection = d.transaction_connection()
        return self._connection

    def _transaction(self) -> TransactWrite:
        connection = self._transaction_connection()
        if self._marker is not None:
            return _ClaimingTransaction(self._marker, connection)
        return TransactWrite(connection=connection)

    # -------------------------------------------------------------- action links

    def once(self, user_id: str, link_key: str, keep_until: datetime) -> RecordStore:
        """This store, with every write also claiming the link (see `ActionRecords`)."""
        marker = d.LinkUsedItem(
            d.user_pk(user_id), d.used_sk(link_key), expires_at=int(keep_until.timestamp())
        )
        return DynamoRecordStore(self._transaction_connection(), marker, self._suppressions)

    def was_used(self, user_id: str, link_key: str) -> bool:
        try:
            d.LinkUsedItem.get(d.user_pk(user_id), d.used_sk(link_key))
        except DoesNotExist:
            return False
        return True

    # -------------------------------------------------------------- profile

    def get_profile(self, user_id: str) -> Profile | None:
        try:
            item = d.ProfileItem.get(d.user_pk(user_id), d.PROFILE_SK)
        except DoesNotExist:
            return None
        return d.profile_from_item(item)

    def create_profile(self, profile: Profile) -> Profile:
        item = d.ProfileItem(
            pk=d.user_pk(profile.user_id),
            sk=d.PROFILE_SK,
            user_id=profile.user_id,
            email=profile.email,
            suppressed=profile.suppressed or None,
            created_at=profile.created_at,
            plan_version=0,
        )
        try:
            item.save(condition=d.ProfileItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            existing = self.get_profile(profile.user_id)
            assert existing is not None
            return existing
        return profile

    def change_email(
        self, user_id: str, old: str, new: str, suppressed: bool, now: datetime
    ) -> Profile | None:
        """Move the profile to a new (verified) address, if it still has `old`.

        `suppressed` is the new address's standing: the old one's does not carry over.
        None when the profile is gone or changed meanwhile.
        """
        p = d.ProfileItem
        bucket, due_at = due_keys(user_id, now)
        actions: list[Action] = [
            p.email.set(new),
            p.plan_version.add(1),
            p.due_bucket.set(bucket),
            p.due_at.set(due_at),
            p.suppressed.set(True) if suppressed else p.suppressed.remove(),
        ]
        item = p(d.user_pk(user_id), d.PROFILE_SK)
        try:
            item.update(actions=actions, condition=p.pk.exists() & (p.email == old))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return d.profile_from_item(item)

    def _touch_actions(
        self,
        identity: Identity,
        now: datetime,
        activity_day: date | None = None,
        usage: Usage = NOTHING,
    ) -> list[Action]:
        """Profile updates that go with every plan-changing write.

        They record the day of search activity, move the record counters by `usage`
        (negative on deletes), bump the plan version and mark the user due now.
        """
        p = d.ProfileItem
        bucket, due_at = due_keys(identity.user_id, now)
        actions: list[Action] = [
            p.plan_version.add(1),
            p.due_bucket.set(bucket),
            p.due_at.set(due_at),
        ]
        if activity_day is not None:
            actions.append(p.activity_days.add({activity_day.isoformat()}))
        for kind, counter in _COUNTERS.items():
            if getattr(usage, kind):
                actions.append(counter.add(getattr(usage, kind)))
        return actions

    @staticmethod
    def _profile_condition(identity: Identity, adding: Usage = NOTHING) -> Condition:
        """The profile exists, has the caller's address, and has room for `adding`.

        Checked in the write itself: no read, and no write can race past a ceiling.
        """
        p = d.ProfileItem
        condition: Condition = p.pk.exists() & (p.email == identity.email)
        for kind, counter in _COUNTERS.items():
            more = getattr(adding, kind)
            if more > 0:
                room = getattr(CEILINGS, kind) - more
                condition &= counter.does_not_exist() | (counter <= room)
        return condition

    def _touch(
        self,
        tx: TransactWrite,
        identity: Identity,
        now: datetime,
        activity_day: date | None = None,
        usage: Usage = NOTHING,
    ) -> None:
        tx.update(
            d.ProfileItem(d.user_pk(identity.user_id), d.PROFILE_SK),
            actions=self._touch_actions(identity, now, activity_day, usage),
            condition=self._profile_condition(identity, usage),
        )

    def update_profile(
        self, identity: Identity, changes: Mapping[str, Any], now: datetime
    ) -> Profile:
        p = d.ProfileItem
        actions = self._touch_actions(identity, now)
        for name, value in changes.items():
            attribute = getattr(p, name)
            if value is None:
                actions.append(attribute.remove())
            elif isinstance(value, date):
                actions.append(attribute.set(value.isoformat()))
            else:
                actions.append(attribute.set(value))
        item = p(d.user_pk(identity.user_id), d.PROFILE_SK)
        condition = self._profile_condition(identity)
        if self._marker is not None:
            # From an action link: the update and the link's claim in one transaction.
            try:
                with self._transaction() as tx:
                    tx.update(item, actions=actions, condition=condition)
            except TransactWriteError as exc:
                if _condition_failed(exc, 0):
                    raise ProfileNotCurrent from exc
                raise
            fresh = self.get_profile(identity.user_id)
            assert fresh is not None
            return fresh
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise ProfileNotCurrent from exc
            raise
        return d.profile_from_item(item)

    def delete_user(self, user_id: str) -> int:
        """Every item of the user's partition, and the calendar secret's lookup item."""
        keys = list(
            d.BaseItem.query(
                d.user_pk(user_id),
                attributes_to_get=["pk", "sk", "item_type", "calendar_secret"],
                page_size=500,
            )
        )
        lookups = [
            d.CalendarItem(d.calendar_pk(d.secret_digest(item.calendar_secret)), d.CALENDAR_SK)
            for item in keys
            if isinstance(item, d.ProfileItem) and item.calendar_secret
        ]
        with d.BaseItem.batch_write() as batch:
            for item in keys:
                batch.delete(item)
        # On its own: the role may reach CAL# items only item by item.
        for lookup in lookups:
            lookup.delete()
        return len(keys) + len(lookups)

    # -------------------------------------------------------------- calendar feed

    def get_calendar_secret(self, user_id: str) -> str | None:
        try:
            item = d.ProfileItem.get(
                d.user_pk(user_id), d.PROFILE_SK, attributes_to_get=["calendar_secret"]
            )
        except DoesNotExist:
            return None
        return item.calendar_secret or None

    def set_calendar_secret(self, user_id: str, new: str, old: str | None) -> None:
        """One transaction: the new lookup item, the profile's secret, the old item gone."""
        p = d.ProfileItem
        stored = p.calendar_secret.does_not_exist() if old is None else p.calendar_secret == old
        try:
            with self._transaction() as tx:
                tx.update(
                    p(d.user_pk(user_id), d.PROFILE_SK),
                    actions=[p.calendar_secret.set(new)],
                    condition=p.pk.exists() & stored,
                )
                tx.save(
                    d.CalendarItem(
                        pk=d.calendar_pk(d.secret_digest(new)), sk=d.CALENDAR_SK, user_id=user_id
                    ),
                    condition=d.CalendarItem.pk.does_not_exist(),
                )
                if old is not None:
                    tx.delete(d.CalendarItem(d.calendar_pk(d.secret_digest(old)), d.CALENDAR_SK))
        except TransactWriteError as exc:
            if _condition_failed(exc, 0):
                raise CalendarSecretTaken from exc
            raise

    def user_for_calendar(self, secret: str) -> str | None:
        """The user whose feed `secret` opens: one GetItem."""
        try:
            item = d.CalendarItem.get(d.calendar_pk(d.secret_digest(secret)), d.CALENDAR_SK)
        except DoesNotExist:
            return None
        return item.user_id

    # -------------------------------------------------------------- applications

    def add_application(self, identity: Identity, app: Application, now: datetime) -> None:
        item = d.application_to_item(identity.user_id, app)
        usage = Usage(applications=1, events=len(app.events))
        try:
            with self._transaction() as tx:
                tx.save(item, condition=d.ApplicationItem.sk.does_not_exist())
                self._touch(tx, identity, now, app.applied_on, usage)
        except TransactWriteError as exc:
            if _condition_failed(exc, 1):
                raise ProfileNotCurrent from exc
            raise

    def get_application(self, user_id: str, app_id: str) -> StoredApplication | None:
        try:
            item = d.ApplicationItem.get(d.user_pk(user_id), d.app_sk(app_id))
        except DoesNotExist:
            return None
        return StoredApplication(d.application_from_item(item), int(item.version or 0))

    def get_application_with_profile(
        self, user_id: str, app_id: str
    ) -> tuple[StoredApplication | None, Profile | None]:
        pk = d.user_pk(user_id)
        stored: StoredApplication | None = None
        profile: Profile | None = None
        for item in d.BaseItem.batch_get([(pk, d.app_sk(app_id)), (pk, d.PROFILE_SK)]):
            if isinstance(item, d.ApplicationItem):
                stored = StoredApplication(d.application_from_item(item), int(item.version or 0))
            elif isinstance(item, d.ProfileItem):
                profile = d.profile_from_item(item)
        return stored, profile

    def save_application(
        self,
        identity: Identity,
        stored: StoredApplication,
        updated: Application,
        activity_day: date | None,
        now: datetime,
    ) -> None:
        item = d.application_to_item(identity.user_id, updated, version=stored.version)
        usage = Usage(events=len(updated.events) - len(stored.application.events))
        try:
            with self._transaction() as tx:
                # Saved whole, on the version that was read: a concurrent edit fails
                # this write instead of being silently overwritten.
                tx.save(item)
                self._touch(tx, identity, now, activity_day, usage)
        except TransactWriteError as exc:
            if _condition_failed(exc, 1):
                raise ProfileNotCurrent from exc
            if _condition_failed(exc, 0):
                raise Conflict(
                    "the application changed meanwhile; read it again and retry"
                ) from exc
            raise

    def delete_application(self, identity: Identity, app_id: str, now: datetime) -> bool:
        """Delete it and count its events off the profile (read first for that count)."""
        stored = self.get_application(identity.user_id, app_id)
        if stored is None:
            return False
        item = d.ApplicationItem(d.user_pk(identity.user_id), d.app_sk(app_id))
        usage = Usage(applications=-1, events=-len(stored.application.events))
        same_version = d.ApplicationItem.version == stored.version
        if stored.version == 0:
            same_version = same_version | d.ApplicationItem.version.does_not_exist()
        try:
            with self._transaction() as tx:
                tx.delete(
                    item,
                    condition=d.ApplicationItem.sk.exists() & same_version,
                    add_version_condition=False,
                )
                self._touch(tx, identity, now, usage=usage)
        except TransactWriteError as exc:
            if _condition_failed(exc, 1):
                raise ProfileNotCurrent from exc
            if _condition_failed(exc, 0):
                raise Conflict(
                    "the application changed meanwhile; read it again and retry"
                ) from exc
            raise
        return True

    def list_applications(
        self, user_id: str, status: str | None, limit: int, cursor: str | None
    ) -> Page:
        pk = d.user_pk(user_id)
        start: dict[str, dict[str, str]] | None = None
        if cursor:
            after = _decode_cursor(cursor, {"of": "applications", "status": status})
            start = {"pk": {"S": pk}, "sk": {"S": d.app_sk(after)}}
            if status:
                start["status_sk"] = {"S": d.status_sort_key(status, after)}
        if status:
            query: Any = d.ApplicationItem.by_status.query
            condition = d.ApplicationItem.status_sk.startswith(f"{status}#")
        else:
            query = d.ApplicationItem.query
            condition = d.ApplicationItem.sk.startswith(d.APP_PREFIX)
        return _page(
            query(
                pk,
                condition,
                scan_index_forward=False,
                limit=limit,
                page_size=limit,
                last_evaluated_key=start,
            ),
            d.application_from_item,
            {"of": "applications", "status": status},
            lambda raw, app: app.id,
        )

    # -------------------------------------------------------------- activities

    def add_activity(self, identity: Identity, activity: Activity, now: datetime) -> None:
        try:
            with self._transaction() as tx:
                tx.save(d.activity_to_item(identity.user_id, activity))
                self._touch(tx, identity, now, activity.date, Usage(activities=1))
        except TransactWriteError as exc:
            if _condition_failed(exc, 1):
                raise ProfileNotCurrent from exc
            raise

    def list_activities(
        self, user_id: str, since: date | None, limit: int, cursor: str | None
    ) -> Page:
        pk = d.user_pk(user_id)
        since_key = since.isoformat() if since else None
        start = None
        if cursor:
            after = _decode_cursor(cursor, {"of": "activities", "since": since_key})
            if not after.startswith(d.ACT_PREFIX):
                raise BadRequest("cursor is not one this API issued")
            start = {"pk": {"S": pk}, "sk": {"S": after}}
        lower = d.ACT_PREFIX + (since_key or "")
        condition = d.ActivityItem.sk.between(lower, d.ACT_PREFIX + "\uffff")
        return _page(
            d.ActivityItem.query(
                pk,
                condition,
                scan_index_forward=False,
                limit=limit,
                page_size=limit,
                last_evaluated_key=start,
            ),
            d.activity_from_item,
            {"of": "activities", "since": since_key},
            lambda raw, activity: str(raw.sk),
        )

    # -------------------------------------------------------------- import

    def import_records(
        self,
        identity: Identity,
        items: Sequence[ImportItem],
        now: datetime,
        sleep: Callable[[float], None] = time.sleep,
    ) -> frozenset[str]:
        """Put new records 25 to a request, then touch the profile once for all.

        Unprocessed items (throttling) are sent again with exponential backoff. When a
        batch still fails, the import stops there: earlier batches stay stored, and the
        ids of this batch and every later one are answered as not stored. The profile
        is touched for what was stored (activity days, plan version, due now).
        The records are new (the use case left out every id already stored), so the
        puts carry no condition: BatchWriteItem has none.
        """
        stored_days: set[date] = set()
        failed: list[str] = []
        stored: list[ImportItem] = []
        for start in range(0, len(items), BATCH_SIZE):
            chunk = items[start : start + BATCH_SIZE]
            if failed or not self._put_batch(
                [self._import_item(identity, i) for i in chunk], sleep
            ):
                failed.extend(i.record.id for i in chunk)
                continue
            stored.extend(chunk)
            for item in chunk:
                stored_days.update(item.days)
        if stored:
            p = d.ProfileItem
            # The record counters move by what was stored (the ceilings' bookkeeping).
            actions = self._touch_actions(identity, now, usage=usage_of(stored))
            if stored_days:
                actions.append(p.activity_days.add({day.isoformat() for day in stored_days}))
            p(d.user_pk(identity.user_id), d.PROFILE_SK).update(actions=actions)
        return frozenset(failed)

    @staticmethod
    def _import_item(identity: Identity, item: ImportItem) -> d.BaseItem:
        record = item.record
        if isinstance(record, Application):
            # What `save()` would set for a new item: the next edit expects version 1.
            return d.application_to_item(identity.user_id, record, version=1)
        return d.activity_to_item(identity.user_id, record)

    @staticmethod
    def _put_batch(models: Sequence[d.BaseItem], sleep: Callable[[float], None]) -> bool:
        """One BatchWriteItem of up to 25 puts, retrying unprocessed ones; False if some
        could not be written."""
        connection = d.BaseItem._get_connection()  # the table connection pynamodb's batches use
        table = d.BaseItem.Meta.table_name
        pending: list[Any] = [m.serialize() for m in models]
        delay = BACKOFF_S
        for attempt in range(BATCH_ATTEMPTS):
            if attempt:
                sleep(delay)
                delay *= 2
            try:
                answer = connection.batch_write_item(put_items=pending)
            except PynamoDBException:
                logger.warning("BatchWriteItem failed (attempt %d)", attempt + 1, exc_info=True)
                continue
            unprocessed = (answer or {}).get("UnprocessedItems", {}).get(table) or []
            if not unprocessed:
                return True
            pending = [request["PutRequest"]["Item"] for request in unprocessed]
        return False

    # -------------------------------------------------------------- whole state

    def load_state(self, user_id: str) -> UserState | None:
        """Everything in the user's partition, in one query (paged past 1 MB)."""
        return _state_from_items(d.BaseItem.query(d.user_pk(user_id)))

    # -------------------------------------------------------------- sender's re-plan

    def load_state_for_planning(
        self, user_id: str, since: date | None = None
    ) -> tuple[UserState, int] | None:
        """The state the planner reads, plus the profile's `plan_version` read with it.

        With `since` (at most `activity_cutoff(now)` of the plan it is for), activities
        dated before it are left out but for the latest one (see
        `bounceback.domain.planner.window`): one query from ``ACT#<since>`` to the end
        of the partition (recent activities, applications, profile, sent e-mails) and
        one that reads the single latest key before it. Without `since`, the whole
        partition, as `load_state`.

        The version is what `mark_planned` must still find for its wake-up time to be
        stored (a write that raced in keeps the user due now).
        """
        items = list(self._planning_items(user_id, since))
        state = _state_from_items(items)
        if state is None:
            return None
        version = next((int(i.plan_version or 0) for i in items if isinstance(i, d.ProfileItem)), 0)
        return state, version

    @staticmethod
    def _planning_items(user_id: str, since: date | None) -> Iterable[d.BaseItem]:
        pk = d.user_pk(user_id)
        if since is None:
            yield from d.BaseItem.query(pk)
            return
        first = d.activity_sk_prefix(since)
        yield from d.BaseItem.query(
            pk,
            d.BaseItem.sk.between(d.ACT_PREFIX, first),
            scan_index_forward=False,
            limit=1,
        )
        yield from d.BaseItem.query(pk, d.BaseItem.sk >= first)

    def mark_planned(self, user_id: str, seen_version: int, wake_at: datetime | None) -> bool:
        """Store the user's next wake-up in the due index, or take the user out of it.

        Only when `plan_version` is still `seen_version`; returns False (and changes
        nothing) when another write changed the plan meanwhile or the user is gone.
        """
        p = d.ProfileItem
        actions: list[Action]
        if wake_at is None:
            actions = [p.due_bucket.remove(), p.due_at.remove()]
        else:
            bucket, due_at = due_keys(user_id, wake_at)
            actions = [p.due_bucket.set(bucket), p.due_at.set(due_at)]
        same_version = p.plan_version == seen_version
        if seen_version == 0:
            same_version = same_version | p.plan_version.does_not_exist()
        try:
            p(d.user_pk(user_id), d.PROFILE_SK).update(
                actions=actions, condition=p.pk.exists() & same_version
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _state_from_items(items: Iterable[d.BaseItem]) -> UserState | None:
    profile: Profile | None = None
    applications: list[Application] = []
    activities: list[Activity] = []
    sent = []
    for item in items:
        if isinstance(item, d.ProfileItem):
            profile = d.profile_from_item(item)
        elif isinstance(item, d.ApplicationItem):
            applications.append(d.application_from_item(item))
        elif isinstance(item, d.ActivityItem):
            activities.append(d.activity_from_item(item))
        elif isinstance(item, d.SentEmailItem):
            sent.append(d.sent_from_item(item))
    if profile is None:
        return None
    return UserState(
        profile=profile,
        applications=tuple(applications),
        activities=tuple(activities),
        sent=tuple(sent),
    )
