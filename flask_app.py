"""create_app(config=None): settings, database, operations, door, page and staff blueprints, and what every response carries."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

import staff
from channels import headers, ops, pages, registry
from channels.survey_page import survey_page
from intake.settings import Settings


def create_app(config: Mapping[str, str] | None = None, doors: Iterable[str] = registry.DOORS) -> Flask:
    """The web app; `config` overrides environment variables (tests pass their own), `doors` the door modules."""
    settings = Settings.from_env({**os.environ, **(config or {})})
    assembly = registry.assemble(settings, doors)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(SECRET_KEY=settings.secret_key, INTAKE_SETTINGS=settings, MAX_CONTENT_LENGTH=25 * 1024 * 1024)
    app.extensions["intake"] = assembly.intake
    app.extensions["assembly"] = assembly
    if settings.trusted_proxies:
        # The client's address and scheme as the proxies we run saw them, and no further back:
        # an X-Forwarded-For hop we did not add is whatever the client chose to write.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    # First, so every request has its id before any other hook logs a line about it.
    app.register_blueprint(ops.blueprint(settings, assembly))
    app.register_blueprint(pages.blueprint(settings))
    app.register_blueprint(survey_page)
    for blueprint in assembly.blueprints(settings):
        app.register_blueprint(blueprint)
    app.register_blueprint(staff.blueprint(settings))
    https = settings.public_url.startswith("https://")

    @app.after_request
    def _harden(response: Response) -> Response:
        # After every blueprint's own hook (Flask runs the app's last), keeping what one set: the console's policy.
        return headers.harden(response, https=https or request.is_secure, keep=True)

    return app
