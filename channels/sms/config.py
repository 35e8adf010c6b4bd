"""Twilio credentials from the environment: one account per deployment, or a landlord's own.

TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN serve every landlord; TWILIO_ACCOUNT_SID_<ORG> and
TWILIO_AUTH_TOKEN_<ORG> override them for one. TWILIO_API_BASE points the REST client
and media downloads elsewhere (a test's fake Twilio); TWILIO_TIMEOUT_SECONDS bounds each call.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.settings import Settings

DEFAULT_API_BASE = "https://api.twilio.com"


DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str
    api_base: str
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def account_for(settings: Settings, org: str | None) -> TwilioAccount | None:
    """The Twilio account that serves `org` (None: the deployment's own), or None when it is not set."""
    env = settings.environ
    suffix = f"_{org.upper()}" if org else None
    sid = (suffix and env.get(f"TWILIO_ACCOUNT_SID{suffix}")) or env.get("TWILIO_ACCOUNT_SID")
    token = (suffix and env.get(f"TWILIO_AUTH_TOKEN{suffix}")) or env.get("TWILIO_AUTH_TOKEN")
    if not sid or not token:
        return None
    base = (env.get("TWILIO_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    return TwilioAccount(sid, token, base, float(env.get("TWILIO_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS))


def configured(settings: Settings, orgs: list[str]) -> dict[str, TwilioAccount]:
    """The orgs whose SMS door can run, with their accounts."""
    return {org: account for org in orgs if (account := account_for(settings, org)) is not None}
