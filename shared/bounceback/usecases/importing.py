"""Importing applications (and, from an export, activities): what an import stores.

The HTTP layer reads the file (CSV or the JSON export) into drafts, row by row; this
use case decides what becomes a record (docs/behaviour.md, "Import"): duplicates of an
existing application or of an earlier row are counted, not stored; everything stored
is marked imported (`imported_at`), so the planner treats it as history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bounceback.domain.localtime import local_date
from bounceback.domain.model import (
    Activity,
    ActivityKind,
    Application,
    Event,
    EventType,
    RejectionChannel,
    Status,
    UserState,
)
from bounceback.ids import is_id, new_id
from bounceback.ports import Identity, ImportItem, RecordStore, usage_of
from bounceback.usecases.records import MAX_EVENTS_PER_APPLICATION, check_room

MAX_ROWS = 5_000
PREVIEW_ROWS = 50


@dataclass(frozen=True, slots=True)
class RowIssue:
    """An error (the row is skipped) or a note (the row is imported) about one row."""

    row: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class DraftEvent:
    type: EventType
    occurred_at: datetime
    channel: RejectionChannel | None = None
    note: str | None = None
    id: str | None = None
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DraftApplication:
    """One row as read from the file; ids and times the file lacks are made on import."""

    row: int
    company: str
    role: str
    applied_on: date
    status: Status
    events: tuple[DraftEvent, ...]
    source: Any = "other"
    url: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    notes: str | None = None
    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DraftActivity:
    row: int
    kind: ActivityKind
    date: date
    note: str | None = None
    id: str | None = None
    created_at: datetime | None = None


@dataclass(slots=True)
class ImportFile:
    """What the reader made of the file."""

    applications: list[DraftApplication] = field(default_factory=list)
    activities: list[DraftActivity] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)
    rows: int = 0  # data rows read


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    duplicates: int
    errors: tuple[RowIssue, ...]
    notes: tuple[RowIssue, ...]
    activities_created: int
    rows: int
    preview: tuple[tuple[int, Application], ...]  # (row, record) of the first rows kept


def duplicate_key(company: str, role: str, applied_on: date) -> tuple[str, str, str]:
    """Company, role and date, ignoring case and spacing."""

    def squash(text: str) -> str:
        return "".join(text.casefold().split())

    return squash(company), squash(role), applied_on.isoformat()


def import_records(
    store: RecordStore,
    identity: Identity,
    state: UserState,
    parsed: ImportFile,
    now: datetime,
    *,
    dry_run: bool,
) -> ImportResult:
    """Store the file's new records (unless `dry_run`) and say what happened to each row.

    `state` is the caller's stored state (`records.load_state`): duplicates are
    looked for in it.
    """
    tzname = state.profile.timezone
    seen_ids = {app.id for app in state.applications} | {a.id for a in state.activities}
    seen_keys = {duplicate_key(a.company, a.role, a.applied_on) for a in state.applications}
    errors = list(parsed.errors)
    duplicates = 0
    items: list[ImportItem] = []
    row_of: dict[str, int] = {}
    preview: list[tuple[int, Application]] = []
    for draft in parsed.applications:
        key = duplicate_key(draft.company, draft.role, draft.applied_on)
        if key in seen_keys or (draft.id is not None and draft.id in seen_ids):
            duplicates += 1
            continue
        if len(draft.events) > MAX_EVENTS_PER_APPLICATION:
            errors.append(
                RowIssue(
                    draft.row,
                    "events",
                    f"an application holds at most {MAX_EVENTS_PER_APPLICATION} events",
                )
            )
            continue
        seen_keys.add(key)
        app = _application(draft, now, seen_ids)
        seen_ids.add(app.id)
        days = {app.applied_on} | {local_date(e.occurred_at, tzname) for e in app.events}
        items.append(ImportItem(app, tuple(sorted(days))))
        row_of[app.id] = draft.row
        if len(preview) < PREVIEW_ROWS:
            preview.append((draft.row, app))
    activities = 0
    for act in parsed.activities:
        if act.id is not None and act.id in seen_ids:
            duplicates += 1
            continue
        activity = Activity(
            id=act.id if act.id and is_id(act.id) else new_id(now),
            kind=act.kind,
            date=act.date,
            note=act.note,
            created_at=act.created_at or now,
            imported_at=now,
        )
        seen_ids.add(activity.id)
        items.append(ImportItem(activity, (activity.date,)))
        row_of[activity.id] = act.row
        activities += 1
    created = len(items) - activities
    if items:
        # The account's ceilings hold for an import as for single writes (a dry run
        # says so too): the whole import is refused, nothing is stored.
        check_room(store, identity, usage_of(items), now)
    if not dry_run and items:
        failed = store.import_records(identity, items, now)
        for item in items:
            if item.record.id in failed:
                what = "activity" if isinstance(item.record, Activity) else "row"
                errors.append(
                    RowIssue(
                        row_of[item.record.id],
                        what,
                        "not stored: the database did not take it; send the same file "
                        "again to store what is missing",
                    )
                )
                if isinstance(item.record, Activity):
                    activities -= 1
                else:
                    created -= 1
    errors.sort(key=lambda issue: issue.row)
    return ImportResult(
        created=created,
        duplicates=duplicates,
        errors=tuple(errors),
        notes=tuple(sorted(parsed.notes, key=lambda issue: issue.row)),
        activities_created=activities,
        rows=parsed.rows,
        preview=tuple(preview),
    )


def _application(draft: DraftApplication, now: datetime, taken: set[str]) -> Application:
    app_id = draft.id if draft.id and is_id(draft.id) and draft.id not in taken else new_id(now)
    events = tuple(
        sorted(
            (
                Event(
                    id=e.id if e.id and is_id(e.id) else new_id(now),
                    type=e.type,
                    occurred_at=e.occurred_at,
                    recorded_at=e.recorded_at or now,
                    channel=e.channel,
                    note=e.note,
                    imported_at=now,
                )
                for e in draft.events
            ),
            key=lambda e: e.occurred_at,
        )
    )
    app = Application(
        id=app_id,
        company=draft.company,
        role=draft.role,
        applied_on=draft.applied_on,
        status=draft.status,
        source=draft.source,
        url=draft.url,
        contact_name=draft.contact_name,
        contact_email=draft.contact_email,
        notes=draft.notes,
        events=events,
        created_at=draft.created_at or now,
        updated_at=draft.updated_at or draft.created_at or now,
        imported_at=now,
    )
    return app
