"""The routers, in the order the dispatcher tries them."""

from __future__ import annotations

from aiogram import Router

from bot.filters import private_chat
from bot.handlers import common, coordinator, fallback, registration


def build_router() -> Router:
    """One root router; order matters where several could match."""
    root = Router(name="root")
    root.message.filter(private_chat)
    root.include_routers(
        common.make_router(),  # commands anyone may use, at any moment, also mid-question
        coordinator.make_router(),  # coordinator commands, behind the allow-list filter
        registration.make_router(),  # answers to the open question, button presses of the flows
        fallback.make_router(),  # last: refusals, unknown commands, media, stale buttons
    )
    return root
