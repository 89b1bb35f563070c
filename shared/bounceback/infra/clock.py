"""The one place the service reads the time.

Handlers call `now()` once per request and pass the value into the domain. The local
stack swaps the source (`use(...)`) to run a manual clock through the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    return _source().astimezone(UTC)


def use(source: Callable[[], datetime] | None) -> None:
    """Read time from `source` from now on; None restores the system clock."""
    global _source
    _source = source or _system_now
