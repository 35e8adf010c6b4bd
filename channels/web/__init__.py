"""The web door: an accessible, one-question-per-page report form built on GOV.UK Frontend."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from intake.settings import Settings

CHANNEL = "web"
BUILT_CSS = Path(__file__).parent / "static" / "govuk" / "govuk-frontend.min.css"


def blueprint(settings: Settings) -> Blueprint:
    from channels.web.views import make_blueprint

    return make_blueprint(settings)


def describe(settings: Settings) -> list[str]:
    line = f"web form: on ({settings.public_url}/report/<org>/)"
    if not BUILT_CSS.exists():
        line += "; GOV.UK Frontend is not built, so pages are unstyled: install Node.js and npm, then run make"
    return [line]
