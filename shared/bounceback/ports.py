"""Ports: what the use cases need from the outside world, and the values they exchange.

Use cases (`bounceback.usecases`) call these protocols; adapters (`bounceback.adapters`)
implement them; the handlers (through `bounceback.wiring`) decide which adapter serves
which port. This module imports nothing of ours but the domain.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from bounceback.domain.limits import Usage
from bounceback.domain.model import Activity, Application, Profile, SentEmail, UserState

# ------------------------------------------------------------------ callers and records


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling, as the JWT authorizer vouched for it.

    `email_verified` is the token's claim: only a verified address may become (or
    replace) the profile's address, the one Bounceback mails.
    """

    user_id: str
    email: str
    email_verified: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[Any, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class StoredApplication:
    """An application with the storage version its next write must match."""

    application: Application
    version: int


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One record an import stores, with the local dates of search activity it adds."""

    record: Application | Activity
    days: tuple[date, ...]


def usage_of(items: Sequence[ImportItem]) -> Usage:
    """How many applications, events and activities `items` add (for the ceilings)."""
    apps = [i.record for i in items if isinstance(i.record, Application)]
    return Usage(
        applications=len(apps),
        events=sum(len(app.events) for app in apps),
        activities=len(items) - len(apps),
    )


class ProfileNotCurrent(Exception):
    """A write's condition on the profile failed: no profile yet, another address on it
    than the token's, or a ceiling reached. Nothing was written; the use case reads
    the profile to tell which, and retries once."""


class RecordStore(Protocol):
    """What the records use cases need from storage.

    Every write that touches the profile is conditional on it existing with the
    caller's address and on the ceilings (`domain.limits`); otherwise it raises
    `ProfileNotCurrent` and writes nothing.
    """

    def get_profile(self, user_id: str) -> Profile | None: ...

    def create_profile(self, profile: Profile) -> Profile: ...

    def change_email(
        self, user_id: str, old: str, new: str, suppressed: bool, now: datetime
    ) -> Profile | None: ...

    def address_suppressed(self, address: str) -> bool: ...

    def update_profile(
        self, identity: Identity, changes: Mapping[str, Any], now: datetime
    ) -> Profile: ...

    def delete_user(self, user_id: str) -> int: ...

    def add_application(self, identity: Identity, app: Application, now: datetime) -> None: ...

    def get_application(self, user_id: str, app_id: str) -> StoredApplication | None: ...

    def get_application_with_profile(
        self, user_id: str, app_id: str
    ) -> tuple[StoredApplication | None, Profile | None]: ...

    def save_application(
        self,
        identity: Identity,
        stored: StoredApplication,
        updated: Application,
        activity_day: date | None,
        now: datetime,
    ) -> None: ...

    def delete_application(self, identity: Identity, app_id: str, now: datetime) -> bool: ...

    def list_applications(
        self, user_id: str, status: str | None, limit: int, cursor: str | None
    ) -> Page: ...

    def add_activity(self, identity: Identity, activity: Activity, now: datetime) -> None: ...

    def list_activities(
        self, user_id: str, since: date | None, limit: int, cursor: str | None
    ) -> Page: ...

    def load_state(self, user_id: str) -> UserState | None: ...

    def load_state_for_planning(
        self, user_id: str, since: date | None = None
    ) -> tuple[UserState, int] | None:
        """As `PlanningStore.load_state_for_planning`: what the planner reads."""
        ...

    def import_records(
        self, identity: Identity, items: Sequence[ImportItem], now: datetime
    ) -> frozenset[str]:
        """Store new records in batches and touch the profile once; answer the ids of
        the records that could not be stored (the ones before them are stored)."""
        ...


class CalendarSecretTaken(Exception):
    """The calendar secret changed (or was created) by another request meanwhile."""


class CalendarStore(Protocol):
    """Where a user's calendar-feed secret lives, and the way back from it to the user."""

    def get_calendar_secret(self, user_id: str) -> str | None: ...

    def set_calendar_secret(self, user_id: str, new: str, old: str | None) -> None:
        """Make `new` the user's secret in place of `old` (None: there was none).

        Raises `CalendarSecretTaken` when the stored secret is no longer `old`.
        """
        ...

    def user_for_calendar(self, secret: str) -> str | None: ...

    def load_state(self, user_id: str) -> UserState | None: ...


class PlanningStore(Protocol):
    """The sender's view of storage: the state with its plan version, and the wake-up."""

    def load_state_for_planning(
        self, user_id: str, since: date | None = None
    ) -> tuple[UserState, int] | None:
        """The state with its plan version; with `since`, activities dated before it
        but the latest are left out (the planner's window: `since` must be at most
        `activity_cutoff(now)` of the plan)."""
        ...

    def mark_planned(self, user_id: str, seen_version: int, wake_at: datetime | None) -> bool: ...


# ------------------------------------------------------------------ claims and stop flags

StopFlag = Literal["unsubscribed", "suppressed"]


class ClaimResult(enum.Enum):
    CLAIMED = "claimed"
    TAKEN = "taken"  # another sender (or an earlier attempt) holds the key
    STOPPED = "stopped"  # the user unsubscribed, was suppressed, or is gone


class SuppressionList(Protocol):
    """Addresses that bounced or complained, kept as keyed hashes outside the users'
    partitions: an erasure (`DELETE /me`) does not forget them."""

    def is_suppressed(self, address: str) -> bool: ...

    def suppress(self, address: str, reason: str, now: datetime) -> None: ...


class SentMessages(Protocol):
    """Was `message_id` (SES's id) one of the e-mails we recorded as sent to this user?"""

    def sent_to(self, user_id: str, message_id: str) -> bool: ...


class SignIns(Protocol):
    """The user pool: `DELETE /me` removes the sign-in too, so its tokens stop working."""

    def delete(self, user_id: str) -> None: ...


class Stopper(Protocol):
    """Sets a user's stop flag; False when there is no such user."""

    def stop(self, user_id: str, flag: StopFlag) -> bool: ...


class Claims(Stopper, Protocol):
    def claim(self, user_id: str, email: SentEmail) -> ClaimResult: ...

    def mark_sent(
        self, user_id: str, claim_key: str, message_id: str, subject: str, sent_at: datetime
    ) -> None: ...

    def release(self, user_id: str, claim_key: str) -> bool: ...

    def mark_unknown(self, user_id: str, claim_key: str, claimed_at: datetime) -> bool: ...


# ------------------------------------------------------------------ outgoing e-mail


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str]
    user_id: str


class SendFailed(Exception):
    """The mail service did not accept the e-mail; `code` is its error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class TransientSendError(SendFailed):
    """Throttled or temporarily unavailable: nothing was sent; try again later."""


class AddressRejected(SendFailed):
    """The recipient was refused for good: stop mailing this user."""


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> str: ...


# Every e-mail carries its user's id in this tag; bounce notifications bring it back.
USER_TAG = "bb_user"


def user_tag_value(user_id: str) -> str:
    """The user id as a mail tag value (letters, digits, `-` and `_` only)."""
    return base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")


def user_from_tag(value: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode()


# ------------------------------------------------------------------ unsubscribe tokens


class InvalidToken(Exception):
    """Forged, truncated, malformed or expired."""


class TokenIssuer(Protocol):
    def issue(self, user_id: str, now: datetime) -> str: ...


class TokenVerifier(Protocol):
    def verify(self, token: str, now: datetime) -> str: ...


# ------------------------------------------------------------------ action tokens


@dataclass(frozen=True, slots=True)
class ActionGrant:
    """What a signed action link allows: one action, for one user (and application)."""

    user_id: str
    action: str
    application_id: str | None
    issued_at: datetime


class ActionTokens(Protocol):
    def issue(
        self, user_id: str, action: str, application_id: str | None, now: datetime
    ) -> str: ...

    def verify(self, token: str, now: datetime) -> ActionGrant:
        """The grant the token carries; raises `InvalidToken` otherwise."""
        ...


class AlreadyRecorded(Exception):
    """This action link was used before: its write happened once and not again."""


class ActionRecords(RecordStore, Protocol):
    """The record store, plus "at most once per link" for writes made from a link."""

    def once(self, user_id: str, link_key: str, keep_until: datetime) -> RecordStore:
        """A store whose next write also claims `link_key` in the user's partition, in
        the same transaction; raises `AlreadyRecorded` when the key was claimed before
        (and nothing is written)."""
        ...

    def was_used(self, user_id: str, link_key: str) -> bool: ...


# ------------------------------------------------------------------ rotating the signing key


class SecretVersions(Protocol):
    """The versions of the one secret a rotation function rotates (Secrets Manager)."""

    def names(self, secret_id: str) -> bool:
        """Whether `secret_id` (an ARN or a name) is this secret."""
        ...

    def rotation_enabled(self) -> bool: ...

    def stages(self) -> Mapping[str, list[str]]:
        """Version id -> its staging labels (AWSCURRENT, AWSPENDING, AWSPREVIOUS...)."""
        ...

    def value(self, version_id: str | None = None, stage: str = "AWSCURRENT") -> str | None:
        """The value of the version (`version_id`, else the one `stage` is on); None
        when that version has no value yet."""
        ...

    def put_pending(self, version_id: str, value: str) -> None:
        """Store `value` as version `version_id`, staged AWSPENDING."""
        ...

    def make_current(self, version_id: str, current_version_id: str) -> None:
        """Move AWSCURRENT from `current_version_id` to `version_id` (Secrets Manager
        moves AWSPREVIOUS to `current_version_id`)."""
        ...


class KeyUse(Protocol):
    """How signed links use a key: its public id, and unsubscribe tokens made and
    checked with that key alone (a rotation tests its new key with them)."""

    def key_id(self, key: str) -> str: ...

    def signer(self, key: str) -> TokenIssuer: ...

    def checker(self, key: str) -> TokenVerifier: ...


# ------------------------------------------------------------------ due users and the queue

# SQS SendMessageBatch's limit: the dispatcher queues at most this many bodies at once.
BATCH_SIZE = 10


@dataclass(frozen=True, slots=True)
class DueUser:
    user_id: str
    due_at: str


class DueSource(Protocol):
    def due_between(self, start: datetime, end: datetime) -> Iterable[DueUser]: ...

    def watermark(self) -> datetime | None: ...

    def advance_watermark(self, to: datetime) -> bool: ...


class BatchQueue(Protocol):
    def send_batch(self, bodies: Sequence[str]) -> None: ...
