"""An announcement through real bot processes and the emulator, the first killed in the middle (not timed)."""

from __future__ import annotations

import itertools

from bench.announce import run


async def test_each_person_gets_one_copy_across_a_kill_in_the_middle() -> None:
    result = await run(people=40, kill_at=0.4, how="kill")
    assert 0 < result.at_kill < 40, "killed in the middle"
    # Nobody is enqueued twice. The sender's own window (docs/reliability.md) remains: a message
    # whose request was in flight at the kill -9 may arrive once more, at most one with one in flight.
    assert result.copies[0] == 0
    assert result.copies[1] >= 39 and set(result.copies) <= {1, 2}
    assert result.edits[-1][1] == (
        "📣 A-1 is sent.\nDelivered: 40\nNot reachable (blocked the bot): 0\nStopped news and events: 0"
    )
    progress = [when for when, text in result.edits[:-1]]
    assert all(b - a >= 4.5 for a, b in itertools.pairwise(progress)), "at most every 5 s"
    assert result.busiest_chat_second <= 3  # one a second per chat, with the sender's burst of three
