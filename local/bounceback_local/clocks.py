"""The manual clock of `bounceback local --clock manual`.

It is plugged into `bounceback.infra.clock` (the service's one clock seam), so every
function running in this process reads it. It starts at the real time (or where a
previous run left it, if that is later: it never runs backwards over stored data)
and moves only forward, only when told to.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path


class ClockWentBackwards(ValueError):
    """The manual clock only moves forward."""


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is read as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ManualClock:
    """A clock that stands still until `set` moves it forward; kept in `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        start = datetime.now(UTC)
        if path.exists():
            saved = parse_instant(json.loads(path.read_text(encoding="utf-8"))["now"])
            start = max(start, saved)
        self._now = start

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            if moment < self._now:
                raise ClockWentBackwards(f"the clock is at {iso(self._now)}; it only moves forward")
            self._now = moment
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"now": iso(moment)}), encoding="utf-8")
            temporary.replace(self.path)
            return moment
