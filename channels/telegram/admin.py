"""What `intake telegram set-webhook` and `intake telegram poll` do for one landlord's bot."""

from __future__ import annotations

import threading

from telegram import BotCommand

from channels.telegram.config import BotConfig
from channels.telegram.polling import ALLOWED_UPDATES, poll
from channels.telegram.receive import Receiver
from channels.telegram.runner import RUNNER, make_bot
from channels.telegram.updates import COMMANDS
from intake.flow import load_keywords
from intake.i18n import available_languages, translator


def webhook_url(public_url: str, org: str) -> str:
    return f"{public_url}/telegram/{org}/webhook"


def command_menus() -> dict[str | None, list[BotCommand]]:
    """The command menu in each language Telegram can tell apart: each command described by the reporter's own keyword."""
    keywords = load_keywords()
    menus: dict[str | None, list[BotCommand]] = {}
    for code in ("en", *available_languages()):
        if "_" in code:
            continue  # Telegram's language_code has no Easy Read or Shahmukhi
        t = translator(code)
        menus[None if code == "en" else code] = [BotCommand(c, t.keyword(keywords[k].display)) for c, k in COMMANDS.items()]
    return menus


def set_webhook(public_url: str, config: BotConfig) -> str:
    """Point the bot at this deployment, with the secret Telegram must send back, and set its command menus."""
    bot = RUNNER.bot(config)
    url = webhook_url(public_url, config.org)

    async def register() -> None:
        await bot.set_webhook(url, secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES)
        for language, commands in command_menus().items():
            await bot.set_my_commands(commands, language_code=language)

    RUNNER.run(register())
    return url


def run_polling(receiver: Receiver, config: BotConfig, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    try:
        poll(make_bot(config), lambda data: receiver.receive(config.org, data, webhook=False), stop)
    except KeyboardInterrupt:
        stop.set()
