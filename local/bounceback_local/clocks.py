"""The manual clock of `bounceback local --clock manual`.

It is plugged into `bounceback.infra.clock` (the service's one clock seam) in the
stack's process and in every worker process: its instant lives in shared memory
(`SharedInstant`), written only here and read by all. It starts at the real time (or where a
previous run left it, if that is later: it never runs backwards over stored data)
and moves only forward, only when told to.
"""

from __future__ import annotations

import ctypes
import json
import threading
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import RawValue
from pathlib import Path
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class SharedInstant:
    """An instant in shared memory, to the microsecond; callable as a clock source.

    It can be handed to worker processes when they start; they read what the
    stack's process writes.
    """

    def __init__(self, moment: datetime) -> None:
        self._micros: Any = RawValue(ctypes.c_int64, self._encode(moment))

    @staticmethod
    def _encode(moment: datetime) -> int:
        return (moment - _EPOCH) // timedelta(microseconds=1)

    def set(self, moment: datetime) -> None:
        self._micros.value = self._encode(moment)

    def __call__(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self._micros.value)


class ManualClock:
    """A clock that stands still until `set` moves it forward; kept in `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        start = datetime.now(UTC)
        if path.exists():
            saved = parse_instant(json.loads(path.read_text(encoding="utf-8"))["now"])
            start = max(start, saved)
        self.shared = SharedInstant(start)

    def now(self) -> datetime:
        return self.shared()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            now = self.shared()
            if moment < now:
                raise ClockWentBackwards(f"the clock is at {iso(now)}; it only moves forward")
            self.shared.set(moment)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"now": iso(moment)}), encoding="utf-8")
            temporary.replace(self.path)
            return moment
