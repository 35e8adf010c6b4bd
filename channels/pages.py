"""Pages every deployment serves: the landlords' start page and each Victims Code (health is in channels/ops.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from channels.links import linkify
from intake.flow import load_vocabulary
from intake.i18n import ISOLATES, available_languages, choose_language, native_name, translator
from intake.pipeline import Intake
from intake.settings import Settings
from intake.victims_code import commitment_lines, signpost_lines

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/pages")
pages.add_app_template_filter(linkify, "linkify")


def blueprint(settings: Settings) -> Blueprint:
    return pages


def describe(settings: Settings) -> list[str]:
    return ["pages: / and /victims-code/<org> on"]


def _intake() -> Intake:
    return current_app.extensions["intake"]


def _language() -> str:
    # Links sent before direction isolates were kept out of addresses end "?lang=ar%E2%81%A9": still Arabic.
    asked = (request.args.get("lang") or "").strip(ISOLATES)
    if asked in available_languages():
        return asked
    return choose_language(request.accept_languages.best_match(available_languages()))


@pages.get("/")
def index():  # type: ignore[no-untyped-def]
    language = _language()
    return render_template(
        "index.html",
        t=translator(language),
        profiles=_intake().profiles.values(),
        language=language,
        exit=_exit(None),
    )


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
        formats=_format_links(profile, language, t, vocabulary),
        large_print=request.args.get("size") == "large",
        exit=_exit(profile),
    )


def _exit(profile) -> dict | None:  # type: ignore[no-untyped-def]
    """Where this page's Exit this page button goes, and the web form's assets that make it work; None without the form.

    A landlord's page leaves through the form's own exit, which also forgets the form's cookies.
    """
    web = current_app.extensions.get("web")
    if web is None:
        return None
    if profile is not None and web.door.serves(profile):
        return {
            "href": url_for("web.quick_exit", org=profile.slug),
            "safety": url_for("web.staying_safe", org=profile.slug),
        }
    return {"href": web.exit_url, "safety": None}


def _format_links(profile, language: str, t, vocabulary) -> dict:  # type: ignore[no-untyped-def]
    """The versions of this page we can show, and the formats a reporter must ask the landlord for."""
    offered = profile.accessible_formats
    links = []
    # Easy Read is a kind of English: offered from the English page, where it is a real choice.
    if "easy_read" in offered and language == "en" and "en_easy" in available_languages():
        links.append((t("Easy Read version"), url_for("pages.victims_code", org=profile.slug, lang="en_easy")))
    if "large_print" in offered:
        links.append((t("Large print version"), url_for("pages.victims_code", org=profile.slug, lang=language, size="large")))
    on_request = [t(vocabulary.accessible_formats[f]) for f in offered if f not in ("easy_read", "large_print", "hearing_loop")]
    return {"links": links, "on_request": on_request}
