"""Property tests: the planner's invariants over random timelines (docs/behaviour.md).

Each example is one user's random timeline of writes (applications, events,
activities, preference changes, unsubscribing) at random moments. A simulated
sender wakes whenever `next_wake_at` says and at every write, claims and sends what
`plan` calls due (sometimes dying between SES and the record, leaving the claim
`unknown`), and the checks run on everything it sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceback.domain.localtime import local_date
from bounceback.domain.model import (
    ACTIVITY_KINDS,
    EVENT_TYPES,
    REJECTION_CHANNELS,
    Activity,
    Application,
    Event,
    Profile,
    SendState,
    SentEmail,
    UserState,
)
from bounceback.domain.planner import PlannedEmail, find_breaks, next_wake_at, plan
from bounceback.domain.transitions import InvalidTransition, status_after

pytestmark = pytest.mark.property

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Honolulu",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
)
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------- timelines

Write = tuple[str, dict[str, Any]]

writes = st.one_of(
    st.tuples(
        st.just("application"),
        st.fixed_dictionaries(
            {"back": st.integers(0, 40), "contact": st.booleans()},
        ),
    ),
    st.tuples(
        st.just("event"),
        st.fixed_dictionaries(
            {
                "pick": st.integers(0, 50),
                "type": st.sampled_from(EVENT_TYPES + ("rejection",) * 4 + ("interview",) * 2),
                "channel": st.sampled_from(REJECTION_CHANNELS),
                "earlier_minutes": st.integers(0, 4 * 24 * 60),
                # an interview may be scheduled: from the past day to ten days ahead
                "schedule_in": st.one_of(st.none(), st.integers(-24 * 60, 10 * 24 * 60)),
            }
        ),
    ),
    st.tuples(
        st.just("activity"),
        st.fixed_dictionaries({"kind": st.sampled_from(ACTIVITY_KINDS), "back": st.integers(0, 6)}),
    ),
    st.tuples(
        st.just("prefs"),
        st.fixed_dictionaries(
            {
                "break_days": st.integers(1, 7),
                "gap_days": st.integers(2, 14),
                "digest_enabled": st.booleans(),
                "send_hour": st.integers(0, 23),
                "pause": st.one_of(st.none(), st.integers(0, 10)),
            }
        ),
    ),
    st.tuples(st.just("timezone"), st.fixed_dictionaries({"zone": st.sampled_from(ZONES)})),
    st.tuples(st.just("fail_next_send"), st.just({})),
)


@st.composite
def timelines(draw: st.DrawFn, *, stop: bool = True) -> dict[str, Any]:
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(
        days=draw(st.integers(0, 360)), minutes=draw(st.integers(0, 1439))
    )
    steps = draw(st.lists(st.tuples(st.integers(1, 4 * 24 * 60), writes), min_size=1, max_size=25))
    ending = draw(st.sampled_from(["none", "none", "unsubscribe", "suppress"])) if stop else "none"
    return {
        "start": start,
        "profile": Profile(
            user_id="u",
            email="u@example.com",
            timezone=draw(st.sampled_from(ZONES)),
            send_hour=draw(st.integers(0, 23)),
            break_days=draw(st.integers(1, 7)),
            gap_days=draw(st.integers(2, 14)),
            digest_enabled=draw(st.booleans()),
        ),
        "steps": steps,
        "ending": ending,
        "ending_after": draw(st.integers(0, 20 * 24 * 60)),
    }


# --------------------------------------------------------------------------- simulation


@dataclass
class Delivery:
    at: datetime
    email: PlannedEmail
    outcome: SendState
    state: UserState  # the state the sender planned with


@dataclass
class Sim:
    state: UserState
    now: datetime
    deliveries: list[Delivery] = field(default_factory=list)
    fail_next: bool = False
    stopped_at: datetime | None = None
    counter: int = 0

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # -- the sender ---------------------------------------------------------------

    def deliver(self) -> None:
        result = plan(self.state, self.now)
        assert sum(1 for e in result.due if e.scheduled) <= 1
        claimed = {s.claim_key for s in self.state.sent}
        records = list(self.state.sent)
        for email in result.due:
            assert email.send_at <= self.now
            assert email.claim_key not in claimed, "planner offered a used claim"
            outcome: SendState = "sent"
            if self.fail_next and email.scheduled:
                outcome, self.fail_next = "unknown", False
            claimed.add(email.claim_key)
            records.append(
                SentEmail(
                    claim_key=email.claim_key,
                    local_date=email.local_date,
                    kinds=email.kinds,
                    nudge_keys=tuple(n.key for n in email.nudges),
                    state=outcome,
                    claimed_at=self.now,
                    sent_at=self.now if outcome == "sent" else None,
                )
            )
            self.deliveries.append(Delivery(self.now, email, outcome, self.state))
        self.state = replace(self.state, sent=tuple(records))
        after = plan(self.state, self.now)
        assert after.due == (), "something is still due right after the sender ran"
        for email in result.due:
            if self.deliveries[-1].outcome == "unknown" and email.scheduled:
                replanned = {n.key for e in after.upcoming for n in e.nudges}
                lost = {
                    n.key
                    for n in email.nudges
                    if n.key not in replanned and not superseded(n.key, replanned)
                }
                assert not lost, f"unknown claim lost {lost}"
        self.check_wake()

    def check_wake(self) -> None:
        """Nothing may become due between now and the wake-up `next_wake_at` gives."""
        wake = next_wake_at(self.state, self.now)
        if wake is None:
            probes = [self.now + timedelta(days=d) for d in (1, 9, 40, 130)]
        else:
            assert wake >= self.now
            span = wake - self.now
            probes = [self.now + span * f for f in (0.3, 0.7)]
            if span > timedelta(seconds=1):
                probes.append(wake - timedelta(seconds=1))
        for probe in probes:
            assert plan(self.state, probe).due == (), f"wake {wake} misses a nudge due by {probe}"

    def run_until(self, end: datetime) -> None:
        for _ in range(1000):
            wake = next_wake_at(self.state, self.now)
            if wake is None or wake > end:
                break
            self.now = max(self.now, wake)
            before = len(self.deliveries)
            self.deliver()
            if len(self.deliveries) == before:
                self.now += timedelta(seconds=1)
        self.now = max(self.now, end)

    # -- the user -----------------------------------------------------------------

    def write(self, kind: str, args: dict[str, Any]) -> None:
        state, now = self.state, self.now
        today = local_date(now, state.profile.timezone)
        if kind == "application":
            app = Application(
                id=self.new_id("a"),
                company="Acme",
                role="Analyst",
                applied_on=today - timedelta(days=args["back"]),
                contact_email="hr@acme.example" if args["contact"] else None,
                created_at=now,
            )
            self.state = replace(state, applications=(*state.applications, app))
        elif kind == "event" and state.applications:
            index = args["pick"] % len(state.applications)
            app = state.applications[index]
            try:
                status = status_after(app.status, args["type"])
            except InvalidTransition:
                return
            occurred = now - timedelta(minutes=args["earlier_minutes"])
            event = Event(
                id=self.new_id("e"),
                type=args["type"],
                occurred_at=occurred,
                recorded_at=now,
                channel=args["channel"] if args["type"] == "rejection" else None,
                scheduled_for=(
                    now + timedelta(minutes=args["schedule_in"])
                    if args["type"] == "interview" and args.get("schedule_in") is not None
                    else None
                ),
            )
            changed = replace(app, status=status, events=(*app.events, event))
            apps = list(state.applications)
            apps[index] = changed
            self.state = replace(state, applications=tuple(apps))
        elif kind == "activity":
            act = Activity(
                id=self.new_id("x"),
                kind=args["kind"],
                date=today - timedelta(days=args["back"]),
                created_at=now,
            )
            self.state = replace(state, activities=(*state.activities, act))
        elif kind == "prefs":
            pause = args["pause"]
            prof = replace(
                state.profile,
                break_days=args["break_days"],
                gap_days=args["gap_days"],
                digest_enabled=args["digest_enabled"],
                send_hour=args["send_hour"],
                paused_until=None if pause is None else today + timedelta(days=pause),
            )
            self.state = replace(state, profile=prof)
        elif kind == "timezone":
            self.state = replace(state, profile=replace(state.profile, timezone=args["zone"]))
        elif kind == "fail_next_send":
            self.fail_next = True


def simulate(timeline: dict[str, Any], *, tail_days: int = 70) -> Sim:
    sim = Sim(state=UserState(profile=timeline["profile"]), now=timeline["start"])
    for delay, (kind, args) in timeline["steps"]:
        sim.run_until(sim.now + timedelta(minutes=delay))
        sim.write(kind, args)
        sim.deliver()
    if timeline["ending"] != "none":
        sim.run_until(sim.now + timedelta(minutes=timeline["ending_after"]))
        flag = {"unsubscribe": "unsubscribed", "suppress": "suppressed"}[timeline["ending"]]
        sim.state = replace(sim.state, profile=replace(sim.state.profile, **{flag: True}))
        sim.stopped_at = sim.now
        sim.deliver()
    sim.fail_next = False
    sim.run_until(sim.now + timedelta(days=tail_days))
    return sim


def day_claims(sim: Sim) -> list[date]:
    return [d.email.local_date for d in sim.deliveries if d.email.scheduled]


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(timelines())
def test_never_two_scheduled_emails_on_one_local_day(timeline: dict[str, Any]) -> None:
    days = day_claims(simulate(timeline))
    assert len(days) == len(set(days))


@SETTINGS
@given(timelines())
def test_never_more_than_four_scheduled_emails_in_seven_local_days(
    timeline: dict[str, Any],
) -> None:
    ordinals = sorted(d.toordinal() for d in day_claims(simulate(timeline)))
    for i, first in enumerate(ordinals):
        window = [o for o in ordinals[i:] if o < first + 7]
        assert len(window) <= 4, f"{len(window)} e-mails from {date.fromordinal(first)}"


@SETTINGS
@given(timelines())
def test_no_scheduled_email_inside_a_break_or_a_pause(timeline: dict[str, Any]) -> None:
    for delivery in simulate(timeline).deliveries:
        if not delivery.email.scheduled:
            continue
        day = delivery.email.local_date
        paused = delivery.state.profile.paused_until
        assert paused is None or day > paused
        assert not any(b.covers(day) for b in find_breaks(delivery.state))


@SETTINGS
@given(timelines())
def test_nothing_is_sent_after_unsubscribe_or_suppression(timeline: dict[str, Any]) -> None:
    sim = simulate(timeline)
    if sim.stopped_at is not None:
        assert all(d.at < sim.stopped_at for d in sim.deliveries)
        assert next_wake_at(sim.state, sim.now) is None


@SETTINGS
@given(timelines(stop=False))
def test_upcoming_email_is_sent_as_planned_when_nothing_changes(timeline: dict[str, Any]) -> None:
    # Given any history, when the user writes nothing more, what `upcoming` promised in
    # the next four weeks is exactly what goes out: deferral never loses a nudge
    sim = simulate(timeline, tail_days=0)
    start = sim.now
    promised = [
        (e.claim_key, e.send_at, tuple(n.key for n in e.nudges))
        for e in plan(sim.state, start).upcoming
        if e.send_at <= start + timedelta(days=28)
    ]
    sim.run_until(start + timedelta(days=28))
    sent = [
        (d.email.claim_key, d.email.send_at, tuple(n.key for n in d.email.nudges))
        for d in sim.deliveries
        if d.at > start
    ]
    assert sent == promised


def superseded(key: str, delivered: set[str]) -> bool:
    """A later step of the same rule went out instead (comeback, gap guard, follow-ups, digest)."""
    kind, _, rest = key.partition(":")
    if kind == "gap":
        anchor, _, step = rest.rpartition(":")
        return any(
            k.startswith(f"gap:{anchor}:") and int(k.rsplit(":", 1)[1]) > int(step)
            for k in delivered
        )
    if kind == "follow_up":
        return f"no_response_check:{rest}" in delivered
    if kind in ("comeback", "week_plan"):
        return any(k.startswith("comeback:") and k.split(":", 1)[1] > rest for k in delivered)
    return kind == "digest"  # a digest not sent within its week gives way to the next


@SETTINGS
@given(timelines(stop=False))
def test_due_nudges_are_eventually_sent_unless_their_reason_goes(
    timeline: dict[str, Any],
) -> None:
    # Given a timeline ending in a long quiet spell
    sim = simulate(timeline, tail_days=130)
    # Then nothing is left due at the end
    assert plan(sim.state, sim.now).due == ()
    # And every nudge of an e-mail whose send ended `unknown` was sent later, unless
    # the user wrote something since (which may remove its reason) or a later step of
    # the same rule superseded it
    delivered = {n.key for d in sim.deliveries if d.outcome == "sent" for n in d.email.nudges}
    final = sim.state
    for lost in (d for d in sim.deliveries if d.outcome == "unknown"):
        before = lost.state
        quiet = (before.applications, before.activities, before.profile) == (
            final.applications,
            final.activities,
            final.profile,
        )
        if not quiet:
            continue
        for nudge in lost.email.nudges:
            assert nudge.key in delivered or superseded(nudge.key, delivered), nudge.key
