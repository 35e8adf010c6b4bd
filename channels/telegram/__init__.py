"""The Telegram door: a bot per landlord, by webhook or by polling, through the one pipeline.

Off unless TELEGRAM_BOT_TOKEN_<ORG> (or TELEGRAM_BOT_TOKEN) is set; see config.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from channels.base import Door
from channels.telegram.config import BotConfig, TelegramSection, TelegramSettings, bot_configs
from intake.i18n import mark
from intake.messages import DoorTraits
from intake.orgs.schema import Profile
from intake.pipeline import Intake
from intake.settings import Settings
from intake.store import migrate

if TYPE_CHECKING:
    from flask import Blueprint

    from channels.telegram.receive import Receiver
    from channels.telegram.sender import TelegramSender

__all__ = ["CHANNEL", "TelegramDoor", "door"]
CHANNEL = "telegram"
# python-telegram-bot and Flask are imported where they are used, so `intake cases list` never loads them.


class TelegramDoor(Door):
    traits = DoorTraits(CHANNEL, title=mark("Telegram"), address="account")
    section = TelegramSection
    settings_model = TelegramSettings

    def configs(self, settings: Settings, profiles: Mapping[str, Profile]) -> dict[str, BotConfig]:
        return bot_configs(self.settings(settings), settings.secret_key, profiles)

    def receiver(self, settings: Settings, intake: Intake) -> Receiver:
        from channels.telegram.receive import Receiver
        from channels.telegram.runner import RUNNER

        return Receiver(
            intake, settings.secret_key, settings.uploads_dir, settings.keys, self.configs(settings, intake.profiles), RUNNER
        )

    def blueprint(self, settings: Settings, intake: Intake) -> Blueprint | None:
        from channels.telegram.webhook import make_blueprint

        if not self.configs(settings, intake.profiles):
            return None
        return make_blueprint(self.receiver(settings, intake))

    def sender(self, settings: Settings, profiles: Mapping[str, Profile]) -> TelegramSender | None:
        from channels.telegram.sender import TelegramSender

        found = self.configs(settings, profiles)
        return TelegramSender(found) if found else None

    def describe(self, settings: Settings, profiles: Mapping[str, Profile]) -> list[str]:
        found = self.configs(settings, profiles)
        if not found:
            return ["telegram door: off (set TELEGRAM_BOT_TOKEN_<ORG> to switch it on)"]
        return [f"telegram door: on for {org} at /telegram/{org}/webhook (or intake telegram poll --org {org})" for org in found]

    def add_commands(self, commands: argparse._SubParsersAction) -> None:
        telegram = commands.add_parser("telegram", help="a landlord's Telegram bot").add_subparsers(dest="action", required=True)
        for action, about in (
            ("set-webhook", "register this deployment's webhook and command menus"),
            ("poll", "take updates by polling"),
        ):
            parser = telegram.add_parser(action, help=about)
            parser.add_argument("--org", required=True)
            parser.set_defaults(door=self.name)

    def run_command(self, args: argparse.Namespace, settings: Settings, intake: Intake) -> int:
        from channels.telegram import admin

        config = self.configs(settings, intake.profiles).get(args.org)
        if config is None:
            print(f"intake: no Telegram bot for {args.org!r}: set TELEGRAM_BOT_TOKEN_{args.org.upper()}", file=sys.stderr)
            return 2
        if args.action == "set-webhook":
            print(
                f"intake: Telegram will post {args.org}'s updates to {admin.set_webhook(settings.public_url, config)}",
                file=sys.stderr,
            )
            return 0
        migrate.upgrade(intake.store.engine)
        print(f"intake: polling Telegram for {args.org} (Ctrl-C to stop)", file=sys.stderr)
        admin.run_polling(self.receiver(settings, intake), config)
        return 0


door = TelegramDoor()
