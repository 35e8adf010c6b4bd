"""Where doors are registered: one entry per door, for its web routes, its sender and its status line."""

from __future__ import annotations

from intake.outbox import Sender
from intake.settings import Settings


def door_senders(settings: Settings) -> dict[str, Sender]:
    """The outbox senders of every door whose credentials are set."""
    return {}


def describe_doors(settings: Settings) -> list[str]:
    """One line per door saying whether it is on, for `intake run`."""
    return ["console door: on (intake chat)", "pages: /healthz and /victims-code/<org> on"]


def blueprints(settings: Settings) -> list:
    from channels.pages import pages

    return [pages]
