"""Where the schedule plugin reads "now": the real clock, or a fixed one a test (or a rehearsal of
the event) sets. Services take ``now`` as an argument; handlers and jobs ask ``clock.now()``."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from core.db import utcnow


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()


class FixedClock:
    """Stands still at ``at`` until moved with ``advance``."""

    def __init__(self, at: dt.datetime):
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs a timezone-aware time")
        self.at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


_current: Clock = SystemClock()


def now() -> dt.datetime:
    return _current.now()


def use(clock: Clock | None) -> Clock:
    """Make ``clock`` the one ``now()`` reads (None: the system clock). Returns the previous one."""
    global _current
    previous, _current = _current, (clock or SystemClock())
    return previous
