"""The SMS door's settings and profile section: Twilio accounts from the environment, landlord numbers from profiles.

TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN serve every landlord; TWILIO_ACCOUNT_SID_<ORG> and
TWILIO_AUTH_TOKEN_<ORG> override them for one. TWILIO_API_BASE points the REST client
and media downloads elsewhere (a test's fake Twilio); TWILIO_TIMEOUT_SECONDS bounds each call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from intake.config import EnvironSettings, WebAddress, suffixed
from intake.orgs.schema import Profile

DEFAULT_API_BASE = "https://api.twilio.com"
DEFAULT_TIMEOUT_SECONDS = 10.0
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _e164(value: str) -> str:
    if not _E164.fullmatch(value):
        raise ValueError(f"{value!r} is not an E.164 number such as +447700900101")
    return value


def _unique(values: list[str]) -> list[str]:
    repeated = [v for i, v in enumerate(values) if v in values[:i]]
    if repeated:
        raise ValueError(f"{repeated[0]!r} is listed more than once")
    return values


class SmsSection(BaseModel):
    """`channels: sms:` in a landlord profile: the numbers reporters text, in E.164."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    numbers: Annotated[list[Annotated[str, AfterValidator(_e164)]], Field(min_length=1), AfterValidator(_unique)]


class TwilioSettings(EnvironSettings):
    model_config = SettingsConfigDict(env_prefix="TWILIO_")

    account_sid: str | None = None
    auth_token: str | None = Field(default=None, repr=False)
    api_base: WebAddress = DEFAULT_API_BASE
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=60)
    # A landlord with its own account: TWILIO_ACCOUNT_SID_<ORG> and TWILIO_AUTH_TOKEN_<ORG>, by landlord.
    sids: dict[str, str] = Field(default_factory=dict)
    tokens: dict[str, str] = Field(default_factory=dict, repr=False)

    @classmethod
    def read_also(cls, variables: Mapping[str, str]) -> dict[str, Any]:
        return {"sids": suffixed(variables, "TWILIO_ACCOUNT_SID_"), "tokens": suffixed(variables, "TWILIO_AUTH_TOKEN_")}


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def account_for(settings: TwilioSettings, org: str | None) -> TwilioAccount | None:
    """The Twilio account that serves `org` (None: the deployment's own), or None when it is not set."""
    sid = settings.sids.get(org or "") or settings.account_sid
    token = settings.tokens.get(org or "") or settings.auth_token
    if not sid or not token:
        return None
    return TwilioAccount(sid, token, settings.api_base, settings.timeout_seconds)


def accounts(settings: TwilioSettings, orgs: list[str]) -> dict[str, TwilioAccount]:
    """The orgs whose SMS door can run, with their accounts."""
    return {org: account for org in orgs if (account := account_for(settings, org)) is not None}


def landlord_for_number(sections: Mapping[str, SmsSection], number: str) -> str | None:
    """The landlord whose SMS number this is (E.164), or None: how an inbound text finds its landlord."""
    wanted = "".join(number.split())
    return next((org for org, section in sections.items() if wanted in section.numbers), None)


def number_owners(sections: Mapping[str, SmsSection], profiles: Mapping[str, Profile]) -> list[str]:
    """Numbers claimed by two landlords: an inbound text could not know whose it is."""
    from intake.orgs import source_of

    owners: dict[str, str] = {}
    problems = []
    for org, section in sections.items():
        for index, number in enumerate(section.numbers):
            other = owners.setdefault(number, org)
            if other != org:
                problems.append(
                    f"{source_of(profiles[org])}: channels.sms.numbers[{index}]: {number!r} is already used by {source_of(profiles[other])}"
                )
    return problems
