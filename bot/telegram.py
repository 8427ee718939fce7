"""The Telegram transport: the sender's three calls as Bot API methods, Telegram's errors as the sender's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sender import Buttons, Refused, RetryAfter, Temporary, Unreachable
from storage.models import Platform

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """The outbox's [label, data] rows as Telegram's inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in buttons
        ]
    )


@contextmanager
def _as_delivery_errors() -> Iterator[None]:
    """Telegram's answers in the sender's words, so that its retry and unreachable policy stays shared."""
    try:
        yield
    except TelegramRetryAfter as error:
        raise RetryAfter(error.retry_after) from error
    except TelegramForbiddenError as error:  # she blocked the bot or deleted her account
        raise Unreachable(str(error)) from error
    except TelegramBadRequest as error:
        raise Refused(str(error)) from error
    except (TelegramNetworkError, TelegramAPIError) as error:  # 5xx, timeouts, anything else: try again
        raise Temporary(str(error)) from error


class TelegramTransport:
    """Delivers outbox messages to Telegram chats; an address is a chat id."""

    platform: str = Platform.TELEGRAM
    text_limit: int = TELEGRAM_TEXT_LIMIT
    caption_limit: int = TELEGRAM_CAPTION_LIMIT

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, address: str, text: str, buttons: Buttons) -> int:
        """Send one message; returns its id."""
        with _as_delivery_errors():
            sent = await self.bot.send_message(int(address), text, reply_markup=keyboard(buttons))
        return sent.message_id

    async def send_media(self, address: str, kind: str, file_id: str, caption: str, buttons: Buttons) -> int:
        """Pass on a file Telegram already has, by its file_id, with the method of its kind."""
        chat, markup, words = int(address), keyboard(buttons), caption or None
        bot = self.bot
        with _as_delivery_errors():
            if kind == "voice":
                sent = await bot.send_voice(chat, file_id, caption=words, reply_markup=markup)
            elif kind == "audio":
                sent = await bot.send_audio(chat, file_id, caption=words, reply_markup=markup)
            elif kind == "photo":
                sent = await bot.send_photo(chat, file_id, caption=words, reply_markup=markup)
            elif kind == "video":
                sent = await bot.send_video(chat, file_id, caption=words, reply_markup=markup)
            elif kind == "video_note":  # a round video takes no caption; the message before it says who
                sent = await bot.send_video_note(chat, file_id, reply_markup=markup)
            else:
                sent = await bot.send_document(chat, file_id, caption=words, reply_markup=markup)
        return sent.message_id

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons) -> None:
        """Change a sent message; changing it to what it already says is no error."""
        try:
            with _as_delivery_errors():
                await self.bot.edit_message_text(
                    text=text, chat_id=int(address), message_id=message_id, reply_markup=keyboard(buttons)
                )
        except Refused as error:
            if "message is not modified" not in str(error):
                raise

    async def set_menu(self, address: str, commands: list[tuple[str, str]]) -> None:
        """Set the command menu of her chat."""
        menu = [BotCommand(command=name, description=text) for name, text in commands]
        with _as_delivery_errors():
            await self.bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=int(address)))
