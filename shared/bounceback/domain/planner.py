"""The nudge planner: DESIGN §1.2 as one pure function of (user state, now).

`plan(state, now)` answers two questions for one user: which e-mails must go out
now (`Plan.due`) and which will go out later if nothing changes (`Plan.upcoming`,
35 local days ahead). `next_wake_at(state, now)` is the earliest moment anything
could become due, for the due-user index (DESIGN §3). Nothing here reads the clock
or touches AWS; the sender calls `plan` at send time, so a nudge whose reason has
vanished is simply no longer in the plan.

How the sender's history is read
    A `SentEmail` in state ``sent`` makes its nudge keys done for good. Any claim
    (``claimed``, ``sent`` or ``unknown``) uses its key: a ``day:`` claim takes that
    local date and counts for the caps; an ``event:`` claim uses up that event's
    acknowledgement or congratulations (never re-sent blind). The nudges of a
    ``claimed``/``unknown`` day e-mail are not done: they go out on the next allowed
    day.

Scheduling (rules 2, 6, 7, 8)
    Every scheduled nudge has a natural local date. The planner walks the days from
    today on: a day is allowed when it is not in a break, not on or before
    `paused_until`, not already claimed and a 4th e-mail in any 7 consecutive dates
    at most. Everything pending is combined into the e-mail of the first allowed day.
    Catch-up: when an allowed day has already passed with something pending and
    nothing was sent (the service was down), that content is due at once, in one
    e-mail claimed for today's date; what falls due later today waits for the next
    allowed day. If today cannot be claimed (already used, a break, the caps), the
    overdue content is due from local midnight of the next allowed day.

Decisions where DESIGN is silent
    - The comeback e-mail carries two nudges: ``ask_feedback`` or ``replay`` (key
      ``comeback:<break start>``) and ``week_plan`` (key ``week_plan:<break start>``).
      If a break's comeback is still pending when a later break ends, only the later
      comeback is sent (it supersedes the older one).
    - Late rejections: a rejection whose break is already over when it is recorded
      (recorded at or after the comeback's send time) gets neither an
      acknowledgement nor a comeback of its own; it still counts as search activity
      and still shapes the break dates. An acknowledgement not sent by the time the
      comeback is due is dropped: the comeback e-mail takes over.
    - Acknowledgement quiet hours follow §1.2 literally: recorded 21:00 to 07:59 local,
      it goes at the first `send_hour:00` after the recording.
    - Follow-ups: ``follow_up`` (P+7) needs an application still ``applied`` with no
      event at all; ``no_response_check`` (P+30) tolerates the user's own
      ``follow_up_sent`` (following up and still hearing nothing is exactly when to
      ask). When an application's ``no_response_check`` goes out, a follow-up still
      pending for it is dropped. A follow-up is never due before the application was
      recorded (`created_at`): a back-dated application gets it at the next send time.
    - Gap guard: only the latest gap step that has fallen due is sent; a pending
      earlier step of the same anchor is superseded, not sent twice in a row. Steps
      that fell due before the anchoring activity was even recorded are skipped, so
      a back-dated entry never triggers an instant "you have been quiet" e-mail.
    - Digest: sent on its Monday or, if the caps defer it, later that same week; a
      digest not sent by Sunday is dropped (next Monday's replaces it). Its figures
      describe the week just ended and the one before, since a Monday-morning
      "this week" would be empty. A user who has never logged anything gets no digest,
      and neither do Mondays before the user's first record.
    - Acceptance: from an ``accepted`` event's recording until the user records a new
      application, the search is finished. Scheduled nudges that fell due before the
      search reopened are dropped, and rejections recorded meanwhile get no
      acknowledgement (there is nothing to come back to).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, Final, get_args

from .localtime import as_utc, local_date, next_send_time, send_time, zone
from .model import PERSONAL_CHANNELS, Application, Event, NudgeKind, UserState

__all__ = [
    "HORIZON_DAYS",
    "SECTION_ORDER",
    "Break",
    "Nudge",
    "Plan",
    "PlannedEmail",
    "find_breaks",
    "last_activity_date",
    "next_wake_at",
    "plan",
    "weekly_activity",
]

# Sections of one e-mail, in the order of DESIGN §1.2 (the order `NudgeKind` lists).
SECTION_ORDER: Final[tuple[NudgeKind, ...]] = get_args(NudgeKind)
_RANK: Final[dict[str, int]] = {kind: i for i, kind in enumerate(SECTION_ORDER)}

HORIZON_DAYS: Final = 35  # how far ahead `upcoming` looks, in local days
MAX_EMAILS_PER_WINDOW: Final = 4
WINDOW_DAYS: Final = 7
GAP_STEPS: Final[tuple[int, ...]] = (1, 2, 4, 8)  # gap nudges at A+G, A+2G, A+4G, A+8G
FOLLOW_UP_AFTER: Final = 7
NO_RESPONSE_AFTER: Final = 30
WEEK_PLAN_LOOKBACK: Final = 14
QUIET_FROM: Final = time(21, 0)
QUIET_UNTIL: Final = time(8, 0)
_PAST_LOOKBACK: Final = 400  # days searched backwards for a missed sending day
# Week-plan categories and the logged activity kinds that count for each.
WEEK_PLAN_CATEGORIES: Final[tuple[str, ...]] = (
    "networking",
    "contacts",
    "applications",
    "cv",
    "industry_news",
)
_CATEGORY_OF_ACTIVITY: Final[dict[str, str]] = {
    "networking_event": "networking",
    "contacts_reviewed": "contacts",
    "resume_updated": "cv",
    "industry_news": "industry_news",
}
_COMEBACK_KINDS: Final = frozenset({"comeback", "ask_feedback", "replay", "week_plan"})
_FAR_FUTURE: Final = datetime.max.replace(tzinfo=UTC)
_FAR_PAST: Final = datetime.min.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- contract


@dataclass(frozen=True, slots=True)
class Nudge:
    """One planned nudge: a section of an e-mail, with its reason."""

    kind: NudgeKind
    key: str
    local_date: date
    due_at: datetime
    application_ids: tuple[str, ...]
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PlannedEmail:
    """One e-mail: a day's scheduled nudges, or one acknowledgement/congratulations."""

    claim_key: str
    local_date: date
    send_at: datetime
    nudges: tuple[Nudge, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Section kinds in order, each once (the X-Bounceback-Kinds value, joined)."""
        seen: list[str] = []
        for nudge in self.nudges:
            if nudge.kind not in seen:
                seen.append(nudge.kind)
        return tuple(seen)

    @property
    def scheduled(self) -> bool:
        """True for a day's scheduled e-mail, False for one answering an event."""
        return self.claim_key.startswith("day:")


@dataclass(frozen=True, slots=True)
class Plan:
    """What must be sent now, and what will follow if nothing changes."""

    due: tuple[PlannedEmail, ...]
    upcoming: tuple[PlannedEmail, ...]


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class Break:
    """A recovery break: local dates `start` … `comeback - 1`."""

    start: date
    comeback: date
    rejections: tuple[tuple[Application, Event], ...]

    def covers(self, day: date) -> bool:
        """Whether `day` is one of the break's days."""
        return self.start <= day < self.comeback

    @property
    def last(self) -> tuple[Application, Event]:
        """The break's latest rejection (it decides `ask_feedback` vs `replay`)."""
        return self.rejections[-1]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def find_breaks(state: UserState) -> tuple[Break, ...]:
    """The user's recovery breaks, oldest first (DESIGN §1.2 rule 2).

    A rejection on local date D starts a break covering D … D+B-1. A rejection on
    D2 inside a break moves the comeback day to D2+B, but never past D1+2·B, where
    D1 is the break's first rejection.
    """
    tzname = state.profile.timezone
    length = _clamp(state.profile.break_days, 1, 7)
    rejections = sorted(
        (
            (as_utc(event.occurred_at), event.id, app, event)
            for app in state.applications
            for event in app.events
            if event.type == "rejection"
        ),
        key=lambda item: (item[0], item[1]),
    )
    breaks: list[Break] = []
    start: date | None = None
    comeback: date | None = None
    members: list[tuple[Application, Event]] = []
    for moment, _, app, event in rejections:
        day = local_date(moment, tzname)
        if start is not None and comeback is not None and day < comeback:
            comeback = min(day + timedelta(days=length), start + timedelta(days=2 * length))
            members.append((app, event))
            continue
        if start is not None and comeback is not None:
            breaks.append(Break(start, comeback, tuple(members)))
        start, comeback, members = day, day + timedelta(days=length), [(app, event)]
    if start is not None and comeback is not None:
        breaks.append(Break(start, comeback, tuple(members)))
    return tuple(breaks)


def break_on(breaks: Iterable[Break], day: date) -> Break | None:
    """The break covering `day`, if any."""
    for item in breaks:
        if item.covers(day):
            return item
    return None


def _activity_dates(state: UserState) -> Iterable[date]:
    tzname = state.profile.timezone
    for app in state.applications:
        yield app.applied_on
        for event in app.events:
            yield local_date(event.occurred_at, tzname)
    for activity in state.activities:
        yield activity.date


def _activity_records(state: UserState) -> Iterable[tuple[date, datetime | None]]:
    """Each search activity's date and, when known, the moment it was recorded."""
    tzname = state.profile.timezone
    for app in state.applications:
        yield app.applied_on, as_utc(app.created_at) if app.created_at else None
        for event in app.events:
            yield local_date(event.occurred_at, tzname), as_utc(event.recorded_at)
    for activity in state.activities:
        yield activity.date, as_utc(activity.created_at) if activity.created_at else None


def last_activity_date(state: UserState, *, on_or_before: date | None = None) -> date | None:
    """The date of the latest search activity (DESIGN §1.1), optionally up to a date."""
    latest: date | None = None
    for day in _activity_dates(state):
        if on_or_before is not None and day > on_or_before:
            continue
        if latest is None or day > latest:
            latest = day
    return latest


def weekly_activity(state: UserState, first_monday: date, weeks: int) -> list[tuple[int, int]]:
    """(applications, logged activities) per local ISO week, from `first_monday` on."""
    counts = [[0, 0] for _ in range(weeks)]
    base = first_monday.toordinal()
    for app in state.applications:
        index = (app.applied_on.toordinal() - base) // 7
        if 0 <= index < weeks:
            counts[index][0] += 1
    for activity in state.activities:
        index = (activity.date.toordinal() - base) // 7
        if 0 <= index < weeks:
            counts[index][1] += 1
    return [(a, b) for a, b in counts]


def _one_line(text: str, limit: int = 80) -> str:
    """User text made safe for a one-line reason: no line breaks or control chars."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _label(app: Application) -> str:
    return _one_line(app.company) or "that company"


@dataclass(slots=True)
class _History:
    done: set[str]
    used_days: set[int]
    used_events: set[str]
    done_comebacks: list[date]


def _read_history(state: UserState) -> _History:
    done: set[str] = set()
    used_days: set[int] = set()
    used_events: set[str] = set()
    comebacks: list[date] = []
    for sent in state.sent:
        if sent.claim_key.startswith("day:"):
            used_days.add(sent.local_date.toordinal())
        elif sent.claim_key.startswith("event:"):
            used_events.add(sent.claim_key[6:])
        if sent.state != "sent":
            continue
        done.update(sent.nudge_keys)
        if _COMEBACK_KINDS.isdisjoint(sent.kinds):
            continue
        for key in sent.nudge_keys:
            if key.startswith(("comeback:", "week_plan:")):
                try:
                    comebacks.append(date.fromisoformat(key.split(":", 1)[1]))
                except ValueError:
                    continue
    return _History(done, used_days, used_events, comebacks)


def _finished_spans(state: UserState) -> list[tuple[datetime, datetime]]:
    """[accepted recorded, next new application recorded) spans: the search was over."""
    tzname = state.profile.timezone
    tz = zone(tzname)
    acceptances = sorted(
        (as_utc(event.recorded_at), app.id)
        for app in state.applications
        for event in app.events
        if event.type == "accepted"
    )
    if not acceptances:
        return []
    recorded: list[tuple[datetime, str]] = []
    for app in state.applications:
        if app.created_at is not None:
            moment = as_utc(app.created_at)
        else:
            moment = datetime.combine(app.applied_on, time(), tzinfo=tz).astimezone(UTC)
        recorded.append((moment, app.id))
    spans: list[tuple[datetime, datetime]] = []
    for accepted_at, app_id in acceptances:
        reopened = min(
            (m for m, other in recorded if other != app_id and m > accepted_at),
            default=_FAR_FUTURE,
        )
        spans.append((accepted_at, reopened))
    return spans


# --------------------------------------------------------------------------- items


class _Item:
    """A scheduled nudge waiting for its e-mail day."""

    __slots__ = ("_built", "_make", "day", "due_at", "expires", "group", "key", "kind", "rank")

    def __init__(
        self,
        day: int,
        kind: NudgeKind,
        key: str,
        due_at: datetime,
        make: Callable[[], Nudge],
        *,
        group: tuple[str, str] | None = None,
        rank: int = 0,
        expires: int | None = None,
    ) -> None:
        self.day = day
        self.kind = kind
        self.key = key
        self.due_at = due_at
        self._make = make
        self._built: Nudge | None = None
        self.group = group
        self.rank = rank
        self.expires = expires

    @property
    def nudge(self) -> Nudge:
        """The nudge itself, built only once the item lands in an e-mail."""
        if self._built is None:
            self._built = self._make()
        return self._built

    @classmethod
    def of(cls, nudge: Nudge, day: int, **kw: Any) -> _Item:
        item = cls(day, nudge.kind, nudge.key, nudge.due_at, lambda: nudge, **kw)
        item._built = nudge
        return item


@dataclass(slots=True)
class _Context:
    state: UserState
    now: datetime
    tzname: str
    hour: int
    today: date
    history: _History
    breaks: tuple[Break, ...]
    reopened_at: datetime  # scheduled nudges due before this moment are dropped
    finished: list[tuple[datetime, datetime]]
    activity_days: list[date]  # every search-activity date, sorted
    latest_known_at: datetime | None  # when the latest-dated activity was recorded
    first_known_at: datetime | None  # when the user first recorded anything

    def send_at(self, day: date) -> datetime:
        return send_time(day, self.hour, self.tzname)

    def in_finished(self, moment: datetime) -> bool:
        return any(start <= moment < end for start, end in self.finished)


def _comeback_items(ctx: _Context) -> list[_Item]:
    items: list[_Item] = []
    done = ctx.history.done_comebacks
    for brk in ctx.breaks:
        if any(d >= brk.start for d in done):
            continue  # sent, or superseded by a later break's comeback
        due = ctx.send_at(brk.comeback)
        if due < ctx.reopened_at:
            continue
        if min(as_utc(ev.recorded_at) for _, ev in brk.rejections) >= due:
            continue  # reported only after the break was over
        app, event = brk.last
        start = brk.start.isoformat()
        label = _label(app)
        reason = f"Your break after the {label} rejection is over: comeback day {brk.comeback}."
        personal = event.channel in PERSONAL_CHANNELS
        asked = any(e.type == "feedback_received" for e in app.events)
        common: dict[str, Any] = {
            "application_id": app.id,
            "company": app.company,
            "role": app.role,
            "channel": event.channel,
            "break_start": start,
            "comeback_on": brk.comeback.isoformat(),
        }
        first: Nudge
        if personal and not asked:
            first = Nudge(
                "ask_feedback",
                f"comeback:{start}",
                brk.comeback,
                due,
                (app.id,),
                reason,
                common | {"contact_name": app.contact_name, "contact_email": app.contact_email},
            )
        else:
            interviewed = any(e.type == "interview" for e in app.events)
            first = Nudge(
                "replay",
                f"comeback:{start}",
                brk.comeback,
                due,
                (app.id,),
                reason,
                common | {"interview_happened": interviewed},
            )
        plan_nudge = Nudge(
            "week_plan",
            f"week_plan:{start}",
            brk.comeback,
            due,
            (),
            f"A light plan for the week after your break (comeback day {brk.comeback}).",
            _week_plan_details(ctx.state, brk.comeback),
        )
        rank = brk.start.toordinal()
        day = brk.comeback.toordinal()
        items.append(_Item.of(first, day, group=("comeback", ""), rank=rank))
        items.append(_Item.of(plan_nudge, day, group=("comeback", ""), rank=rank))
    return items


def _week_plan_details(state: UserState, day: date) -> dict[str, Any]:
    """Three activity kinds not logged in the last 14 days, plus a stress reliever."""
    since = day - timedelta(days=WEEK_PLAN_LOOKBACK)
    last: dict[str, date | None] = dict.fromkeys(WEEK_PLAN_CATEGORIES)
    exercised = False

    def seen(category: str, when: date) -> None:
        if when > day:
            return
        previous = last[category]
        if previous is None or when > previous:
            last[category] = when

    for app in state.applications:
        seen("applications", app.applied_on)
    for activity in state.activities:
        category = _CATEGORY_OF_ACTIVITY.get(activity.kind)
        if category is not None:
            seen(category, activity.date)
        if activity.kind == "exercise" and since <= activity.date <= day:
            exercised = True
    start = day.toordinal() % len(WEEK_PLAN_CATEGORIES)
    rotation = WEEK_PLAN_CATEGORIES[start:] + WEEK_PLAN_CATEGORIES[:start]
    fresh = [c for c in rotation if (when := last[c]) is None or when < since]
    picks = fresh[:3]
    if len(picks) < 3:
        # Everything was logged recently: repeat the ones done longest ago.
        rest = sorted((c for c in rotation if c not in picks), key=lambda c: last[c] or date.min)
        picks += rest[: 3 - len(picks)]
    return {
        "picks": [
            {
                "category": category,
                "on": (day + timedelta(days=i)).isoformat(),
                "last_logged_on": (when.isoformat() if (when := last[category]) else None),
            }
            for i, category in enumerate(picks)
        ],
        "stress_relief": "other" if exercised else "exercise",
    }


def _gap_items(ctx: _Context, last_activity: date | None) -> list[_Item]:
    if last_activity is None:
        return []  # no search activity yet: nothing to guard
    profile = ctx.state.profile
    length = _clamp(profile.gap_days, 2, 14)
    anchor = last_activity
    known_at = ctx.latest_known_at
    if ctx.breaks and ctx.breaks[-1].comeback > anchor:
        anchor = ctx.breaks[-1].comeback
        known_at = max(as_utc(ev.recorded_at) for _, ev in ctx.breaks[-1].rejections)
    if profile.paused_until is not None and profile.paused_until >= anchor:
        anchor = profile.paused_until + timedelta(days=1)
        known_at = None
    keys = [f"gap:{anchor.isoformat()}:{step}" for step in range(1, len(GAP_STEPS) + 1)]
    done_steps = [i for i, key in enumerate(keys) if key in ctx.history.done]
    first_open = max(done_steps) + 1 if done_steps else 0
    items: list[_Item] = []
    for index in range(first_open, len(GAP_STEPS)):
        day = anchor + timedelta(days=length * GAP_STEPS[index])
        due = ctx.send_at(day)
        if due < ctx.reopened_at or (known_at is not None and due < known_at):
            continue  # the search was over, or we learnt of the anchor only later
        make = partial(_gap_nudge, keys[index], day, due, anchor, index, last_activity)
        group = ("gap", keys[0])
        items.append(_Item(day.toordinal(), "gap", keys[index], due, make, group=group, rank=index))
    return items


def _gap_nudge(
    key: str, day: date, due: datetime, anchor: date, index: int, last_activity: date
) -> Nudge:
    idle = (day - last_activity).days
    return Nudge(
        "gap",
        key,
        day,
        due,
        (),
        f"No search activity logged for {idle} days (since {last_activity}).",
        {
            "anchor": anchor.isoformat(),
            "step": index + 1,
            "days_idle": idle,
            "last_activity_on": last_activity.isoformat(),
            "final": index == len(GAP_STEPS) - 1,
        },
    )


def _follow_up_items(ctx: _Context) -> list[_Item]:
    items: list[_Item] = []
    done = ctx.history.done
    for app in ctx.state.applications:
        if app.status != "applied":
            continue
        silent = not app.events
        chased_only = all(e.type == "follow_up_sent" for e in app.events)
        if not chased_only:
            continue
        check_key = f"no_response_check:{app.id}"
        if check_key in done:
            continue
        group = ("app", app.id)
        follow_key = f"follow_up:{app.id}"
        if silent and follow_key not in done:
            day, due = _not_before(ctx, app.applied_on + timedelta(days=FOLLOW_UP_AFTER), app)
            if due >= ctx.reopened_at:
                make = partial(_follow_up_nudge, "follow_up", follow_key, day, due, app)
                items.append(
                    _Item(day.toordinal(), "follow_up", follow_key, due, make, group=group)
                )
        day, due = _not_before(ctx, app.applied_on + timedelta(days=NO_RESPONSE_AFTER), app)
        if due >= ctx.reopened_at:
            make = partial(_follow_up_nudge, "no_response_check", check_key, day, due, app)
            items.append(
                _Item(
                    day.toordinal(), "no_response_check", check_key, due, make, group=group, rank=1
                )
            )
    return items


def _follow_up_nudge(
    kind: NudgeKind, key: str, day: date, due: datetime, app: Application
) -> Nudge:
    after = "no answer after a week" if kind == "follow_up" else "still no answer after 30 days"
    return Nudge(
        kind,
        key,
        day,
        due,
        (app.id,),
        f"{_label(app)}: applied on {app.applied_on}, {after}.",
        {
            "application_id": app.id,
            "company": app.company,
            "role": app.role,
            "applied_on": app.applied_on.isoformat(),
            "contact_name": app.contact_name,
            "contact_email": app.contact_email,
        },
    )


def _not_before(ctx: _Context, day: date, app: Application) -> tuple[date, datetime]:
    """The natural day and send time, but never before the application was recorded."""
    due = ctx.send_at(day)
    if app.created_at is not None and as_utc(app.created_at) > due:
        due = next_send_time(as_utc(app.created_at), ctx.hour, ctx.tzname)
        day = local_date(due, ctx.tzname)
    return day, due


def _digest_items(ctx: _Context, last_activity: date | None) -> list[_Item]:
    profile = ctx.state.profile
    if not profile.digest_enabled or (not ctx.state.applications and not ctx.state.activities):
        return []
    items: list[_Item] = []
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    end = ctx.today + timedelta(days=HORIZON_DAYS)
    while monday <= end:
        key = f"digest:{monday.isoformat()}"
        due = ctx.send_at(monday)
        skipped = (
            break_on(ctx.breaks, monday) is not None
            or (ctx.first_known_at is not None and due < ctx.first_known_at)
            or (profile.paused_until is not None and monday <= profile.paused_until)
            or due < ctx.reopened_at
        )
        if key not in ctx.history.done and not skipped:
            ordinal = monday.toordinal()
            make = partial(_digest_nudge, ctx, key, monday, due)
            items.append(_Item(ordinal, "digest", key, due, make, expires=ordinal + 6))
        monday += timedelta(days=7)
    return items


def _digest_nudge(ctx: _Context, key: str, monday: date, due: datetime) -> Nudge:
    return Nudge(
        "digest",
        key,
        monday,
        due,
        (),
        f"Your weekly digest for the week starting {monday}.",
        # Figures are computed when the digest can be due; later Mondays in
        # `upcoming` only name their week.
        _digest_details(ctx, monday) if monday <= ctx.today else {"week_of": key[7:]},
    )


def _digest_details(ctx: _Context, monday: date) -> dict[str, Any]:
    state = ctx.state
    first = monday - timedelta(weeks=8)
    weeks = weekly_activity(state, first, 8)
    before = bisect_right(ctx.activity_days, monday)
    last = ctx.activity_days[before - 1] if before else None
    open_follow_ups = sum(
        1
        for app in state.applications
        if app.status == "applied"
        and not app.events
        and app.applied_on <= monday - timedelta(days=FOLLOW_UP_AFTER)
    )
    past = [b for b in ctx.breaks if b.start < monday]
    return {
        "week_of": monday.isoformat(),
        "past_week": {"applications": weeks[7][0], "activities": weeks[7][1]},
        "week_before": {"applications": weeks[6][0], "activities": weeks[6][1]},
        "days_since_last_activity": (monday - last).days if last is not None else None,
        "open_follow_ups": open_follow_ups,
        "last_comeback_on": past[-1].comeback.isoformat() if past else None,
        "weeks": [
            {"week_of": (first + timedelta(weeks=i)).isoformat(), "count": a + b}
            for i, (a, b) in enumerate(weeks)
        ],
    }


# --------------------------------------------------------------------------- events


def _acknowledgement_time(ctx: _Context, recorded_at: datetime) -> datetime:
    """At once from 08:00 to 20:59 local, otherwise at the next send time."""
    moment = as_utc(recorded_at)
    clock = moment.astimezone(zone(ctx.tzname)).time()
    if QUIET_UNTIL <= clock < QUIET_FROM:
        return moment
    return next_send_time(moment, ctx.hour, ctx.tzname)


def _event_emails(ctx: _Context) -> list[PlannedEmail]:
    emails: list[PlannedEmail] = []
    used = ctx.history.used_events
    done = ctx.history.done
    for brk in ctx.breaks:
        comeback_due = ctx.send_at(brk.comeback)
        for app, event in brk.rejections:
            key = f"ack:{event.id}"
            if event.id in used or key in done:
                continue
            if ctx.in_finished(as_utc(event.recorded_at)):
                continue
            due = _acknowledgement_time(ctx, event.recorded_at)
            if due >= comeback_due or ctx.now >= comeback_due:
                continue  # the break is over: the comeback e-mail speaks instead
            nudge = Nudge(
                "acknowledgement",
                key,
                local_date(due, ctx.tzname),
                due,
                (app.id,),
                f"You recorded a rejection from {_label(app)}.",
                {
                    "application_id": app.id,
                    "company": app.company,
                    "role": app.role,
                    "channel": event.channel,
                    "comeback_on": brk.comeback.isoformat(),
                },
            )
            emails.append(PlannedEmail(f"event:{event.id}", nudge.local_date, due, (nudge,)))
    for app in ctx.state.applications:
        for event in app.events:
            if event.type != "accepted":
                continue
            key = f"congrats:{event.id}"
            if event.id in used or key in done:
                continue
            due = as_utc(event.recorded_at)
            nudge = Nudge(
                "congratulations",
                key,
                local_date(due, ctx.tzname),
                due,
                (app.id,),
                f"You accepted an offer from {_label(app)}.",
                {"application_id": app.id, "company": app.company, "role": app.role},
            )
            emails.append(PlannedEmail(f"event:{event.id}", nudge.local_date, due, (nudge,)))
    return emails


# --------------------------------------------------------------------------- schedule


def _fits_caps(day: int, used: set[int]) -> bool:
    """Whether one more e-mail on `day` keeps every 7-day window at 4 or fewer."""
    flags = [(day + offset) in used for offset in range(1 - WINDOW_DAYS, WINDOW_DAYS)]
    flags[WINDOW_DAYS - 1] = True
    if sum(flags) <= MAX_EMAILS_PER_WINDOW:
        return True
    return all(
        sum(flags[start : start + WINDOW_DAYS]) <= MAX_EMAILS_PER_WINDOW
        for start in range(WINDOW_DAYS)
    )


def _combine(items: list[_Item]) -> list[_Item]:
    """Drop superseded items: only the best of each group goes out."""
    best: dict[tuple[str, str], int] = {}
    for item in items:
        if item.group is not None and item.rank > best.get(item.group, -1):
            best[item.group] = item.rank
    return [i for i in items if i.group is None or i.rank == best[i.group]]


def _section_key(item: _Item) -> tuple[int, int, str]:
    return (_RANK[item.kind], item.day, item.key)


@dataclass(slots=True)
class _Schedule:
    emails: list[PlannedEmail]
    later: bool  # something is pending beyond the horizon


def _schedule(ctx: _Context, items: list[_Item], *, first_only: bool = False) -> _Schedule:
    """Assign pending items to e-mail days; with `first_only`, stop at the first one
    that is not due yet (all `next_wake_at` needs)."""
    profile = ctx.state.profile
    today = ctx.today.toordinal()
    end = today + HORIZON_DAYS
    pause_end = profile.paused_until.toordinal() if profile.paused_until is not None else None
    blocked: set[int] = set()
    for brk in ctx.breaks:
        if brk.comeback.toordinal() > today - _PAST_LOOKBACK and brk.start.toordinal() <= end:
            blocked.update(range(brk.start.toordinal(), brk.comeback.toordinal()))
    used = set(ctx.history.used_days)

    def allowed(day: int) -> bool:
        if day in blocked or day in used or (pause_end is not None and day <= pause_end):
            return False
        return _fits_caps(day, used)

    items.sort(key=lambda i: i.day)
    # The last past day on which something could have been sent (for catch-up).
    last_open: int | None = None
    if items and items[0].day < today:
        floor = max(items[0].day, today - _PAST_LOOKBACK)
        for day in range(today - 1, floor - 1, -1):
            if allowed(day):
                last_open = day
                break

    emails: list[PlannedEmail] = []
    queue: list[_Item] = []
    index = 0
    day = today - 1
    while day < end:
        day += 1
        if not queue:
            if index >= len(items):
                break
            day = max(day, items[index].day)  # jump over empty days
            if day > end:
                break
        while index < len(items) and items[index].day <= day:
            queue.append(items[index])
            index += 1
        if any(i.expires is not None and i.expires < day for i in queue):
            queue = [i for i in queue if i.expires is None or i.expires >= day]
        if not queue or not allowed(day):
            continue
        batch = queue
        send_at = ctx.send_at(date.fromordinal(day))
        if last_open is not None and any(i.day <= last_open for i in queue):
            # Catch-up: something should have gone on an earlier open day and did not
            # (the service was down), so it is due from the first moment this day can
            # be claimed; what falls due later this day waits for the next allowed day.
            start = send_time(date.fromordinal(day), 0, ctx.tzname)
            cutoff = max(ctx.now, start) if day == today else start
            batch = [i for i in queue if i.due_at <= cutoff]
            send_at = max([start] + [i.due_at for i in batch])
        chosen = sorted(_combine(batch), key=_section_key)
        sent_ids = {id(i) for i in batch}
        queue = [i for i in queue if id(i) not in sent_ids]
        used.add(day)
        local = date.fromordinal(day)
        emails.append(
            PlannedEmail(f"day:{local.isoformat()}", local, send_at, tuple(i.nudge for i in chosen))
        )
        if first_only and send_at > ctx.now:
            break
    return _Schedule(emails, later=bool(queue) or index < len(items))


def _context(state: UserState, now: datetime) -> _Context:
    profile = state.profile
    now = as_utc(now)
    finished = _finished_spans(state)
    reopened_at = finished[-1][1] if finished else _FAR_PAST
    records = list(_activity_records(state))
    latest = max((day for day, _ in records), default=None)
    return _Context(
        state=state,
        now=now,
        tzname=profile.timezone,
        hour=_clamp(profile.send_hour, 0, 23),
        today=local_date(now, profile.timezone),
        history=_read_history(state),
        breaks=find_breaks(state),
        reopened_at=reopened_at,
        finished=finished,
        activity_days=sorted(day for day, _ in records),
        latest_known_at=max((m for d, m in records if m is not None and d == latest), default=None),
        first_known_at=min((m for _, m in records if m is not None), default=None),
    )


def _compute(
    state: UserState, now: datetime, *, first_only: bool = False
) -> tuple[Plan, datetime | None]:
    profile = state.profile
    if profile.unsubscribed or profile.suppressed:
        return Plan((), ()), None
    ctx = _context(state, now)
    last = ctx.activity_days[-1] if ctx.activity_days else None
    items = (
        _comeback_items(ctx)
        + _gap_items(ctx, last)
        + _follow_up_items(ctx)
        + _digest_items(ctx, last)
    )
    schedule = _schedule(ctx, items, first_only=first_only)
    emails = _event_emails(ctx) + schedule.emails
    emails.sort(key=lambda e: (e.send_at, e.claim_key))
    due = tuple(e for e in emails if e.send_at <= ctx.now)
    upcoming = tuple(e for e in emails if e.send_at > ctx.now)
    wake: datetime | None = None
    if due:
        wake = due[0].send_at
    elif upcoming:
        wake = upcoming[0].send_at
    if (schedule.later or _digest_possible(ctx)) and not due:
        horizon = ctx.send_at(ctx.today + timedelta(days=HORIZON_DAYS))
        horizon = max(horizon, ctx.now)
        wake = horizon if wake is None else min(wake, horizon)
    return Plan(due, upcoming), wake


def _digest_possible(ctx: _Context) -> bool:
    """A weekly digest could still come, even if none falls in the horizon."""
    state = ctx.state
    return (
        state.profile.digest_enabled
        and bool(state.applications or state.activities)
        and ctx.reopened_at != _FAR_FUTURE
    )


def plan(state: UserState, now: datetime) -> Plan:
    """The user's due and upcoming e-mails at `now` (see the module docstring)."""
    return _compute(state, now)[0]


def next_wake_at(state: UserState, now: datetime) -> datetime | None:
    """The earliest moment anything could become due; None if nothing ever can.

    Never later than the next due e-mail (when something is due already, that is its
    send time, which may lie in the past); never before `now` when nothing is due; at
    most the horizon's end when something lies beyond it.
    """
    return _compute(state, now, first_only=True)[1]
