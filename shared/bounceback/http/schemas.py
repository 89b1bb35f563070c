"""Request and response bodies of the HTTP API, as pydantic models.

Powertools validates requests against these and generates the OpenAPI document
from them, so the contract and the checks cannot drift apart. Unknown fields are
refused (422): a body can never name another user or set what only we may set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from bounceback.domain.model import (
    ActivityKind,
    Application,
    EventType,
    Profile,
    RejectionChannel,
    Source,
    Status,
)
from bounceback.usecases.importing import ImportResult, RowIssue

# `date` is also a field name below; this alias keeps the type reachable there.
Day = date

# Each pattern below comes with the plain words a 422 says when a value misses it:
# nobody should have to read a regular expression to fix what they typed.
ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
ONE_LINE_OR_EMPTY = r"^[^\x00-\x1f\x7f]*$"
FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
WEB_ADDRESS = r"^https?://[^\s\x00-\x1f\x7f]+$"
EMAIL_ADDRESS = (
    r"^[^@\s\x00-\x1f\x7f<>\"',;]+@[^@\s\x00-\x1f\x7f<>\"',;]+\.[^@\s\x00-\x1f\x7f<>\"',;]+$"
)
PRINTABLE_ASCII = r"^[\x21-\x7e]+$"
EXPORT_FORMAT = "^(json|csv)$"

PATTERN_WORDS = {
    ONE_LINE: "must be one line of text, without line breaks or control characters",
    ONE_LINE_OR_EMPTY: "must be one line of text, without line breaks or control characters",
    FREE_TEXT: "must not contain control characters (line breaks and tabs are fine)",
    WEB_ADDRESS: "must start with http:// or https:// and contain no spaces",
    EMAIL_ADDRESS: "must be an e-mail address such as name@example.com",
    PRINTABLE_ASCII: "must be printable ASCII characters without spaces",
    EXPORT_FORMAT: "must be json or csv",
}
"""What a value that does not match each pattern is told, in plain words."""

# One line of text: no control characters (they would end up in e-mail headers).
Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=ONE_LINE),
]
OptionalLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200, pattern=ONE_LINE_OR_EMPTY),
]
# Free text: newlines and tabs allowed, other control characters not.
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=5000, pattern=FREE_TEXT),
]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=WEB_ADDRESS),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_ADDRESS),
]


def _written_as(pattern: str, example: str) -> Callable[[Any], Any]:
    """Accept a date (or date-time) only as ISO text, as the contract's `format` says.

    Pydantic's lax mode would also read numbers as Unix times ("0" -> 1970-01-01):
    a typo would silently become a date in 1970.
    """
    shape = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, date) or (isinstance(value, str) and shape.fullmatch(value.strip())):
            return value
        raise ValueError(f"must be written like {example}")

    return check


IsoDate = Annotated[date, BeforeValidator(_written_as(r"\d{4}-\d{2}-\d{2}", "2027-02-01"))]
IsoDateTime = Annotated[
    datetime,
    BeforeValidator(
        _written_as(
            r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?",
            "2027-02-03T15:00:00+01:00",
        )
    ),
]

# A moment that must say its UTC offset (a start time is meaningless without one).
IsoDateTimeWithOffset = Annotated[
    datetime,
    BeforeValidator(
        _written_as(
            r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})",
            "2027-02-03T15:00:00+01:00 (with its UTC offset)",
        )
    ),
]


def _iana_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone name such as Europe/Berlin") from exc
    return name


TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_iana_zone)]


def _one_line(name: str) -> str | None:
    if any(not ch.isprintable() for ch in name):
        raise ValueError("must be one line, without line breaks or other control characters")
    return name or None  # an empty name clears it


# What the e-mails call the user: one line, at most 80 characters; "" or null clears it.
PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=80), AfterValidator(_one_line)
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def changes(self) -> dict[str, Any]:
        """The fields the caller actually sent (PATCH semantics)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _never_null(*names: str) -> Callable[[dict[str, Any]], None]:
    """Document PATCH fields that may be left out but not sent as null.

    Python needs `None` as their "not sent" default; the contract must not offer
    null to clients, since the model's validator refuses it.
    """

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            field = schema["properties"][name]
            kinds = [kind for kind in field.pop("anyOf", []) if kind.get("type") != "null"]
            field.update(kinds[0] if len(kinds) == 1 else {"anyOf": kinds})
            field.pop("default", None)

    return edit


def _not_null(value: Any) -> Any:
    """A PATCH field that may be left out, but not cleared (the 422 names the field)."""
    if value is None:
        raise ValueError("cannot be null")
    return value


class ProfilePatch(_Input):
    model_config = ConfigDict(
        json_schema_extra=_never_null(
            "timezone", "send_hour", "break_days", "gap_days", "digest_enabled", "unsubscribed"
        )
    )

    # Strict numbers and booleans: JSON `true` is not hour 1, nor `"1"` a yes.
    timezone: TimeZoneName | None = None
    send_hour: Annotated[int, Field(ge=0, le=23, strict=True)] | None = None
    break_days: Annotated[int, Field(ge=1, le=7, strict=True)] | None = None
    gap_days: Annotated[int, Field(ge=2, le=14, strict=True)] | None = None
    digest_enabled: Annotated[bool, Field(strict=True)] | None = None
    paused_until: IsoDate | None = None
    unsubscribed: Annotated[bool, Field(strict=True)] | None = None
    name: PersonName | None = None

    _only_pause_may_be_cleared = field_validator(
        "timezone", "send_hour", "break_days", "gap_days", "digest_enabled", "unsubscribed"
    )(_not_null)


class ApplicationIn(_Input):
    company: Line
    role: Line
    source: Source = "other"
    applied_on: IsoDate | None = None
    url: Url | None = None
    contact_name: OptionalLine | None = None
    contact_email: Email | None = None
    notes: Note | None = None


class ApplicationPatch(_Input):
    model_config = ConfigDict(
        json_schema_extra=_never_null("company", "role", "source", "applied_on")
    )

    company: Line | None = None
    role: Line | None = None
    source: Source | None = None
    applied_on: IsoDate | None = None
    url: Url | None = None
    contact_name: OptionalLine | None = None
    contact_email: Email | None = None
    notes: Note | None = None

    _required_fields_stay = field_validator("company", "role", "source", "applied_on")(_not_null)


class EventIn(_Input):
    type: EventType
    channel: RejectionChannel | None = None
    occurred_at: IsoDateTime | None = None
    note: Note | None = None
    scheduled_for: IsoDateTimeWithOffset | None = Field(
        default=None,
        description="An interview's start, with its UTC offset: at most 365 days from now "
        "and at most a day before occurred_at. Only for type interview.",
    )


class ActivityIn(_Input):
    kind: ActivityKind
    date: IsoDate | None = None
    note: Note | None = None


# ------------------------------------------------------------------ responses


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProfileOut(_Output):
    id: str
    email: str
    timezone: str
    timezone_chosen: bool = Field(
        description="false while `timezone` is the default (UTC) that the user never set"
    )
    send_hour: int
    break_days: int
    gap_days: int
    digest_enabled: bool
    paused_until: date | None
    unsubscribed: bool
    suppressed: bool
    name: str | None

    @classmethod
    def of(cls, profile: Profile) -> ProfileOut:
        return cls(
            id=profile.user_id,
            email=profile.email,
            timezone=profile.timezone,
            timezone_chosen=profile.timezone_chosen,
            send_hour=profile.send_hour,
            break_days=profile.break_days,
            gap_days=profile.gap_days,
            digest_enabled=profile.digest_enabled,
            paused_until=profile.paused_until,
            unsubscribed=profile.unsubscribed,
            suppressed=profile.suppressed,
            name=profile.name,
        )


class EventOut(_Output):
    id: str
    type: EventType
    occurred_at: datetime
    recorded_at: datetime
    channel: RejectionChannel | None
    note: str | None
    scheduled_for: datetime | None
    imported_at: datetime | None = None


class ApplicationOut(_Output):
    id: str
    company: str
    role: str
    status: Status
    source: Source
    applied_on: date
    url: str | None
    contact_name: str | None
    contact_email: str | None
    notes: str | None
    events: list[EventOut]
    created_at: datetime
    updated_at: datetime
    imported_at: datetime | None = None

    @classmethod
    def of(cls, app: Application) -> ApplicationOut:
        return cls.model_validate(app)


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    next_cursor: str | None


class EventRecorded(BaseModel):
    event: EventOut
    application: ApplicationOut


class ActivityOut(_Output):
    id: str
    kind: ActivityKind
    date: Day
    note: str | None
    created_at: datetime
    imported_at: datetime | None = None


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    next_cursor: str | None


class SentEmailOut(_Output):
    claim_key: str
    local_date: date
    kinds: list[str]
    state: str
    sent_at: datetime | None
    subject: str | None


class CalendarAddress(BaseModel):
    url: str = Field(description="Your private calendar feed (iCalendar); keep it to yourself")


class Export(BaseModel):
    profile: ProfileOut
    applications: list[ApplicationOut]
    activities: list[ActivityOut]
    emails: list[SentEmailOut]


class NudgeOut(BaseModel):
    """One planned nudge: a section of the e-mail that will go out at `due_at`."""

    kind: str
    local_date: Day
    due_at: datetime
    state: Literal["due", "upcoming"]
    reason: str
    application_ids: list[str]


class SentNudgesOut(BaseModel):
    """One e-mail already sent (or claimed), with the kinds it carried."""

    kinds: list[str]
    local_date: Day
    due_at: datetime
    sent_at: datetime | None
    state: Literal["claimed", "sent", "unknown"]
    reason: str


class NudgesOut(BaseModel):
    upcoming: list[NudgeOut]
    sent: list[SentNudgesOut]


class WeekCountsOut(BaseModel):
    week_of: Day
    applications: int
    activities: int


class SummaryOut(BaseModel):
    days_since_last_activity: int | None
    on_break: bool
    break_ends_on: Day | None
    counts_by_status: dict[str, int]
    this_week: WeekCountsOut
    last_week: WeekCountsOut
    response_rate: float


class ImportIssueOut(BaseModel):
    row: int
    field: str
    message: str


class ImportPreviewOut(BaseModel):
    """One row as it would be stored (the first rows of a dry run)."""

    row: int
    company: str
    role: str
    applied_on: Day
    status: Status
    source: Source
    events: list[str]


class ImportOut(BaseModel):
    """What an import stored, or with `dry_run` would store.

    `created` applications (and `activities_created` from an export's JSON) are new;
    `duplicates` matched a stored record or an earlier row; rows in `errors` were
    skipped; `notes` explain what was guessed on rows that were imported. `columns`
    names the field each recognised CSV header filled.
    """

    created: int
    duplicates: int
    errors: list[ImportIssueOut]
    notes: list[ImportIssueOut]
    activities_created: int
    dry_run: bool
    date_order: Literal["mdy", "dmy"]
    rows: int
    columns: dict[str, str]
    ignored_columns: list[str]
    preview: list[ImportPreviewOut]

    @classmethod
    def of(
        cls,
        result: ImportResult,
        *,
        dry_run: bool,
        date_order: Literal["mdy", "dmy"],
        columns: dict[str, str] | None = None,
        ignored_columns: list[str] | None = None,
    ) -> ImportOut:
        def issues(found: tuple[RowIssue, ...]) -> list[ImportIssueOut]:
            return [ImportIssueOut(row=i.row, field=i.field, message=i.message) for i in found]

        return cls(
            created=result.created,
            duplicates=result.duplicates,
            errors=issues(result.errors),
            notes=issues(result.notes),
            activities_created=result.activities_created,
            dry_run=dry_run,
            date_order=date_order,
            rows=result.rows,
            columns=columns or {},
            ignored_columns=ignored_columns or [],
            preview=[
                ImportPreviewOut(
                    row=row,
                    company=app.company,
                    role=app.role,
                    applied_on=app.applied_on,
                    status=app.status,
                    source=app.source,
                    events=[
                        f"{e.occurred_at.date().isoformat()} {e.type}"
                        + (f" ({e.channel})" if e.channel else "")
                        for e in app.events
                    ],
                )
                for row, app in (result.preview if dry_run else ())
            ],
        )


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: str
    message: str
    details: list[ErrorDetail]


class Unauthorized(BaseModel):
    """401: API Gateway's JWT authorizer answers `{"message": "Unauthorized"}` by itself
    (an HTTP API cannot reshape that); a 401 from the function has the error shape too."""

    message: str


ERROR_STATUSES = Literal[400, 404, 409, 413, 415, 422]
