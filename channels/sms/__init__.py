"""The SMS door: victims text the landlord's number through Twilio.

Without Twilio credentials the door is off and the rest of the app runs as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from channels.base import Door
from channels.sms.config import SmsSection, TwilioAccount, TwilioSettings, accounts, number_owners
from intake.messages import DoorTraits
from intake.orgs.schema import Profile
from intake.pipeline import Intake
from intake.settings import Settings

if TYPE_CHECKING:
    from flask import Blueprint

    from channels.sms.sender import TwilioSmsSender

CHANNEL = "sms"
# The twilio library and Flask are imported where they are used, so `intake cases list` never loads them.


class SmsDoor(Door):
    traits = DoorTraits(CHANNEL, title="SMS", address="phone")
    section = SmsSection
    settings_model = TwilioSettings

    def sections(self, profiles: Mapping[str, Profile]) -> dict[str, SmsSection]:
        """Each landlord's numbers, for landlords that take texts."""
        return {org: section for org, profile in profiles.items() if (section := self.section_of(profile)) is not None}

    def check_profiles(self, profiles: Mapping[str, Profile]) -> list[str]:
        problems = super().check_profiles(profiles)
        return problems or number_owners(self.sections(profiles), profiles)

    def accounts(self, settings: Settings, profiles: Mapping[str, Profile]) -> dict[str, TwilioAccount]:
        return accounts(self.settings(settings), list(self.sections(profiles)))

    def blueprint(self, settings: Settings, intake: Intake) -> Blueprint | None:
        from channels.sms.webhook import Webhooks, make_blueprint

        if not self.accounts(settings, intake.profiles):
            return None
        return make_blueprint(Webhooks(intake, self.settings(settings), self.sections(intake.profiles), settings))

    def sender(self, settings: Settings, profiles: Mapping[str, Profile]) -> TwilioSmsSender | None:
        from channels.sms.sender import TwilioSmsSender

        found = self.accounts(settings, profiles)
        if not found:
            return None
        return TwilioSmsSender(found, self.sections(profiles), status_url=f"{settings.public_url}/sms/status")

    def describe(self, settings: Settings, profiles: Mapping[str, Profile]) -> list[str]:
        orgs = list(self.sections(profiles))
        found = self.accounts(settings, profiles)
        if not found:
            return ["SMS door: off (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to turn it on)"]
        lines = [f"SMS door: on for {', '.join(sorted(found))} at {settings.public_url}/sms/inbound"]
        lines.extend(f"SMS door: off for {org} (no Twilio account)" for org in orgs if org not in found)
        return lines


door = SmsDoor()
__all__ = ["CHANNEL", "SmsDoor", "door"]
