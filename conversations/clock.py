"""The injected clock: logic asks it for the time, so tests and the sandbox can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until it is moved."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")

    def now(self) -> datetime:
        """The time the clock was last set to."""
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock forward, e.g. advance(days=1)."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now


@runtime_checkable
class MovableClock(Clock, Protocol):
    """A clock the sandbox can move forward."""

    def advance(self, delta: timedelta) -> datetime: ...


class SandboxClock:
    """The real time plus an offset that only grows: the sandbox's clock, moved from its web page."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        """The current UTC time, moved forward by everything advance() added."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (never back: what was sent stays sent) and return the new time."""
        if delta < timedelta():
            raise ValueError("the sandbox clock only moves forward")
        self.offset += delta
        return self.now()
