"""A key removed from MENTORBOT_NOTES_KEYS: what it sealed is reported, and nobody is stuck."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from admin.interviews import UNREADABLE_NOTES
from bot.runner import check_seals
from conversations.runner import UNREADABLE_CONVERSATION
from storage import queries
from storage.crypto import NotesCipher, UnreadableSeal, new_key
from storage.models import Conversation, OutboxMessage
from tests.admin.test_interviews import MARYAM, registered
from tests.conftest import COORDINATOR, Harness, add_person


def _with_new_key(h: Harness) -> Harness:
    """The same bot and database after a restart whose MENTORBOT_NOTES_KEYS lost the old key."""
    after = Harness(h.db, h.clock, h.i18n, frozenset({COORDINATOR}))
    after.users, after._update_ids, after._message_ids = h.users, h._update_ids, h._message_ids
    return after


async def _notes_begun(h: Harness) -> int:
    maryam = registered(h, MARYAM, "Maryam", "fa", "mentee")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}", language="en")
    await h.send(COORDINATOR, f"/interviewed {maryam.short_id}")
    await h.send(COORDINATOR, "/skip")  # date
    await h.send(COORDINATOR, "/skip")  # interviewer
    assert maryam.id is not None
    return maryam.id


def test_a_seal_from_another_key_says_which_setting() -> None:
    sealed = NotesCipher([new_key()]).seal({"note": "x"})
    with pytest.raises(UnreadableSeal, match="MENTORBOT_NOTES_KEYS"):
        NotesCipher([new_key()]).open(sealed)


async def test_an_unreadable_conversation_is_ended_and_she_can_go_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _notes_begun(harness)
    after = _with_new_key(harness)
    try:
        caplog.set_level(logging.ERROR)
        got = await after.send(COORDINATOR, "A friend told her")
        assert got[-1].text == after.i18n.translator("en").gettext(UNREADABLE_CONVERSATION)
        assert any("MENTORBOT_NOTES_KEYS" in r.getMessage() for r in caplog.records)
        assert "A friend" not in caplog.text
        with after.db.session() as session:
            assert session.exec(select(Conversation).where(Conversation.completed_at == None)).all() == []  # noqa: E711
        whoami = await after.send(COORDINATOR, "/whoami")
        assert whoami[-1].text == "You are a coordinator of this network."
    finally:
        await after.bot.session.close()


async def test_start_up_counts_what_the_keys_cannot_open(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _notes_begun(harness)
    assert check_seals(harness.db, harness.notes) == {}
    caplog.set_level(logging.ERROR)
    problems = check_seals(harness.db, NotesCipher([new_key()]))
    assert problems == {"conversations in progress": 1}
    assert "1 conversations in progress cannot be opened with MENTORBOT_NOTES_KEYS" in caplog.text
    # With the old key back after the new one, everything opens again.
    assert check_seals(harness.db, NotesCipher([new_key(), *harness.notes_keys])) == {}


async def test_notes_sealed_with_a_removed_key_are_shown_as_unreadable(harness: Harness) -> None:
    h = harness
    maryam = await _notes_begun(h)
    for _ in range(7):
        await h.send(COORDINATOR, "/skip")
    summary = h.messages(COORDINATOR)[-1]
    await h.press(COORDINATOR, summary.data("Confirm"), summary.message_id)
    after = _with_new_key(h)
    try:
        shown = await after.send(COORDINATOR, f"/person P-{maryam}")
        assert after.i18n.translator("en").gettext(UNREADABLE_NOTES) in shown[-1].text
        assert "Maryam" in shown[-1].text, "the rest of her record is still shown"
    finally:
        await after.bot.session.close()


async def test_a_queued_message_sealed_with_a_removed_key_is_given_up_and_the_rest_go_out(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    other_key = NotesCipher([new_key()])
    with h.db.session() as session:
        amal = add_person(session, 5101, language="ar", created_at=h.clock.now())
        olena = add_person(session, 5102, language="uk", created_at=h.clock.now())
        for person in (amal, olena):
            queries.enqueue_to(
                session, person_id=person.id or 0, kind="message", payload={"text": "x"}, now=h.clock.now()
            )
        # Amal's first message was sealed with a key the bot no longer has.
        sealed = {"sealed": other_key.seal({"text": "notes"})}
        queries.enqueue_to(session, person_id=amal.id or 0, kind="message", payload=sealed, now=h.clock.now())
        queries.enqueue_to(
            session, person_id=amal.id or 0, kind="message", payload={"text": "after"}, now=h.clock.now()
        )
    caplog.set_level(logging.ERROR)
    assert await h.sender.drain() == 3, "every message but the unreadable one went out"
    with h.db.session() as session:
        given_up = session.exec(select(OutboxMessage).where(OutboxMessage.failed_at != None)).all()  # noqa: E711
    assert len(given_up) == 1 and "MENTORBOT_NOTES_KEYS" in (given_up[0].error or "")
    assert "MENTORBOT_NOTES_KEYS" in caplog.text
