"""The Telegram door: a bot per landlord, by webhook or by polling, through the one pipeline.

Off unless TELEGRAM_BOT_TOKEN_<ORG> (or TELEGRAM_BOT_TOKEN) is set; see config.py.
"""

from __future__ import annotations

import threading

from flask import Blueprint, current_app

from channels.telegram.config import BotConfig, bot_configs
from channels.telegram.delivery import Kicker
from channels.telegram.receive import CHANNEL, Door
from channels.telegram.runner import RUNNER
from channels.telegram.sender import TelegramSender
from channels.telegram.webhook import make_blueprint
from intake.orgs import load_profiles
from intake.pipeline import Intake
from intake.settings import Settings

__all__ = ["CHANNEL", "blueprint", "describe", "make_door", "sender"]

_lock = threading.Lock()


def configs(settings: Settings) -> dict[str, BotConfig]:
    return bot_configs(settings, load_profiles())


def make_door(settings: Settings, intake: Intake, *, deliver_at_once: bool = True) -> Door:
    """The door for this process: it kicks delivery of the replies it queues unless told not to."""
    found = configs(settings)
    kicker = Kicker(intake.store, TelegramSender(found)) if deliver_at_once else None
    return Door(intake, settings.secret_key, settings.uploads_dir, found, RUNNER, kicker)


def blueprint(settings: Settings) -> Blueprint | None:
    if not configs(settings):
        return None

    def door() -> Door:
        with _lock:
            if "telegram_door" not in current_app.extensions:
                current_app.extensions["telegram_door"] = make_door(settings, current_app.extensions["intake"])
            return current_app.extensions["telegram_door"]

    return make_blueprint(door)


def sender(settings: Settings) -> TelegramSender | None:
    found = configs(settings)
    return TelegramSender(found) if found else None


def describe(settings: Settings) -> list[str]:
    found = configs(settings)
    if not found:
        return ["telegram door: off (set TELEGRAM_BOT_TOKEN_<ORG> to switch it on)"]
    return [f"telegram door: on for {org} at /telegram/{org}/webhook (or intake telegram poll --org {org})" for org in found]
