"""Plain events in and plain replies out: the only vocabulary shared with a messaging platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """She typed something."""

    text: str


@dataclass(frozen=True)
class Press:
    """She pressed a button; message_id is the message that carried it."""

    data: str
    message_id: int | None = None


@dataclass(frozen=True)
class Command:
    """She sent /name args."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Media:
    """She sent something that is not text: a voice note, photo, sticker, file..."""

    kind: str


Event = Text | Press | Command | Media


@dataclass(frozen=True)
class Button:
    """One button: what it says and the data it sends back (at most 64 bytes)."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A message to show: its text and its buttons, row by row."""

    text: str
    buttons: Keyboard = ()


def rows(buttons: list[Button], columns: int) -> list[tuple[Button, ...]]:
    """Lay buttons out `columns` to a row."""
    return [tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]
