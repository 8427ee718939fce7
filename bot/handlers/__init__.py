"""The routers, in the order the dispatcher tries them."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import common, coordinator, fallback, news, pairs, registration


def build_routers() -> list[Router]:
    """The routers in the order the dispatcher tries them; order matters where several could match."""
    return [
        # First: answers to the open question and the flows' buttons, by far the most frequent
        # updates. It takes no command, so it cannot shadow the others.
        registration.make_router(),
        # Every command is declared once, in admin.commands; each name is taken by one router.
        common.make_router(),  # commands anyone may use, at any moment, also mid-question
        pairs.make_router(),  # a proposed or confirmed pair's buttons: meetings, decision, agreement
        news.make_router(),  # anyone's buttons under announcements and events
        coordinator.make_router(),  # coordinator commands and buttons, behind the allow-list filter
        fallback.make_router(),  # last: refusals of coordinator commands, unknown commands, media, stale buttons
    ]
