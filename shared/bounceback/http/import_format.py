"""What an imported CSV may say: recognised headers, status names, sources and dates.

Each table here is documented in docs/behaviour.md ("Import"); change both together.
Names are compared after `squash` (case, spaces, `_`, `-` and `.` ignored).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal

DateOrder = Literal["mdy", "dmy"]


def squash(text: str) -> str:
    """A header or a name as compared: lower case, no spaces, `_`, `-` or `.`."""
    return re.sub(r"[\s_.\-]+", "", text.casefold())


# Our field -> the headers that name it (Bounceback's own export first).
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "id": ("id",),
    "company": ("company", "company name", "employer", "organization", "organisation"),
    "role": ("role", "job title", "title", "position", "job", "job role"),
    "url": ("url", "link", "job url", "job link", "posting url", "job posting"),
    "applied_on": ("applied_on", "date applied", "applied on", "applied", "application date"),
    "status": ("status", "stage", "application status"),
    "source": ("source", "job source", "found via", "found on"),
    "channel": ("channel", "rejection channel"),
    "contact_name": ("contact_name", "contact", "contact name", "recruiter", "hiring manager"),
    "contact_email": ("contact_email", "contact email", "email", "recruiter email"),
    "notes": ("notes", "note", "comments"),
    "events": ("events",),
    "created_at": ("created_at",),
}
HEADER_FIELDS: Final[dict[str, str]] = {
    squash(name): field for field, names in HEADERS.items() for name in names
}

# Their status -> ours; None: not applied yet, so the row is no application.
STATUSES: Final[dict[str, str | None]] = {
    **{
        squash(name): "applied"
        for name in (
            "applied",
            "application sent",
            "submitted",
            "sent",
            "pending",
            "in review",
            "under review",
            "in progress",
            "waiting",
        )
    },
    **{squash(name): "screening" for name in ("screening", "phone screen", "recruiter screen")},
    **{
        squash(name): "interviewing"
        for name in (
            "interviewing",
            "interview",
            "interviews",
            "interview scheduled",
            "phone interview",
            "onsite",
            "final round",
            "assessment",
        )
    },
    **{squash(name): "offer" for name in ("offer", "offered", "offer received")},
    **{squash(name): "accepted" for name in ("accepted", "offer accepted", "hired")},
    **{squash(name): "rejected" for name in ("rejected", "rejection", "not selected")},
    **{squash(name): "withdrawn" for name in ("withdrawn", "withdrew", "offer declined")},
    **{squash(name): "no_response" for name in ("no_response", "no response", "ghosted")},
    **{
        squash(name): None
        for name in (
            "wishlist",
            "wish list",
            "saved",
            "bookmarked",
            "interested",
            "to apply",
            "not applied",
            "planned",
        )
    },
}

# The event a status is recorded as (dated the day of the application).
STATUS_EVENT: Final[dict[str, str]] = {
    "screening": "screening",
    "interviewing": "interview",
    "offer": "offer",
    "accepted": "accepted",
    "rejected": "rejection",
    "withdrawn": "withdrawn",
    "no_response": "no_response",
}

SOURCES: Final[dict[str, str]] = {
    **{squash(n): "direct" for n in ("direct", "company website", "careers page", "website")},
    **{squash(n): "referral" for n in ("referral", "referred")},
    **{squash(n): "recruiter" for n in ("recruiter",)},
    **{squash(n): "agency" for n in ("agency",)},
    **{
        squash(n): "job_board"
        for n in ("job_board", "job board", "linkedin", "indeed", "glassdoor", "monster")
    },
    **{squash(n): "other" for n in ("other",)},
}

_MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\.?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]+)\.?,?[\s\-]+(\d{4})")
_MONTH_DAY = re.compile(r"([A-Za-z]+)\.?[\s\-]+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")

DATE_FORMS = "2027-02-03, 2/3/2027, 3.2.2027, 3 Feb 2027 or Feb 3, 2027"


def parse_date(text: str, order: DateOrder) -> date:
    """A date in one of the recognised forms; ValueError with a message otherwise.

    `order` says how a slashed date reads (`mdy`: 02/03/2027 is 3 February); dotted
    dates are always day first.
    """
    value = text.strip()
    year = month = day = 0
    if match := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _SLASHED.fullmatch(value):
        first, second, year = (int(g) for g in match.groups())
        month, day = (first, second) if order == "mdy" else (second, first)
    elif match := _DOTTED.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _DAY_MONTH.fullmatch(value):
        day, month, year = int(match[1]), _MONTHS.get(match[2].casefold(), 0), int(match[3])
    elif match := _MONTH_DAY.fullmatch(value):
        month, day, year = _MONTHS.get(match[1].casefold(), 0), int(match[2]), int(match[3])
    else:
        raise ValueError(f"'{value}' is not a date; write it like {DATE_FORMS}")
    try:
        return date(year, month, day)
    except ValueError:
        hint = ""
        if _SLASHED.fullmatch(value):
            other = "dmy" if order == "mdy" else "mdy"
            hint = f" (read as {order}; send ?date_order={other} if your dates are the other way)"
        raise ValueError(f"'{value}' is not a valid date{hint}") from None
