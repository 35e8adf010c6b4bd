"""Where doors are registered: each door module named in DOORS offers its routes, its sender and its status line.

A door module may define any of:
- ``blueprint(settings) -> flask.Blueprint | None``: its web routes (webhooks, pages);
- ``sender(settings) -> Sender | None``: its outbox sender, None when its credentials are not set;
- ``describe(settings) -> list[str]``: lines for `intake run` saying whether it is on and why not.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from intake.outbox import Sender
from intake.settings import Settings

DOORS: tuple[str, ...] = ("channels.pages", "channels.sms", "channels.telegram", "channels.web")


def _doors() -> list[ModuleType]:
    return [importlib.import_module(name) for name in DOORS]


def door_senders(settings: Settings) -> dict[str, Sender]:
    """The outbox senders of every door whose credentials are set, keyed by channel."""
    senders: dict[str, Sender] = {}
    for door in _doors():
        make = getattr(door, "sender", None)
        made = make(settings) if make else None
        if made is not None:
            senders[door.CHANNEL] = made
    return senders


def describe_doors(settings: Settings) -> list[str]:
    """One line per door saying whether it is on, for `intake run`."""
    lines = ["console door: on (intake chat)"]
    for door in _doors():
        describe = getattr(door, "describe", None)
        if describe:
            lines.extend(describe(settings))
    return lines


def blueprints(settings: Settings) -> list:
    found = []
    for door in _doors():
        make = getattr(door, "blueprint", None)
        made = make(settings) if make else None
        if made is not None:
            found.append(made)
    return found
