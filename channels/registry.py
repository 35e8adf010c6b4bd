"""Where doors are registered: one line per door module, each exposing `door`, a channels.base.Door.

The composition root (flask_app.py, cli.py) asks here for every door's parts: the
traits the core may know, the routes, the senders, the commands and the status lines.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from channels.base import Door
from intake.errors import ConfigError
from intake.messages import DoorTraits
from intake.orgs import source_of
from intake.orgs.schema import Profile
from intake.outbox import Sender
from intake.pipeline import Intake
from intake.runtime import core_senders, load_intake
from intake.settings import Settings

DOORS: tuple[str, ...] = ("channels.console", "channels.sms", "channels.telegram", "channels.web")


def load_doors(names: Iterable[str] = DOORS) -> list[Door]:
    found = [importlib.import_module(name).door for name in names]
    seen = [d.name for d in found]
    if len(seen) != len(set(seen)):
        raise ConfigError(f"two doors share a name: {', '.join(seen)}")
    return found


def traits(doors: Iterable[Door]) -> dict[str, DoorTraits]:
    return {door.name: door.traits for door in doors}


def check_profiles(doors: Sequence[Door], profiles: Mapping[str, Profile]) -> None:
    """Every landlord's door sections, checked by their doors; a section no door owns is a mistake too."""
    names = {door.name for door in doors}
    problems = [
        f"{source_of(p)}: channels.{name}: no door is named {name!r} (doors: {', '.join(sorted(names))})"
        for p in profiles.values()
        for name in p.channels
        if name not in names
    ]
    for door in doors:
        problems.extend(door.check_profiles(profiles))
    if problems:
        raise ConfigError("\n".join(problems))


@dataclass(frozen=True)
class Assembly:
    """The core and the doors around it, ready to serve."""

    intake: Intake
    doors: tuple[Door, ...]

    def door(self, name: str) -> Door | None:
        return next((d for d in self.doors if d.name == name), None)

    def senders(self, settings: Settings) -> dict[str, Sender]:
        """The outbox senders of the core and of every door whose credentials are set, keyed by channel."""
        found = core_senders(settings)
        for door in self.doors:
            sender = door.sender(settings, self.intake.profiles)
            if sender is not None:
                found[door.name] = sender
        return found

    def describe(self, settings: Settings) -> list[str]:
        """One line (or more) per door saying whether it is on, for `intake run`."""
        return [line for door in self.doors for line in door.describe(settings, self.intake.profiles)]

    def blueprints(self, settings: Settings) -> list:
        return [bp for door in self.doors if (bp := door.blueprint(settings, self.intake)) is not None]


def assemble(settings: Settings, names: Iterable[str] = DOORS) -> Assembly:
    """Load the core and the doors, checking every data file, profile section and setting now."""
    doors = load_doors(names)
    intake = load_intake(settings, traits(doors))
    check_profiles(doors, intake.profiles)
    for door in doors:
        door.settings(settings)  # a bad variable stops start-up here, naming it
    return Assembly(intake, tuple(doors))
