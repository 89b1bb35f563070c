"""Use cases of the records API: what each route does, independent of HTTP and storage.

Every function takes the caller's `Identity` (from the token, never from the body), a
`RecordStore` and `now`; ownership is enforced by the store's keys (a user's records
live in the user's own partition), so another user's id is simply not found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bounceback.domain.limits import Usage, over_ceiling
from bounceback.domain.model import Activity, Application, Event, Profile, UserState
from bounceback.domain.planner import activity_cutoff
from bounceback.domain.transitions import InvalidTransition, status_after
from bounceback.errors import Conflict, EmailNotVerified, Invalid, LimitReached, NotFound
from bounceback.ids import new_id
from bounceback.ports import Identity, Page, ProfileNotCurrent, RecordStore, SignIns

T = TypeVar("T")


def local_today(profile: Profile | None, now: datetime) -> date:
    zone = ZoneInfo(profile.timezone if profile else "UTC")
    return now.astimezone(zone).date()


# ------------------------------------------------------------------ profile


def _require_verified(identity: Identity, doing: str) -> None:
    if not identity.email or not identity.email_verified:
        raise EmailNotVerified(
            f"your e-mail address is not verified, so Bounceback cannot {doing}. Confirm it "
            "with the code your sign-in sent you, sign in again, and retry"
        )


def current_profile(
    store: RecordStore, identity: Identity, now: datetime, found: Profile | None = None
) -> Profile:
    """The caller's profile, made or brought up to date from the token.

    - No profile yet: created, but only from a token whose address is verified
      (else 403 `email_not_verified`: nothing is stored).
    - The token carries another address than the profile: a verified one replaces it
      (mail goes there from now on) and its suppression is looked up afresh; an
      unverified one changes nothing and answers 403.
    `found` is the profile when the caller has just read it.
    """
    profile = found if found is not None else store.get_profile(identity.user_id)
    if profile is None:
        _require_verified(identity, "create your profile")
        return store.create_profile(
            Profile(
                user_id=identity.user_id,
                email=identity.email,
                created_at=now,
                suppressed=store.address_suppressed(identity.email),
            )
        )
    if profile.email == identity.email:
        return profile
    _require_verified(identity, "change the address it mails to")
    moved = store.change_email(
        identity.user_id,
        profile.email,
        identity.email,
        store.address_suppressed(identity.email),
        now,
    )
    if moved is None:
        raise Conflict("your profile changed meanwhile; retry")
    return moved


def get_or_create_profile(store: RecordStore, identity: Identity, now: datetime) -> Profile:
    """The caller's profile; the first call creates it with the default preferences."""
    return current_profile(store, identity, now)


def check_room(store: RecordStore, identity: Identity, adding: Usage, now: datetime) -> Profile:
    """The caller's current profile, if it has room for `adding`; else 409 `limit_reached`.

    For writes that add many records at once (an import): call it before writing,
    and move the profile's counters in the same transactions as the records.
    """
    profile = current_profile(store, identity, now)
    problem = over_ceiling(profile.usage, adding)
    if problem is not None:
        raise LimitReached(problem)
    return profile


def _write(
    store: RecordStore, identity: Identity, now: datetime, adding: Usage, write: Callable[[], T]
) -> T:
    """Run a write whose profile condition may fail, then find out why and retry once.

    The common case costs nothing extra: the write's own condition checks the address
    and the ceilings. When it fails, the profile is read: missing or on another
    address (created or followed, or 403), or full (409).
    """
    try:
        return write()
    except ProfileNotCurrent:
        check_room(store, identity, adding, now)
    try:
        return write()
    except ProfileNotCurrent as exc:
        raise Conflict("your profile changed meanwhile; retry") from exc


def update_profile(
    store: RecordStore, identity: Identity, changes: Mapping[str, Any], now: datetime
) -> Profile:
    """Apply preference changes (already validated field by field).

    A pause ends on `paused_until` (inclusive, a local date): one that ended before
    today, in the zone the profile will have, would pause nothing, so it is refused.
    """
    paused_until: date | None = changes.get("paused_until")
    if paused_until is not None:
        profile = store.get_profile(identity.user_id)
        zone = changes.get("timezone") or (profile.timezone if profile else "UTC")
        if paused_until < now.astimezone(ZoneInfo(zone)).date():
            raise Invalid("paused_until", "must be today or later (the last day of the pause)")
    return _write(
        store, identity, now, Usage(), lambda: store.update_profile(identity, changes, now)
    )


def delete_user(store: RecordStore, sign_ins: SignIns, identity: Identity) -> None:
    """Erase everything stored for the caller, then the sign-in (its tokens stop working).

    The suppression list is not the user's data and stays: an address that bounced or
    complained is not mailed again after the profile is made anew.
    """
    store.delete_user(identity.user_id)
    sign_ins.delete(identity.user_id)


# ------------------------------------------------------------------ applications


def create_application(
    store: RecordStore, identity: Identity, fields: Mapping[str, Any], now: datetime
) -> Application:
    """Store a new application; `applied_on` defaults to today in the user's zone."""
    applied_on: date | None = fields.get("applied_on")
    if applied_on is None:
        applied_on = local_today(store.get_profile(identity.user_id), now)
    _reject_far_future("applied_on", applied_on, now)
    values = {k: v for k, v in fields.items() if k != "applied_on"}
    app = Application(
        id=new_id(now),
        applied_on=applied_on,
        created_at=now,
        updated_at=now,
        **values,
    )
    _write(
        store,
        identity,
        now,
        Usage(applications=1, events=len(app.events)),
        lambda: store.add_application(identity, app, now),
    )
    return app


def get_application(store: RecordStore, identity: Identity, app_id: str) -> Application:
    stored = store.get_application(identity.user_id, app_id)
    if stored is None:
        raise NotFound(f"no application with id {app_id}")
    return stored.application


def update_application(
    store: RecordStore,
    identity: Identity,
    app_id: str,
    changes: Mapping[str, Any],
    now: datetime,
) -> Application:
    """Edit an application's details; its status only moves through events."""
    stored = store.get_application(identity.user_id, app_id)
    if stored is None:
        raise NotFound(f"no application with id {app_id}")
    if "applied_on" in changes and changes["applied_on"] is not None:
        _reject_far_future("applied_on", changes["applied_on"], now)
    updated = replace(stored.application, **dict(changes), updated_at=now)
    activity_day = updated.applied_on if "applied_on" in changes else None
    _write(
        store,
        identity,
        now,
        Usage(),
        lambda: store.save_application(identity, stored, updated, activity_day, now),
    )
    return updated


def delete_application(store: RecordStore, identity: Identity, app_id: str, now: datetime) -> None:
    if not _write(
        store, identity, now, Usage(), lambda: store.delete_application(identity, app_id, now)
    ):
        raise NotFound(f"no application with id {app_id}")


def record_event(
    store: RecordStore,
    identity: Identity,
    app_id: str,
    fields: Mapping[str, Any],
    now: datetime,
) -> tuple[Event, Application]:
    """Add an event to an application and move its status (see docs/behaviour.md).

    A rejection needs its `channel`; other events must not carry one. Impossible
    status changes answer 409.
    """
    stored, profile = store.get_application_with_profile(identity.user_id, app_id)
    if stored is None:
        raise NotFound(f"no application with id {app_id}")
    event_type = fields["type"]
    channel = fields.get("channel")
    if event_type == "rejection" and channel is None:
        raise Invalid("channel", "a rejection needs the channel it came through")
    if event_type != "rejection" and channel is not None:
        raise Invalid("channel", "only a rejection has a channel")
    zone = ZoneInfo(profile.timezone if profile else "UTC")
    occurred_at: datetime | None = fields.get("occurred_at")
    if occurred_at is None:
        occurred_at = now
    elif occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=zone)
    if occurred_at > now + timedelta(minutes=5):
        raise Invalid("occurred_at", "must not be in the future")
    scheduled_for = _scheduled_for(fields, event_type, occurred_at, now)
    app = stored.application
    try:
        new_status = status_after(app.status, event_type)
    except InvalidTransition as exc:
        raise Conflict(str(exc)) from exc
    event = Event(
        id=new_id(now),
        type=event_type,
        occurred_at=occurred_at.astimezone(now.tzinfo),
        recorded_at=now,
        channel=channel,
        note=fields.get("note"),
        scheduled_for=scheduled_for,
    )
    events = tuple(sorted((*app.events, event), key=lambda e: e.occurred_at))
    if len(events) > MAX_EVENTS_PER_APPLICATION:
        raise Conflict(f"an application holds at most {MAX_EVENTS_PER_APPLICATION} events")
    updated = replace(app, status=new_status, events=events, updated_at=now)
    day = occurred_at.astimezone(zone).date()
    _write(
        store,
        identity,
        now,
        Usage(events=1),
        lambda: store.save_application(identity, stored, updated, day, now),
    )
    return event, updated


# How far ahead an interview may be scheduled, and how long before the event's
# `occurred_at` (docs/behaviour.md, "Interview prep").
SCHEDULE_AHEAD = timedelta(days=365)
SCHEDULE_BEFORE_OCCURRED = timedelta(days=1)


def _scheduled_for(
    fields: Mapping[str, Any], event_type: str, occurred_at: datetime, now: datetime
) -> datetime | None:
    start: datetime | None = fields.get("scheduled_for")
    if start is None:
        return None
    if event_type != "interview":
        raise Invalid("scheduled_for", "only an interview event can be scheduled")
    if start.tzinfo is None:
        raise Invalid("scheduled_for", "must include its UTC offset, like +01:00 or Z")
    if start > now + SCHEDULE_AHEAD:
        raise Invalid("scheduled_for", "must be at most 365 days from now")
    if start < occurred_at - SCHEDULE_BEFORE_OCCURRED:
        raise Invalid("scheduled_for", "must not be more than a day before occurred_at")
    return start.astimezone(now.tzinfo)


# Events live inside the application item; this keeps it far below DynamoDB's 400 KB.
MAX_EVENTS_PER_APPLICATION = 50


def list_applications(
    store: RecordStore, identity: Identity, status: str | None, limit: int, cursor: str | None
) -> Page:
    return store.list_applications(identity.user_id, status, limit, cursor)


# ------------------------------------------------------------------ activities


def log_activity(
    store: RecordStore, identity: Identity, fields: Mapping[str, Any], now: datetime
) -> Activity:
    day: date | None = fields.get("date")
    if day is None:
        day = local_today(store.get_profile(identity.user_id), now)
    _reject_far_future("date", day, now)
    activity = Activity(
        id=new_id(now), kind=fields["kind"], date=day, note=fields.get("note"), created_at=now
    )
    _write(
        store,
        identity,
        now,
        Usage(activities=1),
        lambda: store.add_activity(identity, activity, now),
    )
    return activity


def list_activities(
    store: RecordStore, identity: Identity, since: date | None, limit: int, cursor: str | None
) -> Page:
    return store.list_activities(identity.user_id, since, limit, cursor)


def _reject_far_future(field: str, day: date, now: datetime) -> None:
    # One day of slack: the user's local "today" can be UTC's tomorrow (UTC+14).
    if day > now.date() + timedelta(days=1):
        raise Invalid(field, "must not be in the future")


# ------------------------------------------------------------------ export


def load_state(store: RecordStore, identity: Identity, now: datetime) -> UserState:
    return _with_current_profile(store, identity, now, store.load_state(identity.user_id))


def load_planning_state(store: RecordStore, identity: Identity, now: datetime) -> UserState:
    """What the planner reads at `now` (its activity window), not the whole history."""
    loaded = store.load_state_for_planning(identity.user_id, activity_cutoff(now))
    return _with_current_profile(store, identity, now, loaded[0] if loaded else None)


def _with_current_profile(
    store: RecordStore, identity: Identity, now: datetime, state: UserState | None
) -> UserState:
    if state is None:
        return UserState(profile=current_profile(store, identity, now))
    if state.profile.email != identity.email:
        return replace(state, profile=current_profile(store, identity, now, state.profile))
    return state


CSV_COLUMNS = (
    "id",
    "company",
    "role",
    "status",
    "source",
    "applied_on",
    "url",
    "contact_name",
    "contact_email",
    "notes",
    "events",
    "created_at",
)

# A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def _csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def applications_csv(applications: tuple[Application, ...]) -> str:
    """Applications as CSV that a spreadsheet opens as text, never as formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for app in applications:
        events = "; ".join(
            f"{e.occurred_at.date().isoformat()} {e.type}"
            + (f" ({e.channel})" if e.channel else "")
            + (f" scheduled for {e.scheduled_for.isoformat()}" if e.scheduled_for else "")
            for e in app.events
        )
        row = (
            app.id,
            app.company,
            app.role,
            app.status,
            app.source,
            app.applied_on.isoformat(),
            app.url,
            app.contact_name,
            app.contact_email,
            app.notes,
            events,
            app.created_at.isoformat() if app.created_at else "",
        )
        writer.writerow([_csv_safe(v) for v in row])
    return out.getvalue()
