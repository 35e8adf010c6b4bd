"""The SMS door: victims text the landlord's number through Twilio.

Registered in channels/registry.py. Without Twilio credentials the door is off and
the rest of the app runs as before.
"""

from __future__ import annotations

from flask import Blueprint

from channels.sms.config import configured
from channels.sms.sender import TwilioSmsSender
from channels.sms.webhook import CHANNEL, webhooks
from intake.orgs import load_profiles
from intake.settings import Settings

__all__ = ["CHANNEL", "blueprint", "describe", "sender"]


def _sms_orgs() -> list[str]:
    return [org for org, profile in load_profiles().items() if profile.channels.sms is not None]


def blueprint(settings: Settings) -> Blueprint | None:
    return webhooks if configured(settings, _sms_orgs()) else None


def sender(settings: Settings) -> TwilioSmsSender | None:
    accounts = configured(settings, _sms_orgs())
    if not accounts:
        return None
    return TwilioSmsSender(accounts, load_profiles(), status_url=f"{settings.public_url}/sms/status")


def describe(settings: Settings) -> list[str]:
    orgs = _sms_orgs()
    accounts = configured(settings, orgs)
    if not accounts:
        return ["SMS door: off (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to turn it on)"]
    lines = [f"SMS door: on for {', '.join(sorted(accounts))} at {settings.public_url}/sms/inbound"]
    lines.extend(f"SMS door: off for {org} (no Twilio account)" for org in orgs if org not in accounts)
    return lines
