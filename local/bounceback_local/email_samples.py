"""One sample e-mail of every kind, planned and rendered from a made-up history.

The samples go through the real planner and renderer at fixed moments, so they show
exactly what a user in that situation would get. The e-mail browser tests check them
at phone and desktop widths, and `make email-snapshots` pictures them in docs/emails/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bounceback.domain.model import (
    Activity,
    ActivityKind,
    Application,
    Event,
    EventType,
    Profile,
    RejectionChannel,
    SentEmail,
    UserState,
)
from bounceback.domain.planner import PlannedEmail, plan
from bounceback.domain.render import RenderedEmail, render_email
from bounceback.domain.transitions import status_after

__all__ = ["SAMPLE_APP_URL", "SAMPLE_UNSUBSCRIBE_URL", "Sample", "render_sample", "samples"]

ZONE = "Europe/London"
SAMPLE_APP_URL = "https://bounceback.example/"
SAMPLE_UNSUBSCRIBE_URL = "https://bounceback.example/unsubscribe?token=sample-token"


@dataclass(frozen=True, slots=True)
class Sample:
    """An e-mail as planned for `state` at its moment."""

    name: str
    email: PlannedEmail
    state: UserState


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))


def _event(
    event_id: str, type_: EventType, when: datetime, channel: RejectionChannel | None = None
) -> Event:
    return Event(event_id, type_, when, when, channel=channel)


def _application(app_id: str, company: str, role: str, applied_on: date, *events: Event,
                 contact: tuple[str, str] | None = None) -> Application:  # fmt: skip
    status = "applied"
    for item in events:
        status = status_after(status, item.type)  # type: ignore[arg-type]
    return Application(
        id=app_id,
        company=company,
        role=role,
        applied_on=applied_on,
        status=status,  # type: ignore[arg-type]
        source="recruiter",
        contact_name=contact[0] if contact else None,
        contact_email=contact[1] if contact else None,
        events=events,
    )


def _activity(activity_id: str, kind: ActivityKind, day: date) -> Activity:
    return Activity(activity_id, kind, day)


def _state(
    applications: Iterable[Application],
    activities: Iterable[Activity] = (),
    name: str | None = "Alex",
    **settings: object,
) -> UserState:
    profile = replace(
        Profile(user_id="sample", email="alex@example.com", timezone=ZONE, name=name),
        **settings,  # type: ignore[arg-type]
    )
    return UserState(profile, tuple(applications), tuple(activities))


def _sent(state: UserState, moment: datetime) -> UserState:
    """`state` after the sender sent everything due at `moment`."""
    records = tuple(
        SentEmail(
            claim_key=e.claim_key,
            local_date=e.local_date,
            kinds=e.kinds,
            nudge_keys=tuple(n.key for n in e.nudges),
            state="sent",
            claimed_at=moment,
            sent_at=moment,
        )
        for e in plan(state, moment).due
    )
    return replace(state, sent=state.sent + records)


def _due(name: str, state: UserState, moment: datetime, kind: str) -> Sample:
    email = next(e for e in plan(state, moment).due if kind in e.kinds)
    return Sample(name, email, state)


REJECTED_ON = date(2027, 2, 3)  # a Wednesday


def _rejection(channel: RejectionChannel, interview: bool = False) -> UserState:
    events = []
    if interview:
        events.append(_event("i1", "interview", _at(date(2027, 1, 28), 14)))
    events.append(_event("r1", "rejection", _at(REJECTED_ON, 10), channel))
    app = _application(
        "a1",
        "Northwind Analytics",
        "Data Analyst",
        date(2027, 1, 20),
        *events,
        contact=("Sam Rivera", "sam@northwind.example"),
    )
    # The digest has its own sample; here it would join the comeback e-mail.
    return _state(
        [app], [_activity("x1", "resume_updated", date(2027, 1, 30))], digest_enabled=False
    )


def _acknowledgement() -> Sample:
    return _due(
        "acknowledgement", _rejection("recruiter_call"), _at(REJECTED_ON, 10), "acknowledgement"
    )


def _comeback(channel: RejectionChannel, kind: str, interview: bool = False) -> Sample:
    state = _sent(_rejection(channel, interview), _at(REJECTED_ON, 10))
    return _due(f"comeback_{kind}", state, _at(date(2027, 2, 5), 9), kind)


def _gap_after_break() -> Sample:
    state = _sent(_rejection("recruiter_call"), _at(REJECTED_ON, 10))
    state = _sent(state, _at(date(2027, 2, 5), 9))  # the comeback e-mail
    return _due("gap", state, _at(date(2027, 2, 8), 9), "gap")


def _follow_up() -> Sample:
    app = _application(
        "a1", "Bluebird Health", "Operations Analyst", date(2027, 1, 25),
        contact=("Priya Shah", "priya@bluebird.example"),
    )  # fmt: skip
    state = _state([app], digest_enabled=False, gap_days=14)
    return _due("follow_up", state, _at(date(2027, 2, 1), 9), "follow_up")


def _no_response() -> Sample:
    old = _application("a1", "Alpine Logistics", "Planning Analyst", date(2027, 1, 1))
    recent = _application("a2", "Beacon Retail", "Insights Analyst", date(2027, 1, 24))
    state = _state(
        [old, recent],
        [_activity("x1", "other", date(2027, 1, 30))],
        name=None,
        digest_enabled=False,
    )
    return _due("no_response_check", state, _at(date(2027, 1, 31), 9), "no_response_check")


def _long_lists() -> Sample:
    """An old search imported at once: the longest waiting named, the rest counted."""
    companies = ("Cedar Labs", "Dune Media", "Elm Energy", "Fjord Foods", "Granite Bank",
                 "Harbor Freight", "Iris Optics", "Juniper Travel")  # fmt: skip
    apps = [
        _application(f"a{i}", name, "Analyst", date(2027, 1, 18) + timedelta(days=i % 3),
                     contact=(f"{name.split()[0]} Team", f"jobs@{name.split()[0].lower()}.example"))
        for i, name in enumerate(companies)
    ] + [
        _application(f"b{i}", f"Studio {i + 1}", "Planning Analyst", date(2026, 11, 2 + i))
        for i in range(7)
    ]  # fmt: skip
    moment = _at(date(2027, 2, 1), 8)
    state = _state(
        [replace(a, imported_at=moment) for a in apps], digest_enabled=False, gap_days=14
    )
    return _due("long_lists", state, _at(date(2027, 2, 2), 9), "follow_up")


def _digest() -> Sample:
    # Each had an answer (a screening), so no follow-up joins the digest.
    apps = [
        _application(f"a{i}", f"Company {i}", "Analyst", day,
                     _event(f"s{i}", "screening", _at(day, 16)))
        for i, day in enumerate(
            [date(2026, 12, 15), date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 20),
             date(2027, 1, 27), date(2027, 2, 2), date(2027, 2, 3), date(2027, 2, 4)]
        )
    ]  # fmt: skip
    activities = [
        _activity("x1", "networking_event", date(2026, 12, 22)),
        _activity("x2", "resume_updated", date(2027, 1, 12)),
        _activity("x3", "industry_news", date(2027, 2, 5)),
    ]
    state = _state(apps, activities, gap_days=14)
    return _due("digest", state, _at(date(2027, 2, 8), 9), "digest")


def _congratulations() -> Sample:
    app = _application(
        "a1", "Harbour & Co", "Senior Analyst", date(2027, 1, 10),
        _event("o1", "offer", _at(date(2027, 1, 30), 11)),
        _event("c1", "accepted", _at(date(2027, 2, 3), 15)),
    )  # fmt: skip
    return _due("congratulations", _state([app]), _at(date(2027, 2, 3), 15), "congratulations")


def _interview_state() -> UserState:
    """An interview on Wed 10 Feb at 14:00, scheduled a week before."""
    start = _at(date(2027, 2, 10), 14)
    invited = _at(date(2027, 2, 3), 11)
    scheduled = replace(
        _event("i1", "interview", invited),
        note="Video call with the team lead; the link is in the invitation.",
        scheduled_for=start,
    )
    app = _application(
        "a1", "Contoso Health", "Product Analyst", date(2027, 1, 25), scheduled,
        contact=("Jordan Lee", "jordan@contoso.example"),
    )  # fmt: skip
    return _state([app], digest_enabled=False, gap_days=14)


def _interview_prep() -> Sample:
    state = _interview_state()
    return _due("interview_prep", state, _at(date(2027, 2, 9), 9), "interview_prep")


def _interview_debrief() -> Sample:
    state = _sent(_interview_state(), _at(date(2027, 2, 9), 9))  # the prep went out
    return _due("interview_debrief", state, _at(date(2027, 2, 11), 9), "interview_debrief")


_BUILDERS: tuple[Callable[[], Sample], ...] = (
    _acknowledgement,
    lambda: _comeback("recruiter_call", "ask_feedback"),
    lambda: _comeback("automated_email", "replay", interview=True),
    _gap_after_break,
    _follow_up,
    _no_response,
    _long_lists,
    _digest,
    _congratulations,
    _interview_prep,
    _interview_debrief,
)


def samples() -> list[Sample]:
    """Every e-mail kind at least once (the comeback ones carry `week_plan` too)."""
    return [build() for build in _BUILDERS]


def render_sample(sample: Sample) -> RenderedEmail:
    return render_email(
        sample.email,
        sample.state,
        unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL,
        app_url=SAMPLE_APP_URL,
    )
