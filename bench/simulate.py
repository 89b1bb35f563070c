"""Timeline simulator: random users, day by day, through the nudge planner. No AWS.

Each simulated user applies, hears back, logs activities, changes preferences,
pauses, sometimes changes time zone, unsubscribes or gets suppressed. A simulated
sender behaves like the real one: it wakes at `next_wake_at`, calls
`plan`, claims each due e-mail once and records a `SentEmail`; now and then it dies
between SES and the record (the claim stays `unknown`), and the whole service goes
down for two days in the middle of the run (catch-up). Invariants are checked on
everything sent; the last line printed is one JSON object with the figures.

    python bench/simulate.py                          # 10,000 users x 90 days
    python bench/simulate.py --users 200 --days 30 --seed 7
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from array import array
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bounceback.domain.localtime import local_date, zone
from bounceback.domain.model import (
    ACTIVITY_KINDS,
    REJECTION_CHANNELS,
    Activity,
    Application,
    Event,
    EventType,
    Profile,
    SendState,
    SentEmail,
    UserState,
)
from bounceback.domain.planner import find_breaks, next_wake_at, plan
from bounceback.domain.transitions import InvalidTransition, status_after
from bounceback_local.harness import percentile

START = datetime(2027, 1, 4, tzinfo=UTC)  # a Monday
ZONES = (
    ("UTC", 3),
    ("Europe/Berlin", 5),
    ("Europe/London", 3),
    ("America/Los_Angeles", 4),
    ("America/New_York", 4),
    ("America/Sao_Paulo", 1),
    ("Asia/Kolkata", 2),
    ("Asia/Tokyo", 2),
    ("Australia/Sydney", 1),
    ("Australia/Lord_Howe", 1),
    ("Pacific/Kiritimati", 1),
    ("Pacific/Honolulu", 1),
    ("Asia/Kathmandu", 1),
)
# What may happen next to an open application, with weights.
NEXT_EVENTS: dict[str, tuple[tuple[EventType, int], ...]] = {
    "applied": (("screening", 3), ("rejection", 4), ("follow_up_sent", 2), ("no_response", 1)),
    "screening": (("interview", 5), ("rejection", 4), ("withdrawn", 1)),
    "interviewing": (("offer", 2), ("rejection", 5), ("interview", 2), ("feedback_received", 1)),
    "offer": (("accepted", 3), ("withdrawn", 1)),
    "no_response": (("screening", 1), ("rejection", 1)),
}
UNKNOWN_RATE = 0.01
DOWNTIME_DAYS = (40, 42)  # the sender does not run from day 40 00:00 UTC to day 42 00:00 UTC


@dataclass
class UserResult:
    emails: int = 0
    scheduled: int = 0
    weekly: list[int] = field(default_factory=list)
    violations: Counter[str] = field(default_factory=Counter)
    call_ms: array = field(default_factory=lambda: array("d"))
    day_ms: array = field(default_factory=lambda: array("d"))


class Planner:
    """Times every planner call and attributes it to the simulation day."""

    def __init__(self, days: int) -> None:
        self.call_ms = array("d")
        self.day_ms = [0.0] * days

    def _timed(self, func: Any, state: UserState, now: datetime, day: int) -> Any:
        began = time.perf_counter()
        result = func(state, now)
        spent = (time.perf_counter() - began) * 1000
        self.call_ms.append(spent)
        if 0 <= day < len(self.day_ms):
            self.day_ms[day] += spent
        return result

    def plan(self, state: UserState, now: datetime, day: int) -> Any:
        return self._timed(plan, state, now, day)

    def wake(self, state: UserState, now: datetime, day: int) -> datetime | None:
        result: datetime | None = self._timed(next_wake_at, state, now, day)
        return result


class User:
    def __init__(self, index: int, seed: int, days: int) -> None:
        self.rng = random.Random(seed * 1_000_003 + index)
        rng = self.rng
        names, weights = zip(*ZONES, strict=True)
        self.profile = Profile(
            user_id=f"u{index}",
            email=f"u{index}@example.com",
            timezone=rng.choices(names, weights)[0],
            send_hour=rng.choice((7, 8, 9, 9, 9, 10, 12, 18, rng.randrange(24))),
            break_days=rng.choice((2, 2, 2, 1, 3, rng.randint(1, 7))),
            gap_days=rng.choice((3, 3, 3, 2, 5, rng.randint(2, 14))),
            digest_enabled=rng.random() < 0.8,
        )
        self.days = days
        self.apply_rate = rng.choice((0.05, 0.15, 0.3, 0.5, rng.random() * 0.6))
        self.activity_rate = rng.random() * 0.4
        self.event_rate = rng.uniform(0.03, 0.15)
        self.quits_on = rng.randrange(days) if rng.random() < 0.15 else None
        self.counter = 0

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def writes_for(self, day: int, state: UserState) -> list[tuple[datetime, str]]:
        """Moments (UTC) and kinds of the user's writes on simulation day `day`."""
        rng = self.rng
        if self.quits_on is not None and day >= self.quits_on:
            return []
        kinds: list[str] = []
        if rng.random() < self.apply_rate:
            kinds.append("application")
        if rng.random() < self.activity_rate:
            kinds.append("activity")
        open_apps = [a for a in state.applications if a.status in NEXT_EVENTS]
        kinds += ["event"] * sum(1 for _ in open_apps if rng.random() < self.event_rate)
        if rng.random() < 0.004:
            kinds.append("pause")
        if rng.random() < 0.003:
            kinds.append("prefs")
        if rng.random() < 0.0008:
            kinds.append("timezone")
        if rng.random() < 0.0003:
            kinds.append("unsubscribe")
        if rng.random() < 0.0002:
            kinds.append("suppress")
        tz = zone(state.profile.timezone)
        base = (START + timedelta(days=day)).astimezone(tz).replace(hour=0, minute=0, second=0)
        out = []
        for kind in kinds:
            hour = rng.choice((7, 8, 10, 12, 13, 17, 19, 20, 20, 21, 21, 22, 23, 6))
            moment = (base + timedelta(hours=hour, minutes=rng.randrange(60))).astimezone(UTC)
            out.append((moment, kind))
        return sorted(out)

    def apply_write(self, state: UserState, kind: str, now: datetime) -> UserState:
        rng = self.rng
        today = local_date(now, state.profile.timezone)
        if kind == "application":
            app = Application(
                id=self.new_id("a"),
                company=rng.choice(("Acme", "Globex", "Initech", "Umbrella", "Hooli")),
                role="Analyst",
                applied_on=today - timedelta(days=rng.choice((0, 0, 0, 1, 2, 5, 20))),
                contact_email="hr@example.com" if rng.random() < 0.4 else None,
                created_at=now,
            )
            return replace(state, applications=(*state.applications, app))
        if kind == "activity":
            act = Activity(
                id=self.new_id("x"),
                kind=rng.choice(ACTIVITY_KINDS),  # type: ignore[arg-type]
                date=today - timedelta(days=rng.choice((0, 0, 0, 1, 3))),
                created_at=now,
            )
            return replace(state, activities=(*state.activities, act))
        if kind == "event":
            open_idx = [i for i, a in enumerate(state.applications) if a.status in NEXT_EVENTS]
            if not open_idx:
                return state
            index = rng.choice(open_idx)
            app = state.applications[index]
            options, weights = zip(*NEXT_EVENTS[app.status], strict=True)
            kind_: EventType = rng.choices(options, weights)[0]
            try:
                status = status_after(app.status, kind_)
            except InvalidTransition:
                return state
            back = rng.choice((0, 0, 0, 30, 120, 60 * 24, 60 * 24 * 3))
            event = Event(
                id=self.new_id("e"),
                type=kind_,
                occurred_at=max(now - timedelta(minutes=back), now - timedelta(days=1)),
                recorded_at=now,
                channel=rng.choice(REJECTION_CHANNELS) if kind_ == "rejection" else None,  # type: ignore[arg-type]
            )
            apps = list(state.applications)
            apps[index] = replace(app, status=status, events=(*app.events, event))
            return replace(state, applications=tuple(apps))
        profile = state.profile
        if kind == "pause":
            until = today + timedelta(days=rng.randint(2, 10))
            profile = replace(profile, paused_until=until)
        elif kind == "prefs":
            profile = replace(
                profile,
                break_days=rng.randint(1, 7),
                gap_days=rng.randint(2, 14),
                digest_enabled=rng.random() < 0.7,
                send_hour=rng.randrange(24),
            )
        elif kind == "timezone":
            profile = replace(profile, timezone=rng.choice([z for z, _ in ZONES]))
        elif kind == "unsubscribe":
            profile = replace(profile, unsubscribed=True)
        elif kind == "suppress":
            profile = replace(profile, suppressed=True)
        return replace(state, profile=profile)


def _day_index(moment: datetime) -> int:
    return (moment - START) // timedelta(days=1)


def simulate_user(index: int, seed: int, days: int) -> UserResult:
    user = User(index, seed, days)
    timer = Planner(days)
    result = UserResult()
    state = UserState(profile=user.profile)
    down_from = START + timedelta(days=DOWNTIME_DAYS[0])
    down_until = START + timedelta(days=DOWNTIME_DAYS[1])
    now = START
    stopped_at: datetime | None = None
    sent_keys: set[str] = set()
    sent_log: list[tuple[datetime, bool]] = []
    day_claims: list[int] = []

    def run_sender(at: datetime, expected_wake: datetime | None) -> datetime | None:
        """One sender run at `at`; returns the next wake-up it stores."""
        nonlocal state
        day = _day_index(at)
        result_plan = timer.plan(state, at, day)
        due = result_plan.due
        if sum(1 for e in due if e.scheduled) > 1:
            result.violations["multiple_scheduled_due_violations"] += 1
        if expected_wake is not None and any(e.send_at < expected_wake for e in due):
            result.violations["late_wake_violations"] += 1
        claimed = {s.claim_key for s in state.sent}
        records = list(state.sent)
        for email in due:
            if email.claim_key in claimed:
                result.violations["reclaimed_violations"] += 1
                continue
            if stopped_at is not None:
                result.violations["after_stop_violations"] += 1
            outcome: SendState = "sent"
            if email.scheduled and user.rng.random() < UNKNOWN_RATE:
                outcome = "unknown"
            claimed.add(email.claim_key)
            records.append(
                SentEmail(
                    claim_key=email.claim_key,
                    local_date=email.local_date,
                    kinds=email.kinds,
                    nudge_keys=tuple(n.key for n in email.nudges),
                    state=outcome,
                    claimed_at=at,
                    sent_at=at if outcome == "sent" else None,
                )
            )
            sent_log.append((at, email.scheduled))
            if email.scheduled:
                day_ord = email.local_date.toordinal()
                if day_ord in day_claims:
                    result.violations["duplicate_day_violations"] += 1
                day_claims.append(day_ord)
                paused = state.profile.paused_until
                if (paused is not None and email.local_date <= paused) or any(
                    b.covers(email.local_date) for b in find_breaks(state)
                ):
                    result.violations["break_or_pause_violations"] += 1
            if outcome == "sent":
                for nudge in email.nudges:
                    if nudge.key in sent_keys:
                        result.violations["duplicate_nudge_violations"] += 1
                    sent_keys.add(nudge.key)
        state = replace(state, sent=tuple(records))
        # Right after a run nothing may still be due: the next wake-up lies ahead.
        after = timer.wake(state, at, day)
        if after is not None and after <= at:
            result.violations["stuck_due_violations"] += 1
        return after

    def service_up(at: datetime) -> bool:
        return not (down_from <= at < down_until)

    # `wake` plays the due-user index: the API stores it after every write, the
    # sender after every run.
    wake: datetime | None = None
    for day in range(days):
        writes = user.writes_for(day, state)
        day_end = START + timedelta(days=day + 1)
        for moment, kind in [*writes, (day_end, "")]:
            while wake is not None and wake < moment:
                run_at, expected = (wake, wake) if wake >= now else (now, None)
                if not service_up(run_at):
                    run_at, expected = down_until, None
                    if run_at >= moment:
                        break
                now = run_at
                wake = run_sender(now, expected)
                if wake is not None and wake <= now:
                    wake = now + timedelta(minutes=5)  # stuck (counted): retry later
            now = max(now, moment)
            if not kind:
                continue
            state = user.apply_write(state, kind, now)
            if (state.profile.unsubscribed or state.profile.suppressed) and stopped_at is None:
                stopped_at = now
            wake = timer.wake(state, now, _day_index(now))
            if wake is not None and wake <= now and service_up(now):
                wake = run_sender(now, None)

    # Caps over the whole run: at most 4 day e-mails in any 7 consecutive local dates.
    ordinals = sorted(day_claims)
    for i, first in enumerate(ordinals):
        if sum(1 for o in ordinals[i : i + 5] if o < first + 7) > 4:
            result.violations["seven_day_cap_violations"] += 1
    result.emails = len(sent_log)
    result.scheduled = sum(1 for _, s in sent_log if s)
    weeks = days // 7
    result.weekly = [0] * weeks
    for at, _ in sent_log:
        week = _day_index(at) // 7
        if 0 <= week < weeks:
            result.weekly[week] += 1
    result.call_ms = timer.call_ms
    result.day_ms = array("d", timer.day_ms)
    return result


def _run_chunk(args: tuple[int, int, int, int]) -> dict[str, Any]:
    first, last, seed, days = args
    weekly: list[int] = []
    violations: Counter[str] = Counter()
    call_ms = array("d")
    day_ms = array("d")
    emails = scheduled = 0
    for index in range(first, last):
        res = simulate_user(index, seed, days)
        weekly += res.weekly
        violations.update(res.violations)
        call_ms.extend(res.call_ms)
        day_ms.extend(res.day_ms)
        emails += res.emails
        scheduled += res.scheduled
    return {
        "weekly": weekly,
        "violations": dict(violations),
        "call_ms": call_ms.tobytes(),
        "day_ms": day_ms.tobytes(),
        "emails": emails,
        "scheduled": scheduled,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    began = time.perf_counter()
    chunk = max(1, min(250, args.users // max(1, args.workers * 4) or 1))
    jobs = [
        (first, min(args.users, first + chunk), args.seed, args.days)
        for first in range(0, args.users, chunk)
    ]
    weekly: list[int] = []
    violations: Counter[str] = Counter()
    call_ms = array("d")
    day_ms = array("d")
    emails = scheduled = 0
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for part in pool.map(_run_chunk, jobs):
            weekly += part["weekly"]
            violations.update(part["violations"])
            call_ms.frombytes(part["call_ms"])
            day_ms.frombytes(part["day_ms"])
            emails += part["emails"]
            scheduled += part["scheduled"]
    elapsed = time.perf_counter() - began

    names = (
        "multiple_scheduled_due_violations",
        "late_wake_violations",
        "reclaimed_violations",
        "after_stop_violations",
        "duplicate_day_violations",
        "break_or_pause_violations",
        "duplicate_nudge_violations",
        "stuck_due_violations",
        "seven_day_cap_violations",
    )
    figures: dict[str, Any] = {
        "users": args.users,
        "days": args.days,
        "seed": args.seed,
        "emails_total": emails,
        "scheduled_emails_total": scheduled,
        "emails_per_user_week_mean": round(statistics.fmean(weekly), 3) if weekly else 0.0,
        "emails_per_user_week_p95": percentile([float(w) for w in weekly], 0.95),
        "emails_per_user_week_max": max(weekly, default=0),
        **{name: violations.get(name, 0) for name in names},
        "violations_total": sum(violations.values()),
        "planner_calls": len(call_ms),
        "planner_ms_per_call_median": round(statistics.median(call_ms), 4) if call_ms else 0.0,
        "planner_ms_per_user_day_median": round(statistics.median(day_ms), 4) if day_ms else 0.0,
        "elapsed_s": round(elapsed, 1),
    }
    print(f"Simulated {args.users} users x {args.days} days (seed {args.seed}) in {elapsed:.1f} s")
    print(
        "E-mails per user per week: "
        f"mean {figures['emails_per_user_week_mean']}, "
        f"p95 {figures['emails_per_user_week_p95']}, max {figures['emails_per_user_week_max']}"
        f"  ({emails} e-mails, {scheduled} scheduled)"
    )
    print(f"Invariant violations: {figures['violations_total']}")
    for name in names:
        print(f"  {name}: {figures[name]}")
    print(
        f"Planner time: median {figures['planner_ms_per_call_median']} ms per call, "
        f"{figures['planner_ms_per_user_day_median']} ms per user-day "
        f"({len(call_ms)} calls)"
    )
    print(json.dumps(figures, sort_keys=True))
    return 0 if figures["violations_total"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
