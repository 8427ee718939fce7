"""When registration nudges fall due, and calendar months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.timeline import add_months, registration_nudge_due

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


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 5, 9, tzinfo=UTC), 3, datetime(2026, 4, 5, 9, tzinfo=UTC)),
        (datetime(2026, 11, 30, tzinfo=UTC), 3, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), 12, datetime(2027, 12, 15, tzinfo=UTC)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected
