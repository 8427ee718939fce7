"""The programme as declared: when registration nudges fall due, calendar months, spans in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations import timeline
from conversations.timeline import PROGRAMME, Span, add_months, moved, registration_nudge_due

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


@pytest.mark.parametrize(
    ("span", "language", "words"),
    [
        (Span(days=14), "en", "14 days"),
        (Span(months=2), "en", "2 months"),
        (Span(weeks=1), "da", "1 uge"),
        (Span(months=2), "ar", "شهران"),  # the dual
        (Span(weeks=3), "ru", "3 недели"),
        (Span(days=21), "uk", "21 день"),
        (Span(months=12), "tr", "12 ay"),
        (Span(months=3, days=14), "en", "3 months and 14 days"),
    ],
)
def test_spans_in_her_words(span: Span, language: str, words: str) -> None:
    assert span.text(language) == words


def test_spans_count_calendar_months_then_days() -> None:
    start = datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert Span(months=1, days=1).after(start) == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert Span(months=1).before(datetime(2026, 3, 31, 9, tzinfo=UTC)) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert Span(days=-1).after(start) == datetime(2026, 1, 30, 9, tzinfo=UTC)


def test_each_step_is_declared_once_and_what_is_overdue_says_what_to_do() -> None:
    names = [s.name for s in PROGRAMME]
    assert len(names) == len(set(names))
    for step in PROGRAMME:
        assert bool(step.overdue) == bool(step.heading) == bool(step.short), step.name
        assert not any(ch.isdigit() for ch in step.heading + step.title), "durations are placeholders"


def test_moving_a_step_changes_only_that_step() -> None:
    later = moved(PROGRAMME, first_followup=Span(months=4))
    assert [s.name for s in later] == [s.name for s in PROGRAMME]
    changed = [(a.name, b.due) for a, b in zip(PROGRAMME, later, strict=True) if a != b]
    assert changed == [(timeline.FIRST_FOLLOWUP, Span(months=4))]
    with pytest.raises(AssertionError):
        moved(PROGRAMME, followup_3=Span(months=4))
