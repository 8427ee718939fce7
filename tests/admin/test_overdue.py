"""/overdue's buttons through the dispatcher."""

from __future__ import annotations

from tests.admin.test_interviews import registered
from tests.conftest import COORDINATOR, Harness

MARYAM = 7001


async def test_reminding_her_to_book_never_offers_passed_times(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Here", language="en")
    await h.send(COORDINATOR, "/addslot 2026-01-30 10:00 45 There")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    h.clock.advance(days=15)
    await h.send(COORDINATOR, "/overdue")
    answered = await h.tap(COORDINATOR, "Remind")
    assert answered[-1].text == f"Sent again: Maryam ({maryam.short_id})"
    offered = h.messages(MARYAM)[-1]
    assert [label for row in offered.buttons for label, _ in row] == ["Jan 30, 2026 10:00\u202fAM · There"]

    h.clock.advance(days=20)  # every time has passed now
    await h.send(COORDINATOR, "/overdue")
    answered = await h.tap(COORDINATOR, "Remind")
    assert answered[-1].text.startswith(f"Maryam ({maryam.short_id}): there is no free interview time")
    assert h.calls("AnswerCallbackQuery")[-1].text is None  # not "Sent again."
    told = h.messages(MARYAM)[-1]
    assert told.text.startswith("The interview times you were offered before have passed.")
    assert told.buttons == []
    await h.send(COORDINATOR, "/addslot 2026-02-24 10:00 45 Here")
    assert h.messages(MARYAM)[-1].text.startswith("New interview times are open.")
