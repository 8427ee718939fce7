"""Commands every person can use at any time; an open question is asked again afterwards."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from conversations import participant
from conversations.context import Ctx

router = Router(name=__name__)


@router.message(CommandStart())
async def start(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/start and the deep links ?start=mentee / ?start=mentor."""
    participant.start(ctx, (command.args or "").strip().lower())


@router.message(Command("language"))
async def language(message: Message, ctx: Ctx) -> None:
    """/language."""
    participant.language_menu(ctx)


@router.message(Command("help"))
async def help_(message: Message, ctx: Ctx) -> None:
    """/help."""
    participant.help_(ctx)
    participant.resume(ctx)


@router.message(Command("privacy"))
async def privacy(message: Message, ctx: Ctx) -> None:
    """/privacy."""
    participant.privacy(ctx)
    participant.resume(ctx)


@router.message(Command("profile"))
async def profile(message: Message, ctx: Ctx) -> None:
    """/profile."""
    participant.profile(ctx)
    participant.resume(ctx)


@router.message(Command("whoami"))
async def whoami(message: Message, ctx: Ctx) -> None:
    """/whoami."""
    participant.whoami(ctx)
    participant.resume(ctx)


@router.message(Command("cancel"))
async def cancel(message: Message, ctx: Ctx) -> None:
    """/cancel."""
    participant.cancel(ctx)
