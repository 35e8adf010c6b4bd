"""One update in, through the pipeline, replies into the outbox: the same for webhook and polling."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from telegram import Bot
from telegram.error import TelegramError

from channels.telegram import files, keyboards
from channels.telegram.config import BotConfig
from channels.telegram.delivery import Kicker
from channels.telegram.runner import Runner
from channels.telegram.updates import FileRef, Incoming, parse
from intake import outbox
from intake.i18n import translator
from intake.messages import Attachment, InboundMessage, OutboundMessage, utcnow
from intake.pipeline import Intake, current_replies, handle
from intake.privacy import sender_key
from intake.store.models import InboundReceipt

log = logging.getLogger(__name__)
CHANNEL = "telegram"


@dataclass
class Door:
    intake: Intake
    secret_key: str
    uploads_dir: Path
    configs: dict[str, BotConfig]
    runner: Runner
    kicker: Kicker | None

    def receive(self, org: str, data: object) -> None:
        """Handle one update's JSON; raises BadRequest or Ignored for the caller to answer."""
        incoming = parse(data)
        config = self.configs[org]
        bot = self.runner.bot(config)
        if incoming.press is not None:
            self._press(org, bot, incoming)
        else:
            self._message(org, bot, incoming)
        if self.kicker is not None:
            self.kicker.kick()

    def _inbound(self, org: str, incoming: Incoming, **fields: object) -> InboundMessage:
        return InboundMessage(
            org=org,
            channel=CHANNEL,
            sender_key=sender_key(self.secret_key, CHANNEL, str(incoming.chat_id)),
            provider_id=str(incoming.update_id),
            locale_hint=incoming.locale_hint,
            reply_address=str(incoming.chat_id),
            **fields,  # type: ignore[arg-type]
        )

    def _message(self, org: str, bot: Bot, incoming: Incoming) -> None:
        attachments: tuple[Attachment, ...] = ()
        if incoming.file is not None:
            kept = self._download(bot, incoming.file)
            if kept is None:
                self._refuse_file(org, incoming)
                if not incoming.text:
                    return
            else:
                attachments = (kept,)
        inbound = self._inbound(org, incoming, text=incoming.text, attachments=attachments, message_ref=str(incoming.message_id))
        handle(self.intake, inbound, reply_by_outbox=True)

    def _press(self, org: str, bot: Bot, incoming: Incoming) -> None:
        press = incoming.press
        assert press is not None
        chat, message_id = incoming.chat_id, incoming.message_id
        self._quietly(bot.answer_callback_query(incoming.callback_id or ""))
        if press.action == keyboards.TOGGLE:
            if incoming.markup is not None:
                markup = keyboards.toggled(incoming.markup, press)
                self._quietly(bot.edit_message_reply_markup(chat_id=chat, message_id=message_id, reply_markup=markup))
            return
        if press.action == keyboards.DONE:
            text = " ".join(str(n) for n in keyboards.ticked_numbers(incoming.markup, press.question))
        else:
            text = press.value
        handle(self.intake, self._inbound(org, incoming, text=text, answers_question=press.question), reply_by_outbox=True)
        # Answered (or stale): take the buttons away so they cannot be pressed again.
        self._quietly(bot.edit_message_reply_markup(chat_id=chat, message_id=message_id, reply_markup=None))

    def _quietly(self, coroutine) -> None:  # type: ignore[no-untyped-def]
        """A call whose failure costs only looks (a spinner, a stale keyboard): never fail the update for it."""
        try:
            self.runner.run(coroutine, timeout=15)
        except (TelegramError, TimeoutError, OSError) as error:
            log.info("telegram: cosmetic call failed (%s)", type(error).__name__)

    def _download(self, bot: Bot, ref: FileRef) -> Attachment | None:
        if ref.size is not None and ref.size > files.MAX_BYTES:
            return None

        async def fetch() -> bytes:
            remote = await bot.get_file(ref.file_id)
            if remote.file_size is not None and remote.file_size > files.MAX_BYTES:
                return b""
            return bytes(await remote.download_as_bytearray())

        # A failure to fetch is raised: the update is answered 500 and Telegram sends it again.
        return files.keep(self.uploads_dir, self.runner.run(fetch()), ref.name)

    def _refuse_file(self, org: str, incoming: Incoming) -> None:
        """Say once (a redelivery says nothing again) that the file was not kept, in the reporter's language."""
        key = sender_key(self.secret_key, CHANNEL, str(incoming.chat_id))
        live = current_replies(self.intake, org, CHANNEL, key)
        language = (live[0].language if live else None) or self.intake.profiles[org].default_language
        t = translator(language)
        text = t("We could not keep that file. You can send photos, or PDF files up to %(num)d MB.", num=files.MAX_BYTES // 2**20)
        try:
            with self.intake.store.transaction() as session:
                session.add(
                    InboundReceipt(channel=CHANNEL, provider_id=f"{incoming.update_id}:refused", replies=[], received_at=utcnow())
                )
                session.flush()
                outbox.enqueue(
                    session,
                    org=org,
                    channel=CHANNEL,
                    purpose="reply",
                    recipient=str(incoming.chat_id),
                    payload={"messages": [OutboundMessage(text, language=language).to_dict()]},
                    at=utcnow(),
                )
        except IntegrityError:
            pass  # said already, for an earlier delivery of this update
