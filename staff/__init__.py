"""The case officers' console: a Flask blueprint under /staff that works the cases the pipeline opens.

It uses the core; the core never imports it, and it never imports a door.
"""

from __future__ import annotations

from flask import Blueprint

from intake.settings import Settings


def blueprint(settings: Settings) -> Blueprint:
    from staff.views import make_blueprint

    return make_blueprint(settings)


def describe(settings: Settings) -> list[str]:
    return [f"staff console: on ({settings.public_url}/staff/); add accounts with `intake staff add`"]
