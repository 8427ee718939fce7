"""Every message to someone goes through one call that picks her account and her language."""

from __future__ import annotations

from sqlmodel import select

from conversations.context import post
from conversations.events import Button, Reply
from conversations.texts import WELCOME
from storage.models import Account, OutboxMessage
from tests.conftest import Harness, add_person


def test_post_writes_to_her_account_in_her_language(harness: Harness) -> None:
    h = harness
    with h.db.session() as session:
        amal = add_person(session, 7301, language="ar", created_at=h.clock.now())
        olena = add_person(session, 7302, language="uk", created_at=h.clock.now())
        session.add(Account(person_id=olena.id or 0, platform="whatsapp", address="4520000000"))
        session.flush()

        def welcome(tr):  # type: ignore[no-untyped-def]
            return Reply(tr.gettext(WELCOME), ((Button("1", "a:1"), Button("2", "a:2")),))

        post(session, amal, h.i18n, h.clock.now(), welcome)
        post(session, olena.id or 0, h.i18n, h.clock.now(), welcome)  # by person id
    with h.db.session() as session:
        first, second = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    assert (first.platform, first.address) == ("telegram", "7301")
    assert first.payload["text"] == h.i18n.translator("ar").gettext(WELCOME)
    assert first.payload["buttons"] == [[["2", "a:2"], ["1", "a:1"]]], "laid out for a right-to-left reader"
    assert (second.platform, second.address) == ("telegram", "7302"), "her first account"
    assert second.payload["text"] == h.i18n.translator("uk").gettext(WELCOME)
    assert second.payload["buttons"] == [[["1", "a:1"], ["2", "a:2"]]]
