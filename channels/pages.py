"""Pages every deployment serves: the landlords' start page, the health check, each Victims Code."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import text

from intake.flow import load_vocabulary
from intake.i18n import available_languages, choose_language, native_name, translator
from intake.pipeline import Intake
from intake.victims_code import commitment_lines, signpost_lines

pages = Blueprint("pages", __name__, template_folder="templates")


def _intake() -> Intake:
    return current_app.extensions["intake"]


def _language() -> str:
    asked = request.args.get("lang")
    if asked in available_languages():
        return asked
    return choose_language(request.accept_languages.best_match(available_languages()))


@pages.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        with _intake().store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok"}


@pages.get("/")
def index():  # type: ignore[no-untyped-def]
    language = _language()
    return render_template("index.html", t=translator(language), profiles=_intake().profiles.values(), language=language)


@pages.get("/victims-code/<org>")
def victims_code(org: str):  # type: ignore[no-untyped-def]
    profile = _intake().profiles.get(org)
    if profile is None:
        abort(404)
    language = _language()
    t = translator(language)
    vocabulary = load_vocabulary()
    if profile.victims_code.kind == "own_code":
        title = t("%(org)s's Victims Code", org=profile.name)
    else:
        title = t("What %(org)s promises you", org=profile.name)
    return render_template(
        "victims_code.html",
        title=title,
        t=t,
        profile=profile,
        language=language,
        languages=[(code, native_name(code)) for code in available_languages()],
        commitments=commitment_lines(profile, t),
        signposts=signpost_lines(profile, t),
        formats=[t(vocabulary.accessible_formats[f]) for f in profile.accessible_formats],
    )
