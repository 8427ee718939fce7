"""When registration nudges fall due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.timeline import registration_nudge_due

IDLE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "due"),
    [
        (timedelta(hours=23, minutes=59), 0),
        (timedelta(hours=24), 1),
        (timedelta(days=6, hours=23), 1),
        (timedelta(days=7), 2),
        (timedelta(days=300), 2),
    ],
)
def test_nudges(after: timedelta, due: int) -> None:
    assert registration_nudge_due(IDLE, IDLE + after) == due
