"""Decode a Telegram Update (webhook body or getUpdates item) into what the door acts on, or say why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update

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


@dataclass(frozen=True)
class FileRef:
    file_id: str
    size: int | None
    name: str | None


@dataclass(frozen=True)
class Incoming:
    """One update we handle: a message from the reporter, or a press of one of our buttons."""

    update_id: int
    chat_id: int
    text: str = ""
    message_id: int | None = None
    locale_hint: str | None = None
    file: FileRef | None = None
    press: Press | None = None
    callback_id: str | None = None
    markup: InlineKeyboardMarkup | None = None  # the pressed keyboard as the reporter saw it


def parse(data: Any) -> Incoming:
    """An Incoming, or BadRequest (malformed) or Ignored (a kind of update we do not handle)."""
    if not isinstance(data, dict):
        raise BadRequest("the body is not a JSON object")
    if not isinstance(data.get("update_id"), int):
        raise BadRequest("the update has no integer update_id")
    try:
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BadRequest(f"not a Telegram update ({type(error).__name__})") from None
    if update.callback_query is not None:
        return _press(update)
    if update.message is not None:
        return _message(update)
    # Edited messages, channel posts, inline queries, polls, member changes...: nothing to answer.
    raise Ignored("update kind not handled")


def _message(update: Update) -> Incoming:
    message = update.message
    assert message is not None
    if message.chat.type != "private":
        # A report is a private conversation; a bot added to a group must not take one there.
        raise Ignored("not a private chat")
    if message.from_user is None or message.from_user.is_bot:
        raise Ignored("not from a person")
    hint = message.from_user.language_code
    text = message.text or message.caption or ""
    if message.text and message.text.startswith("/"):
        command, _, payload = message.text[1:].partition(" ")
        # In a group a command reads /help@ThisBot; the name is ours, not the reporter's word.
        command = command.split("@", 1)[0].lower()
        if command in COMMANDS:
            text = COMMANDS[command]
            payload = payload.strip()
            if command == "start" and payload in available_languages():
                # A deep link such as t.me/<bot>?start=pl, from a landlord's poster in Polish.
                hint = payload
    file = None
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        file = FileRef(largest.file_id, largest.file_size, None)
    elif message.document is not None:
        file = FileRef(message.document.file_id, message.document.file_size, message.document.file_name)
    if not text and file is None:
        raise Ignored("no text, photo or document")
    return Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        text=text,
        message_id=message.message_id,
        locale_hint=hint,
        file=file,
    )


def _press(update: Update) -> Incoming:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or getattr(message, "chat", None) is None:
        raise Ignored("button on a message we can no longer see")
    if message.chat.type != "private":
        raise Ignored("not a private chat")
    press = decode(query.data)
    if press is None:
        raise BadRequest("callback data is not one of ours")
    markup = getattr(message, "reply_markup", None)
    return Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        message_id=message.message_id,
        locale_hint=query.from_user.language_code if query.from_user else None,
        press=press,
        callback_id=query.id,
        markup=markup,
    )
