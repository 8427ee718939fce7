"""/suggest, /queue and "Propose all" as a coordinator sees them, through the dispatcher."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Pair
from tests.conftest import COORDINATOR, Harness
from tests.conversations.test_pairing import ready


async def test_queue_says_who_has_a_proposal_pending(harness: Harness) -> None:
    h = harness
    amal = ready(h, 8101, "Amal", "ar", "mentee")
    karen = ready(h, 8102, "Karen", "da", "mentor")
    ready(h, 8103, "Hana", "en", "mentee")
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, f"/propose {amal.short_id} {karen.short_id}")
    queue = (await h.send(COORDINATOR, "/queue"))[-1].text
    free, pending = queue.split("Ready to be matched, with a proposal pending:")
    assert free.strip().startswith("Interviewed, ready to be matched:\nP-3 Hana")
    assert "Amal" not in free and "Karen" not in free
    assert "P-1 Amal – mentee" in pending and pending.rstrip().endswith("– M-1")
    assert "P-2 Karen – mentor" in pending


async def test_tied_mentors_come_in_a_stated_order_with_names_on_the_buttons(harness: Harness) -> None:
    h = harness
    amal = ready(h, 8101, "Amal Hassan", "ar", "mentee", languages=["ar", "en", "fr", "so"])
    for telegram_id, name, languages in (
        (8102, "Karen Holm", ["en", "fr"]),
        (8103, "Lene", ["ar", "en", "fr"]),
        (8104, "Mette", ["en", "fr"]),
        (8105, "Sara", ["ar", "en", "fr", "so"]),
    ):
        ready(h, telegram_id, name, "da", "mentor", languages=languages)
        h.clock.advance(days=1)  # each registered a day after the one before
    await h.send(COORDINATOR, "/start", language="en")
    listed = (await h.send(COORDINATOR, f"/suggest {amal.short_id}"))[-1]
    ranks = [line for line in listed.text.splitlines() if line[:1].isdigit()]
    # The score counts two languages at most: all four tie, and the languages in common decide,
    # then who has waited longest.
    assert ranks == [
        "1. P-5 Sara – 5.0 of 13.0 points",  # four languages in common
        "2. P-3 Lene – 5.0 of 13.0 points",  # three
        "3. P-2 Karen Holm – 5.0 of 13.0 points",  # two, registered first
        "4. P-4 Mette – 5.0 of 13.0 points",  # two, registered after Karen
    ]
    assert listed.labels == [
        "Propose Sara (P-5)",
        "Propose Lene (P-3)",
        "Propose Karen (P-2)",
        "Propose Mette (P-4)",
    ]


async def test_propose_all_asks_first_and_an_old_button_proposes_nothing_twice(harness: Harness) -> None:
    h = harness
    ready(h, 8101, "Amal", "en", "mentee", line_of_work="health")
    ready(h, 8102, "Hana", "en", "mentee", line_of_work="it")
    ready(h, 8103, "Karen", "en", "mentor", line_of_work="health")
    ready(h, 8104, "Lene", "en", "mentor", line_of_work="it")
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, "/suggest")
    listed = h.last_with_buttons(COORDINATOR)
    asked = await h.tap(COORDINATOR, "Propose all 2 pairs")
    assert asked[-1].text == "Propose all 2 pairs? 4 women get a proposal at once."
    assert asked[-1].labels == ["Yes, propose all 2", "No"]
    await h.tap(COORDINATOR, "No")
    assert h.messages(COORDINATOR)[-1].text == "Nothing was proposed."
    with h.db.session() as session:
        assert session.exec(select(Pair)).all() == []

    await h.press(COORDINATOR, listed.data("Propose all"), listed.message_id)
    confirm = h.last_with_buttons(COORDINATOR)
    await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)
    with h.db.session() as session:
        assert len(session.exec(select(Pair)).all()) == 2
    proposals = len(h.messages(8101))
    again = await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)  # pressed twice
    assert again[0].text == "Who is waiting has changed since that list. Here is the list as it is now:"
    await h.press(COORDINATOR, listed.data("Propose all"), listed.message_id)  # last week's list
    with h.db.session() as session:
        assert len(session.exec(select(Pair)).all()) == 2
    assert len(h.messages(8101)) == proposals, "nobody got a second proposal"
