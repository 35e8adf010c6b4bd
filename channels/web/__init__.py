"""The web door: an accessible, one-question-per-page report form built on GOV.UK Frontend."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from channels.base import Door
from intake.config import EnvironSettings, WebAddress
from intake.messages import DoorTraits
from intake.orgs.schema import Profile
from intake.pipeline import Intake
from intake.settings import Settings

if TYPE_CHECKING:
    from flask import Blueprint

CHANNEL = "web"
BUILT_CSS = Path(__file__).parent / "static" / "govuk" / "govuk-frontend.min.css"
# Where "Exit this page" lands unless INTAKE_WEB_EXIT_URL says otherwise: a busy,
# ordinary site that says nothing about why you were here (GOV.UK's own default).
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


class WebSettings(EnvironSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_WEB_")

    exit_url: WebAddress = NEUTRAL_SITE
    # Posts a minute from one reporter's session, and, higher, from one address (see ratelimit.py):
    # unset, ten sessions' worth.
    posts_per_minute: int = Field(default=30, gt=0)
    posts_per_minute_per_address: int | None = Field(default=None, gt=0)

    @property
    def address_limit(self) -> int:
        return self.posts_per_minute_per_address or 10 * self.posts_per_minute

    @model_validator(mode="after")
    def _address_limit_is_the_higher(self) -> WebSettings:
        if self.address_limit < self.posts_per_minute:
            raise ValueError(
                "INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS: must be at least INTAKE_WEB_POSTS_PER_MINUTE "
                f"({self.posts_per_minute}): several reporters can share one address"
            )
        return self


class WebDoor(Door):
    traits = DoorTraits(CHANNEL, address="none")
    section = bool  # `channels: web: false` switches the form off for a landlord
    on_without_section = True
    settings_model = WebSettings

    def blueprint(self, settings: Settings, intake: Intake) -> Blueprint:
        from channels.web.views import make_blueprint

        return make_blueprint(settings, self.settings(settings), intake, self)

    def describe(self, settings: Settings, profiles: Mapping[str, Profile]) -> list[str]:
        line = f"web form: on ({settings.public_url}/report/<org>/)"
        if not BUILT_CSS.exists():
            line += "; GOV.UK Frontend is not built, so pages are unstyled: install Node.js and npm, then run make"
        return [line]


door = WebDoor()
