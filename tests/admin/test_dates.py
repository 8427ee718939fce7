"""Dates typed by coordinators, through the dispatcher: read the same in /addslot and the interview
notes, in her locale, with examples from the clock."""

from __future__ import annotations

from admin.slots import USAGE
from tests.admin.test_interviews import registered
from tests.conftest import COORDINATOR, Harness


async def test_a_danish_coordinator_writes_dates_and_times_as_danes_do(harness: Harness) -> None:
    h = harness
    da = h.i18n.translator("da")
    added = await h.send(COORDINATOR, "/addslot 3.12.2026 10.00 45 Nørregade 1", language="da")
    assert added[-1].text.startswith(da.ngettext("{count} slot added:", "{count} slots added:", 1))
    assert "S-1 3. dec. 2026 10.00 · Nørregade 1" in added[-1].text
    weekly = await h.send(COORDINATOR, "/addslot 14/1/2026 10.00-11.00 30 x2 Vesterbrogade 2")
    assert "S-2 14. jan. 2026 10.00" in weekly[-1].text and "S-5 21. jan. 2026 10.30" in weekly[-1].text


async def test_the_usage_example_is_ahead_and_in_her_locale(harness: Harness) -> None:
    h = harness
    da = h.i18n.translator("da")
    usage = (await h.send(COORDINATOR, "/addslot soon", language="da"))[-1].text
    assert usage == da.gettext(USAGE, date="13.01.2026")  # the clock says 5 January 2026
    h.clock.advance(days=400)
    later = (await h.send(COORDINATOR, "/addslot soon"))[-1].text
    assert "/addslot 16.02.2027 10:00 45" in later
    example = later.split("/addslot ")[1].split("\n")[0]
    added = await h.send(COORDINATOR, f"/addslot {example}")
    assert added[-1].text.startswith(da.ngettext("{count} slot added:", "{count} slots added:", 1))


async def test_slots_step_by_step_offer_days_and_read_her_dates(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/addslot", language="en")
    question = h.messages(COORDINATOR)[-1]
    assert question.labels == [
        "Tue, Jan 6",
        "Wed, Jan 7",
        "Thu, Jan 8",
        "Fri, Jan 9",
        "Sat, Jan 10",
        "Sun, Jan 11",
    ]
    wrong = (await h.send(COORDINATOR, "the 8th"))[-1].text
    assert "I could not read that date. Please write it like 1/13/2026." in wrong
    await h.send(COORDINATOR, "8.1.2026")  # day first, as dots always are
    await h.send(COORDINATOR, "9:30")
    await h.send(COORDINATOR, "45")
    await h.send(COORDINATOR, "Nørregade 1")
    summary = h.messages(COORDINATOR)[-1]
    assert "• Day: Jan 8, 2026" in summary.text
    done = await h.press(COORDINATOR, summary.data("Confirm"), summary.message_id)
    assert done[-1].text.startswith("1 slot added:\nS-1 Jan 8, 2026 9:30")


async def test_interview_notes_read_dates_as_addslot_does(harness: Harness) -> None:
    h = harness
    maryam = registered(h, 7001, "Maryam", "ar", "mentee")
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.send(COORDINATOR, f"/interviewed {maryam.short_id}")
    answered = await h.send(COORDINATOR, "2.1.2026")  # 2 January, not February (still ahead then)
    assert not any("too far ahead" in sent.text for sent in answered)
    for _ in range(8):
        await h.send(COORDINATOR, "/skip")
    assert "• Date of the interview (skip for today): Jan 2, 2026" in h.messages(COORDINATOR)[-1].text
