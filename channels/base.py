"""The door contract: what a way in for reporters owns, and the one thing it hands the core.

A door is one folder under channels/ and one line in channels/registry.py. It owns:
- its traits: what the conversation may know of it (`DoorTraits`: what identifies a
  reporter on it), so the flow's words fit it without naming it;
- its section of each landlord profile (`channels: <name>:`), checked at start-up;
- its typed settings, a pydantic-settings model read from the environment;
- its routes (a Flask blueprint), its CLI commands, and its sender for the outbox;
- parsing what its provider sends into an `InboundMessage`, and rendering replies.

The core never imports a door: the composition root (flask_app.py, cli.py) asks the
registry for every door's parts and hands the core only their traits and senders.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake import datafiles
from intake.config import EnvironSettings
from intake.messages import DoorTraits
from intake.orgs import source_of
from intake.orgs.schema import Profile
from intake.outbox import Sender
from intake.settings import Settings


class Door:
    """A door with nothing switched on: each door overrides what it has."""

    traits: DoorTraits
    # The type of its section in a landlord profile (a pydantic model, or bool), None for a door with none.
    section: Any = None
    # Whether the door is on for a landlord whose profile does not mention it.
    on_without_section: bool = False
    settings_model: type[EnvironSettings] | None = None

    @property
    def name(self) -> str:
        return self.traits.name

    def settings(self, settings: Settings) -> Any:
        """This door's own settings, read once from the same variables as the core's."""
        return settings.part(self.settings_model) if self.settings_model else None

    def section_of(self, profile: Profile) -> Any:
        """The door's section of a landlord's profile, checked; None when the landlord does not use the door."""
        raw = profile.channels.get(self.name)
        if raw is None or self.section is None:
            return None
        return _adapter(self.section).validate_python(raw)

    def serves(self, profile: Profile) -> bool:
        """Whether this landlord takes reports through the door (credentials aside)."""
        if self.name not in profile.channels:
            return self.on_without_section
        section = self.section_of(profile)
        return bool(section) if isinstance(section, bool) else section is not None

    def check_profiles(self, profiles: Mapping[str, Profile]) -> list[str]:
        """Problems with this door's sections across the landlords' profiles, each naming the file and field."""
        problems = []
        for profile in profiles.values():
            raw = profile.channels.get(self.name)
            if raw is None or self.section is None:
                continue
            try:
                _adapter(self.section).validate_python(raw)
            except ValidationError as error:
                for e in error.errors():
                    where = datafiles.where(("channels", self.name, *e["loc"]))
                    problems.append(f"{source_of(profile)}: {where}: {e['msg'].removeprefix('Value error, ')}")
        return problems

    def blueprint(self, settings: Settings, intake: Any) -> Any:
        """Its Flask routes, or None when it has none or is off."""
        return None

    def sender(self, settings: Settings, profiles: Mapping[str, Profile]) -> Sender | None:
        """Its outbox sender, or None when its credentials are not set."""
        return None

    def describe(self, settings: Settings, profiles: Mapping[str, Profile]) -> list[str]:
        """Lines for `intake run` saying whether it is on, and why not."""
        return []

    def add_commands(self, commands: argparse._SubParsersAction) -> None:
        """Its `intake <door> ...` commands, if it has any."""

    def run_command(self, args: argparse.Namespace, settings: Settings, intake: Any) -> int:
        raise NotImplementedError(self.name)


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(kind: Any) -> TypeAdapter:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]
