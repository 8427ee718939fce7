"""Booking an interview through the dispatcher: what the reminders promise, and when they say "today"."""

from __future__ import annotations

from conversations.sweep import sweep
from tests.admin.test_interviews import registered
from tests.conftest import COORDINATOR, Harness

MARYAM = 7001
SLOT = "Jan 8, 2026 10:00\u202fAM · Here"


async def _booked(h: Harness, language: str = "en") -> None:
    maryam = registered(h, MARYAM, "Maryam", language, "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Here", language="en")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")


async def test_confirming_at_once_promises_the_reminder(harness: Harness) -> None:
    await _booked(harness)
    confirmed = await harness.press(MARYAM, "bc:1:y")
    assert confirmed[-1].text == f"Thank you! See you on {SLOT}. I will remind you the day before."


async def test_confirming_from_the_reminder_does_not_promise_it_again(harness: Harness) -> None:
    h = harness
    await _booked(h)
    h.clock.advance(days=2, hours=1)  # the day before, the reminder's time
    sweep(h.db, h.clock, h.i18n)
    await h.sender.drain()
    reminder = h.last_with_buttons(MARYAM)
    assert reminder.text == f"A reminder: your interview is tomorrow, {SLOT}. Will you come?"
    confirmed = await h.press(MARYAM, "bc:1:y", reminder.message_id)
    assert confirmed[-1].text == f"Thank you! See you on {SLOT}."


async def test_a_reminder_sent_late_on_the_day_says_today(harness: Harness) -> None:
    h = harness
    await _booked(h, "da")
    h.clock.advance(days=2, hours=22)  # the sweep was down until 08:00 Copenhagen on the interview's day
    assert sweep(h.db, h.clock, h.i18n).interview_reminders == 1
    await h.sender.drain()
    da = h.i18n.translator("da")
    slot = f"{da.date(h.clock.now())} {da.clock('10:00')} · Here"
    assert h.last_with_buttons(MARYAM).text == da.gettext(
        "A reminder: your interview is today, {slot}. Will you come?", slot=slot
    )
