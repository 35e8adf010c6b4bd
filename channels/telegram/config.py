"""Each landlord's bot from the environment: token, webhook secret, API base. No token, no bot."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from intake.errors import ConfigError
from intake.settings import Settings

DEFAULT_API_BASE = "https://api.telegram.org"


@dataclass(frozen=True)
class BotConfig:
    org: str
    token: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE

    @property
    def base_url(self) -> str:
        return f"{self.api_base}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_base}/file/bot"


def bot_configs(settings: Settings, orgs: Iterable[str]) -> dict[str, BotConfig]:
    """The bots configured, keyed by org: TELEGRAM_BOT_TOKEN_<ORG>, or TELEGRAM_BOT_TOKEN for every org without one."""
    env = settings.environ
    api_base = (env.get("TELEGRAM_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    if not api_base.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_BASE: {api_base!r} must start with http:// or https://")
    configs: dict[str, BotConfig] = {}
    owners: dict[str, str] = {}
    for org in orgs:
        suffix = org.upper()
        token = (env.get(f"TELEGRAM_BOT_TOKEN_{suffix}") or env.get("TELEGRAM_BOT_TOKEN") or "").strip()
        if not token:
            continue
        if token in owners:
            # Telegram sends a bot's updates to one webhook, and the webhook's path names the landlord.
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN: {owners[token]} and {org} would share one bot; set TELEGRAM_BOT_TOKEN_{suffix}"
            )
        owners[token] = org
        secret = (env.get(f"TELEGRAM_WEBHOOK_SECRET_{suffix}") or env.get("TELEGRAM_WEBHOOK_SECRET") or "").strip()
        configs[org] = BotConfig(
            org=org, token=token, webhook_secret=secret or derived_secret(settings.secret_key, org, token), api_base=api_base
        )
    return configs


def derived_secret(secret_key: str, org: str, token: str) -> str:
    """A webhook secret no one has to set: stable per app key and bot, in Telegram's allowed characters."""
    return hmac.new(secret_key.encode(), f"telegram-webhook:{org}:{token}".encode(), hashlib.sha256).hexdigest()
