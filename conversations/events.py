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
    """She sent something that is not text: a voice note, photo, sticker, file...

    file_id is the platform's id of the file, so that it can be passed on without downloading it.
    """

    kind: str
    file_id: str = ""
    caption: str = ""


Event = Text | Press | Command | Media


@dataclass(frozen=True)
class Button:
    """One button: what it says and the data it sends back (at most 64 bytes)."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Attachment:
    """A file passed on as it came, by the platform's id: a voice note, a photo, a document, a video."""

    kind: str  # voice | audio | photo | document | video | video_note
    file_id: str
    fallback: str = ""  # said instead when the platform refuses the file (in the reader's language)


@dataclass(frozen=True)
class Reply:
    """A message to show: its text (a caption, with an attachment) and its buttons, row by row."""

    text: str
    buttons: Keyboard = ()
    attachment: Attachment | None = None


def rows(buttons: list[Button], columns: int) -> list[tuple[Button, ...]]:
    """Lay buttons out `columns` to a row."""
    return [tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]
