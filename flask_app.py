"""create_app(config=None): settings, database, doors' blueprints. Nothing else."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask

from channels.registry import blueprints
from intake.runtime import load_intake
from intake.settings import Settings


def create_app(config: Mapping[str, str] | None = None) -> Flask:
    """The web app; `config` overrides environment variables (tests pass their own)."""
    settings = Settings.from_env({**os.environ, **(config or {})})
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(SECRET_KEY=settings.secret_key, INTAKE_SETTINGS=settings, MAX_CONTENT_LENGTH=25 * 1024 * 1024)
    app.extensions["intake"] = load_intake(settings)
    for blueprint in blueprints(settings):
        app.register_blueprint(blueprint)
    return app
