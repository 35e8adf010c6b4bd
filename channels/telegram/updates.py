"""Decode a Telegram Update (webhook body or getUpdates item) into what the door acts on, or say why not.

The update is decoded into strict models of the fields we read, never walked as a raw
dict: a well-signed update of the wrong shape is a 400 naming the field, and a kind we
do not handle is Ignored (200, so Telegram stops sending it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from channels.errors import BadRequest, Ignored
from channels.telegram.keyboards import Press, decode
from intake.i18n import available_languages

# Telegram commands, each the engine's English keyword that does the same at any step.
COMMANDS = {
    "start": "start",
    "help": "help",
    "language": "language",
    "back": "back",
    "skip": "skip",
    "stop": "stop",
    "status": "status",
    "exit": "exit",
}
MAX_TEXT = 4096  # Telegram's own limit for a message's text
MAX_CAPTION = 1024  # and for a photo's or document's caption
Id = Annotated[int, Field(ge=-(2**53), le=2**53)]  # Telegram's ids fit in 52 bits
Count = Annotated[int, Field(ge=0, le=2**53)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class User(_Model):
    id: Id
    is_bot: bool = False
    language_code: str | None = Field(default=None, max_length=35)


class Chat(_Model):
    id: Id
    type: str = Field(max_length=32)


class PhotoSize(_Model):
    file_id: str = Field(min_length=1, max_length=512)
    file_size: Count | None = None
    width: Count = 0
    height: Count = 0


class Document(_Model):
    file_id: str = Field(min_length=1, max_length=512)
    file_size: Count | None = None
    file_name: str | None = Field(default=None, max_length=1024)


class Message(_Model):
    message_id: Count
    date: Count
    chat: Chat
    sender: User | None = Field(default=None, alias="from")
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    caption: str | None = Field(default=None, max_length=MAX_CAPTION)
    photo: list[PhotoSize] = Field(default_factory=list, max_length=20)
    document: Document | None = None


class PressedMessage(_Model):
    """The message a button was on; Telegram may send it without its content ("inaccessible")."""

    message_id: Count
    chat: Chat


class CallbackQuery(_Model):
    id: str = Field(min_length=1, max_length=64)
    sender: User = Field(alias="from")
    message: PressedMessage | None = None
    data: str | None = Field(default=None, max_length=256)


class Update(_Model):
    update_id: Count
    message: Message | None = None
    callback_query: CallbackQuery | None = None


@dataclass(frozen=True)
class FileRef:
    file_id: str
    size: int | None
    name: str | None


@dataclass(frozen=True)
class Incoming:
    """One update we handle: a message from the reporter, or a press of a button.

    `press` is None for a press whose data is not one of ours: it is acknowledged and changes nothing.
    """

    update_id: int
    chat_id: int
    text: str = ""
    message_id: int | None = None
    locale_hint: str | None = None
    file: FileRef | None = None
    pressed: bool = False
    press: Press | None = None
    callback_id: str | None = None


def parse(data: Any) -> Incoming:
    """An Incoming, or BadRequest (malformed, naming the field) or Ignored (a kind of update we do not handle)."""
    if not isinstance(data, dict):
        raise BadRequest("the body is not a JSON object")
    try:
        update = Update.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "update"
        raise BadRequest(f"{where}: {first['msg']}") from None
    if update.callback_query is not None:
        return _press(update.update_id, update.callback_query)
    if update.message is not None:
        return _message(update.update_id, update.message)
    # Edited messages, channel posts, inline queries, polls, member changes...: nothing to answer.
    raise Ignored("update kind not handled")


def _message(update_id: int, message: Message) -> Incoming:
    if message.chat.type != "private":
        # A report is a private conversation; a bot added to a group must not take one there.
        raise Ignored("not a private chat")
    if message.sender is None or message.sender.is_bot:
        raise Ignored("not from a person")
    hint = message.sender.language_code
    text = message.text or message.caption or ""
    if message.text and message.text.startswith("/"):
        command, _, payload = message.text[1:].partition(" ")
        # In a group a command reads /help@ThisBot; the name is ours, not the reporter's word.
        command = command.split("@", 1)[0].lower()
        if command in COMMANDS:
            text = COMMANDS[command]
            if command == "start" and payload.strip() in available_languages():
                # A deep link such as t.me/<bot>?start=pl, from a landlord's poster in Polish.
                hint = payload.strip()
    file = None
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        file = FileRef(largest.file_id, largest.file_size, None)
    elif message.document is not None:
        file = FileRef(message.document.file_id, message.document.file_size, message.document.file_name)
    if not text and file is None:
        raise Ignored("no text, photo or document")
    return Incoming(update_id, message.chat.id, text=text, message_id=message.message_id, locale_hint=hint, file=file)


def _press(update_id: int, query: CallbackQuery) -> Incoming:
    message = query.message
    if message is None:
        raise Ignored("button on a message we can no longer see")
    if message.chat.type != "private":
        raise Ignored("not a private chat")
    return Incoming(
        update_id,
        message.chat.id,
        message_id=message.message_id,
        locale_hint=query.sender.language_code,
        pressed=True,
        press=decode(query.data),
        callback_id=query.id,
    )
