"""The Telegram door's settings and profile section: a bot per landlord from the environment. No token, no bot.

TELEGRAM_BOT_TOKEN_<ORG> is landlord ORG's bot; TELEGRAM_BOT_TOKEN serves a landlord
without its own. TELEGRAM_WEBHOOK_SECRET(_<ORG>) is the secret Telegram sends back;
without one it is derived from INTAKE_SECRET_KEY and the token. TELEGRAM_API_BASE points
the Bot at another server (a test's fake), and TELEGRAM_TIMEOUT_SECONDS bounds a call.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from intake.config import EnvironSettings, WebAddress, suffixed
from intake.errors import ConfigError

DEFAULT_API_BASE = "https://api.telegram.org"


class TelegramSection(BaseModel):
    """`channels: telegram:` in a landlord profile."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    bot_username: str | None = None


class TelegramSettings(EnvironSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_")

    bot_token: str | None = Field(default=None, repr=False)
    webhook_secret: str | None = Field(default=None, repr=False)
    api_base: WebAddress = DEFAULT_API_BASE
    # A file the reporter sends is fetched inside the webhook: this bounds how long it may take.
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    tokens: dict[str, str] = Field(default_factory=dict, repr=False)
    secrets: dict[str, str] = Field(default_factory=dict, repr=False)

    @classmethod
    def read_also(cls, variables: Mapping[str, str]) -> dict[str, Any]:
        return {"tokens": suffixed(variables, "TELEGRAM_BOT_TOKEN_"), "secrets": suffixed(variables, "TELEGRAM_WEBHOOK_SECRET_")}


@dataclass(frozen=True)
class BotConfig:
    org: str
    token: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timeout: float = 5.0

    @property
    def base_url(self) -> str:
        return f"{self.api_base}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_base}/file/bot"

    @property
    def bot_id(self) -> str:
        """The bot's own numeric id, the part of its token before the colon: Telegram numbers updates per bot."""
        return self.token.split(":", 1)[0]


def bot_configs(settings: TelegramSettings, secret_key: str, orgs: Iterable[str]) -> dict[str, BotConfig]:
    """The bots configured, keyed by org."""
    configs: dict[str, BotConfig] = {}
    owners: dict[str, str] = {}
    for org in orgs:
        token = (settings.tokens.get(org) or settings.bot_token or "").strip()
        if not token:
            continue
        if token in owners:
            # Telegram sends a bot's updates to one webhook, and the webhook's path names the landlord.
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN: {owners[token]} and {org} would share one bot; set TELEGRAM_BOT_TOKEN_{org.upper()}"
            )
        owners[token] = org
        secret = (settings.secrets.get(org) or settings.webhook_secret or "").strip()
        configs[org] = BotConfig(org=org, token=token, webhook_secret=secret or derived_secret(secret_key, org, token),
                                 api_base=settings.api_base, timeout=settings.timeout_seconds)  # fmt: skip
    return configs


def derived_secret(secret_key: str, org: str, token: str) -> str:
    """A webhook secret no one has to set: stable per app key and bot, in Telegram's allowed characters."""
    return hmac.new(secret_key.encode(), f"telegram-webhook:{org}:{token}".encode(), hashlib.sha256).hexdigest()
