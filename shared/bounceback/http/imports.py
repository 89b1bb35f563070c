"""Reading an import file (CSV, or the JSON of `GET /me/export`) into drafts, row by row.

A bad row becomes a `RowIssue` and is skipped; the whole file is refused only when it
cannot be read at all (not UTF-8: 400; no company or role column: 422; more than
`MAX_ROWS` rows: 413, decided as soon as the row after the last allowed one is met).
Field values are checked by the same pydantic types as the API's own bodies.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bounceback.domain.model import (
    EVENT_TYPES,
    REJECTION_CHANNELS,
    EventType,
    RejectionChannel,
    Status,
)
from bounceback.domain.transitions import InvalidTransition, status_after
from bounceback.errors import BadRequest, Invalid, PayloadTooLarge
from bounceback.http import schemas as s
from bounceback.http.import_format import (
    HEADER_FIELDS,
    SOURCES,
    STATUS_EVENT,
    STATUSES,
    DateOrder,
    parse_date,
    squash,
)
from bounceback.usecases.importing import (
    MAX_ROWS,
    DraftActivity,
    DraftApplication,
    DraftEvent,
    ImportFile,
    RowIssue,
)

_FORMULA_GUARD = re.compile(r"'(?=[=+\-@\t\r\n|%])")
_EXPORTED_EVENT = re.compile(r"(\d{4}-\d{2}-\d{2}) ([a-z_]+)(?: \(([a-z_]+)\))?")


def decode(body: bytes) -> str:
    """The body as text: UTF-8, with or without a byte-order mark."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(
            "the file is not UTF-8 text; save it as 'CSV UTF-8' (or UTF-8 JSON) and send it again"
        ) from None


def _too_many() -> PayloadTooLarge:
    return PayloadTooLarge(f"an import holds at most {MAX_ROWS} rows")


def _noon(day: date, zone: ZoneInfo) -> datetime:
    """An event known only by its date: noon local, so it stays on that date."""
    return datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)


def _field_errors(row: int, exc: ValidationError, prefix: str = "") -> list[RowIssue]:
    issues = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()))
        issues.append(RowIssue(row, prefix + (where or "row"), error.get("msg", "invalid")))
    return issues


# ------------------------------------------------------------------ CSV


def read_csv(
    text: str, order: DateOrder, zone: ZoneInfo, today: date
) -> tuple[ImportFile, dict[str, Any]]:
    """Drafts from a CSV, and what was understood of its header (for the preview)."""
    rows: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except (StopIteration, csv.Error):
        raise Invalid("file", "the file is empty: the first line must name the columns") from None
    columns: dict[int, str] = {}
    recognised: dict[str, str] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        found = HEADER_FIELDS.get(squash(name))
        if found is None or found in columns.values():
            if name.strip():
                ignored.append(name)
            continue
        columns[index] = found
        recognised[name] = found
    missing = [f for f in ("company", "role") if f not in columns.values()]
    if missing:
        raise Invalid(
            "header",
            f"no column for {' and '.join(missing)}; see the recognised headers in the docs",
        )
    own_export = {"id", "events", "created_at"} <= set(columns.values())
    parsed = ImportFile()
    number = 0
    try:
        for cells in rows:
            number += 1
            if number > MAX_ROWS:
                raise _too_many()
            if not any(c.strip() for c in cells):
                continue  # a blank line: nothing to import, nothing to report
            values = {field: cells[i].strip() for i, field in columns.items() if i < len(cells)}
            if own_export:
                values = {k: _FORMULA_GUARD.sub("", v, count=1) for k, v in values.items()}
            _read_row(number, values, order, zone, today, parsed)
    except csv.Error as exc:
        raise BadRequest(f"the CSV cannot be read after data row {number}: {exc}") from None
    parsed.rows = number
    info = {"columns": recognised, "ignored_columns": ignored}
    return parsed, info


def _read_row(
    row: int,
    values: Mapping[str, str],
    order: DateOrder,
    zone: ZoneInfo,
    today: date,
    parsed: ImportFile,
) -> None:
    errors: list[RowIssue] = []
    fields: dict[str, Any] = {
        name: values[name]
        for name in ("company", "role", "url", "contact_name", "contact_email", "notes")
        if values.get(name)
    }
    source_text = values.get("source", "")
    if source_text:
        source = SOURCES.get(squash(source_text))
        if source is None:
            parsed.notes.append(RowIssue(row, "source", f"'{source_text}' is not ours: other"))
            source = "other"
        fields["source"] = source
    applied_on: date | None = None
    if not values.get("applied_on"):
        errors.append(RowIssue(row, "applied_on", "the date applied is missing"))
    else:
        try:
            applied_on = parse_date(values["applied_on"], order)
        except ValueError as exc:
            errors.append(RowIssue(row, "applied_on", str(exc)))
        else:
            if applied_on > today + timedelta(days=1):
                errors.append(RowIssue(row, "applied_on", "must not be in the future"))
    try:
        checked = s.ApplicationIn.model_validate(fields)
    except ValidationError as exc:
        errors.extend(_field_errors(row, exc))
        checked = None
    status_text = values.get("status", "")
    status = "applied"
    if status_text:
        mapped = STATUSES.get(squash(status_text), "applied")
        if mapped is None:
            errors.append(
                RowIssue(row, "status", f"'{status_text}' means not applied yet: not imported")
            )
        else:
            if squash(status_text) not in STATUSES:
                parsed.notes.append(
                    RowIssue(row, "status", f"'{status_text}' is not a status we know: applied")
                )
            status = mapped
    channel = None
    if values.get("channel"):
        channel = values["channel"].strip().lower().replace(" ", "_").replace("-", "_")
        if channel not in REJECTION_CHANNELS:
            errors.append(RowIssue(row, "channel", f"'{values['channel']}' is not a channel"))
    if errors or checked is None or applied_on is None:
        parsed.errors.extend(errors)
        return
    events = _events_of(row, values.get("events", ""), status, channel, applied_on, zone, parsed)
    if events is None:
        return
    parsed.applications.append(
        DraftApplication(
            row=row,
            company=checked.company,
            role=checked.role,
            applied_on=applied_on,
            status=status,  # type: ignore[arg-type]
            events=events,
            source=checked.source,
            url=checked.url,
            contact_name=checked.contact_name,
            contact_email=checked.contact_email,
            notes=checked.notes,
            id=values.get("id") or None,
            created_at=_moment(values.get("created_at", "")),
        )
    )


def _moment(text: str) -> datetime | None:
    """The `created_at` of Bounceback's own CSV export; None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment is not None and moment.tzinfo else None


def _events_of(
    row: int,
    text: str,
    status: str,
    channel: str | None,
    applied_on: date,
    zone: ZoneInfo,
    parsed: ImportFile,
) -> tuple[DraftEvent, ...] | None:
    """The row's events: Bounceback's own `events` column, or one for its status."""
    events: list[DraftEvent] = []
    for part in (p.strip() for p in text.split(";") if p.strip()):
        match = _EXPORTED_EVENT.fullmatch(part)
        if match is None or match[2] not in EVENT_TYPES:
            parsed.errors.append(RowIssue(row, "events", f"'{part}' is not an event"))
            return None
        kind, said = match[2], match[3]
        events.append(
            DraftEvent(
                type=kind,  # type: ignore[arg-type]
                occurred_at=_noon(date.fromisoformat(match[1]), zone),
                channel=(said or "automated_email") if kind == "rejection" else None,  # type: ignore[arg-type]
            )
        )
    if not events and status in STATUS_EVENT:
        kind = STATUS_EVENT[status]
        events.append(
            DraftEvent(
                type=kind,  # type: ignore[arg-type]
                occurred_at=_noon(applied_on, zone),
                channel=(channel or "automated_email") if kind == "rejection" else None,  # type: ignore[arg-type]
            )
        )
    reached = _replay(events)
    if reached is None or reached != status:
        parsed.errors.append(
            RowIssue(row, "status", f"the events do not lead to the status '{status}'")
        )
        return None
    return tuple(events)


def _replay(events: list[DraftEvent]) -> str | None:
    status = "applied"
    try:
        for event in sorted(events, key=lambda e: e.occurred_at):
            status = status_after(status, event.type)  # type: ignore[arg-type]
    except InvalidTransition:
        return None
    return status


# ------------------------------------------------------------------ JSON (the export)


class _EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = None
    type: EventType
    occurred_at: s.IsoDateTime
    recorded_at: s.IsoDateTime | None = None
    channel: RejectionChannel | None = None
    note: s.Note | None = None


class _ApplicationIn(s.ApplicationIn):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = None
    applied_on: s.IsoDate
    status: Status = "applied"
    events: list[_EventIn] = Field(default_factory=list)
    created_at: s.IsoDateTime | None = None
    updated_at: s.IsoDateTime | None = None


class _ActivityIn(s.ActivityIn):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = None
    date: s.IsoDate
    created_at: s.IsoDateTime | None = None


def _aware(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def read_json(text: str, zone: ZoneInfo, today: date) -> ImportFile:
    """Drafts from the export's JSON: `applications` (rows 1…n), then `activities`."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(document, dict):
        raise BadRequest("the body must be a JSON object, as GET /me/export answers")
    apps = document.get("applications", [])
    acts = document.get("activities", [])
    if not isinstance(apps, list) or not isinstance(acts, list):
        raise Invalid("applications", "applications and activities must be lists")
    if len(apps) + len(acts) > MAX_ROWS:
        raise _too_many()
    parsed = ImportFile(rows=len(apps) + len(acts))
    for row, raw in enumerate(apps, start=1):
        try:
            app = _ApplicationIn.model_validate(raw)
        except ValidationError as exc:
            parsed.errors.extend(_field_errors(row, exc))
            continue
        if app.applied_on > today + timedelta(days=1):
            parsed.errors.append(RowIssue(row, "applied_on", "must not be in the future"))
            continue
        events = [
            DraftEvent(
                type=e.type,
                occurred_at=_aware(e.occurred_at, zone),  # type: ignore[arg-type]
                channel=e.channel if e.type == "rejection" else None,
                note=e.note,
                id=e.id,
                recorded_at=_aware(e.recorded_at, zone),
            )
            for e in app.events
        ]
        if any(e.type == "rejection" and e.channel is None for e in events):
            parsed.errors.append(RowIssue(row, "events.channel", "a rejection needs its channel"))
            continue
        if not events and app.status in STATUS_EVENT:
            kind = STATUS_EVENT[app.status]
            events.append(
                DraftEvent(
                    type=kind,  # type: ignore[arg-type]
                    occurred_at=_noon(app.applied_on, zone),
                    channel="automated_email" if kind == "rejection" else None,
                )
            )
        if _replay(events) != app.status:
            parsed.errors.append(
                RowIssue(row, "status", f"the events do not lead to the status '{app.status}'")
            )
            continue
        parsed.applications.append(
            DraftApplication(
                row=row,
                company=app.company,
                role=app.role,
                applied_on=app.applied_on,
                status=app.status,
                events=tuple(events),
                source=app.source,
                url=app.url,
                contact_name=app.contact_name,
                contact_email=app.contact_email,
                notes=app.notes,
                id=app.id,
                created_at=_aware(app.created_at, zone),
                updated_at=_aware(app.updated_at, zone),
            )
        )
    for row, raw in enumerate(acts, start=len(apps) + 1):
        try:
            act = _ActivityIn.model_validate(raw)
        except ValidationError as exc:
            parsed.errors.extend(_field_errors(row, exc, "activity."))
            continue
        parsed.activities.append(
            DraftActivity(
                row=row,
                kind=act.kind,
                date=act.date,
                note=act.note,
                id=act.id,
                created_at=_aware(act.created_at, zone),
            )
        )
    return parsed
