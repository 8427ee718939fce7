"""The routers, in the order the dispatcher tries them."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import common, coordinator, fallback, news, pairs, registration


def build_routers() -> list[Router]:
    """The routers in the order the dispatcher tries them; order matters where several could match."""
    return [
        # First: answers to the open question and the flows' buttons, by far the most frequent
        # updates. It takes no command but /back and /skip, so it cannot shadow the others.
        registration.make_router(),
        common.make_router(),  # commands anyone may use, at any moment, also mid-question
        pairs.make_router(),  # a proposed or confirmed pair: meetings, decision, agreement
        news.make_router(),  # anyone's buttons under announcements and events
        coordinator.make_router(),  # coordinator commands, behind the allow-list filter
        fallback.make_router(),  # last: refusals, unknown commands, media, stale buttons
    ]
