"""One update in, through the pipeline, replies into the outbox: the same for the webhook and for polling.

Nothing here waits on Telegram but a file the reporter sent, fetched with a short
timeout and only for an update not handled before. What Telegram must be told about a
button press (stop the spinner, take the keyboard away) rides on the webhook's own
response or goes through the outbox with the replies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telegram.error import TelegramError

from channels.telegram import files
from channels.telegram.config import BotConfig
from channels.telegram.keyboards import Press
from channels.telegram.runner import Runner
from channels.telegram.updates import FileRef, Incoming, parse
from intake.messages import Attachment, InboundMessage, Toggle
from intake.pipeline import Intake, already_handled, handle
from intake.privacy import sender_key
from intake.store.crypto import DataKeys

log = logging.getLogger(__name__)
CHANNEL = "telegram"


@dataclass
class Receiver:
    intake: Intake
    secret_key: str
    uploads_dir: Path
    keys: DataKeys
    configs: dict[str, BotConfig]
    runner: Runner

    def receive(self, org: str, data: object, *, webhook: bool = True) -> dict[str, Any] | None:
        """Handle one update's JSON; raises BadRequest or Ignored for the caller to answer.

        Returns the Bot API method for the webhook's response to carry, if any.
        """
        incoming = parse(data)
        config = self.configs[org]
        if incoming.pressed:
            return self._press(config, incoming, webhook)
        self._message(config, incoming)
        return None

    def _inbound(self, config: BotConfig, incoming: Incoming, **fields: Any) -> InboundMessage:
        return InboundMessage(
            org=config.org,
            channel=CHANNEL,
            sender_key=sender_key(self.secret_key, CHANNEL, str(incoming.chat_id)),
            provider_id=str(incoming.update_id),
            instance=config.bot_id,  # update ids count per bot: two landlords' bots may send the same one
            locale_hint=incoming.locale_hint,
            reply_address=str(incoming.chat_id),
            message_ref=str(incoming.message_id) if incoming.message_id is not None else None,
            **fields,
        )

    def _message(self, config: BotConfig, incoming: Incoming) -> None:
        inbound = self._inbound(config, incoming, text=incoming.text)
        if incoming.file is not None and not already_handled(self.intake, inbound):
            found = self._download(config, incoming.file, incoming.update_id)
            if isinstance(found, Attachment):
                inbound = replace(inbound, attachments=(found,))
            else:
                inbound = replace(inbound, refused_files=(found,))
        handle(self.intake, inbound, reply_by_outbox=True)

    def _press(self, config: BotConfig, incoming: Incoming, webhook: bool) -> dict[str, Any] | None:
        acknowledge = {"method": "answerCallbackQuery", "callback_query_id": incoming.callback_id}
        if incoming.press is None:
            # Not one of our buttons: stop the spinner, and record nothing.
            if not webhook:
                self._acknowledge_now(config, incoming)
            return acknowledge
        effects: list[dict[str, Any]] = [] if webhook else [{"answer_callback": incoming.callback_id}]
        answer = Press.answer(incoming.press)
        if not isinstance(answer, Toggle):
            # Answered (or stale): the buttons go, so they cannot be pressed again.
            effects.append({"clear_keyboard": incoming.message_id})
        handle(self.intake, self._inbound(config, incoming, answer=answer, door_effects=tuple(effects)), reply_by_outbox=True)
        return acknowledge if webhook else None

    def _acknowledge_now(self, config: BotConfig, incoming: Incoming) -> None:
        try:
            bot = self.runner.bot(config)
            self.runner.run(bot.answer_callback_query(incoming.callback_id or ""), timeout=config.timeout)
        except (TelegramError, TimeoutError, OSError) as error:
            log.info("telegram: could not stop a button's spinner (%s)", type(error).__name__)

    def _download(self, config: BotConfig, ref: FileRef, update_id: int) -> Attachment | str:
        """The file, kept; or why not (too big, wrong kind, or Telegram would not hand it over in time)."""
        if ref.size is not None and ref.size > files.MAX_BYTES:
            return "too_big"
        bot = self.runner.bot(config)

        async def fetch() -> bytes | None:
            remote = await bot.get_file(ref.file_id)
            if remote.file_size is not None and remote.file_size > files.MAX_BYTES:
                return None
            return bytes(await remote.download_as_bytearray())

        try:
            data = self.runner.run(fetch(), timeout=2 * config.timeout)
        except (TelegramError, TimeoutError, OSError) as error:
            log.warning("telegram: a file could not be fetched (%s)", type(error).__name__)
            return "not_fetched"
        if data is None:
            return "too_big"
        return files.keep(self.uploads_dir, self.keys, data, ref.name, name_seed=f"{config.bot_id}:{update_id}")
