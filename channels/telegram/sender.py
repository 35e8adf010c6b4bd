"""Deliver outbox rows through python-telegram-bot's Bot: replies with keyboards, and the quick exit's erasing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from datetime import datetime, timedelta

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from channels.telegram.config import BotConfig
from channels.telegram.keyboards import keyboard
from channels.telegram.runner import RUNNER, Runner
from intake.errors import SendError
from intake.i18n import translator
from intake.messages import OutboundMessage, utcnow
from intake.outbox import Outgoing

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # Telegram's limit for one message
# A bot may delete a message in a private chat for 48 hours; a margin for the time in the queue.
DELETABLE_FOR = timedelta(hours=48) - timedelta(minutes=10)
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
# Failures before the request left this machine: Telegram cannot have the message.
NEVER_CONNECTED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TelegramSender:
    def __init__(self, configs: Mapping[str, BotConfig], runner: Runner = RUNNER):
        self.configs, self.runner = configs, runner

    def send(self, message: Outgoing) -> str:
        config = self.configs.get(message.org)
        if config is None:
            raise SendError(f"no Telegram bot configured for {message.org}", retryable=False)
        if not message.recipient:
            raise SendError("no chat to send to", retryable=False)
        bot = self.runner.bot(config)
        try:
            ids = self.runner.run(_deliver(bot, int(message.recipient), message))
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise SendError("telegram: flood control (429)", retryable=True, retry_after=seconds) from None
        except (Forbidden, InvalidToken) as error:
            # The reporter blocked the bot, or the token was revoked: trying again changes nothing.
            raise SendError(f"telegram: {type(error).__name__}: {error.message}", retryable=False) from None
        except BadRequest as error:
            raise SendError(f"telegram: BadRequest: {error.message}", retryable=False) from None
        except (TimedOut, NetworkError, TimeoutError) as error:
            # Telegram may have the message though we never heard: a second try could be a duplicate.
            # Stopping a spinner or changing a keyboard twice costs nothing, so those are simply retried.
            unknown = message.purpose != "door_effect" and _may_have_arrived(error)
            raise SendError(f"telegram: {type(error).__name__}", retryable=True, outcome_unknown=unknown) from None
        except OSError as error:
            raise SendError(f"telegram: {type(error).__name__}", retryable=True) from None
        # Telegram's message ids count per chat: the outbox row's id makes ours unique.
        return f"telegram:{message.id}:{','.join(str(i) for i in ids)}"


def _may_have_arrived(error: Exception) -> bool:
    """Whether the request may have reached Telegram though no answer came back (an answer, even a 500, says it did not act)."""
    if isinstance(error, TimedOut | NetworkError):
        cause = error.__cause__
        return isinstance(cause, httpx.HTTPError) and not isinstance(cause, NEVER_CONNECTED)
    return True  # the Bot loop's own time limit ran out mid-call


async def _deliver(bot: Bot, chat_id: int, message: Outgoing) -> list[int]:
    payload = message.payload
    if message.purpose == "door_effect":
        await _effect(bot, chat_id, payload)
        return []
    replies = [OutboundMessage.from_dict(m) for m in payload.get("messages", [])]
    if message.purpose == "erase":
        await _erase(bot, chat_id, payload.get("erase", {}))
        replies = [_with_deletion_hint(r) for r in replies]
    ids: list[int] = []
    ticks = [r for r in replies if r.kind == "ticks"]
    if ticks and str(payload.get("in_reply_to") or "").isdigit():
        # A tick changed: the same buttons, on the message that was pressed.
        await _cosmetic(bot.edit_message_reply_markup(chat_id, int(payload["in_reply_to"]), reply_markup=keyboard(ticks[-1])))
    replies = [r for r in replies if r.kind != "ticks"]
    if not replies:
        return ids
    # Several lines of one row (the Victims Code) go as one message: one delivery, all of it or none.
    text = "\n\n".join(r.text for r in replies)
    markup = keyboard(replies[-1])
    chunks = _chunks(text)
    for number, chunk in enumerate(chunks, start=1):
        sent = await bot.send_message(chat_id, chunk, reply_markup=markup if number == len(chunks) else None)
        ids.append(sent.message_id)
    return ids


async def _effect(bot: Bot, chat_id: int, payload: Mapping) -> None:
    """What the door tells Telegram about a message, beyond replies: a spinner stopped, a keyboard taken away."""
    if payload.get("answer_callback"):
        await _cosmetic(bot.answer_callback_query(str(payload["answer_callback"])))
    if isinstance(payload.get("clear_keyboard"), int):
        await _cosmetic(bot.edit_message_reply_markup(chat_id, payload["clear_keyboard"], reply_markup=None))


async def _cosmetic(call: Awaitable) -> None:
    """A call whose refusal costs only looks: the keyboard already changed, or the query is too old to answer."""
    try:
        await call
    except BadRequest as error:
        log.info("telegram: %s", error.message[:80])


def _with_deletion_hint(reply: OutboundMessage) -> OutboundMessage:
    t = translator(reply.language or "en")
    hint = t("To remove this chat from your phone, delete it from your chat list.")
    return OutboundMessage(f"{reply.text}\n{hint}", kind=reply.kind, language=reply.language)


async def _erase(bot: Bot, chat_id: int, erase: Mapping[str, list[list[str]]], now: datetime | None = None) -> None:
    """Delete what Telegram still lets a bot delete; a message already gone is no failure."""
    now = now or utcnow()
    ids: set[int] = set()
    for ref, at in erase.get("received", []):
        if now - datetime.fromisoformat(at) < DELETABLE_FOR and ref.isdigit():
            ids.add(int(ref))
    for provider_id, at in erase.get("sent", []):
        if now - datetime.fromisoformat(at) < DELETABLE_FOR and provider_id.startswith("telegram:"):
            ids.update(int(i) for i in provider_id.rsplit(":", 1)[1].split(",") if i.isdigit())
    ordered = sorted(ids)
    for start in range(0, len(ordered), DELETE_BATCH):
        try:
            await bot.delete_messages(chat_id, ordered[start : start + DELETE_BATCH])
        except BadRequest:
            # None of these could be deleted any more (the reporter deleted them, or they aged out):
            # a retry of an erase that half happened must not fail on what it already did.
            continue


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    while len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        cut = cut if cut > 0 else MAX_TEXT
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks
