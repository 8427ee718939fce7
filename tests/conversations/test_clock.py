"""The sandbox's clock: the real time plus what the page moved it by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.clock import FakeClock, MovableClock, SandboxClock


def test_sandbox_clock_starts_at_the_real_time_and_moves_forward() -> None:
    clock = SandboxClock()
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)

    moved = clock.advance(timedelta(days=1, hours=2))
    assert clock.offset == timedelta(days=1, hours=2)
    assert moved - datetime.now(UTC) > timedelta(days=1, hours=1, minutes=59)
    clock.advance(timedelta(weeks=1))
    assert clock.now() - datetime.now(UTC) > timedelta(days=8, hours=1, minutes=59)


def test_sandbox_clock_never_goes_back() -> None:
    clock = SandboxClock()
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.offset == timedelta()


@pytest.mark.parametrize("clock", [SandboxClock(), FakeClock()])
def test_both_movable_clocks_move_by_a_timedelta(clock: MovableClock) -> None:
    start = clock.now()
    assert clock.advance(timedelta(hours=1)) - start >= timedelta(hours=1)
