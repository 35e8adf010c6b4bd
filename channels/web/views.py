"""The report form's routes: one URL per landlord, one question per page, every answer through the pipeline.

The page shown is always read from the engine's state (the current question, the
summary, the confirmation), so the form defines no question of its own. Every post
names the question its page showed, so a page left open in another tab can never
answer the question the report has moved on to. Nothing about the report is ever in
a URL: the browser holds only a random session id in a cookie, and the conversation
is stored under a keyed hash of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, make_response, redirect, request, url_for
from flask_limiter.errors import RateLimitExceeded
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import RequestEntityTooLarge

from channels import headers
from channels.links import linkify
from channels.web import answers, security
from channels.web import render as pages
from channels.web.ratelimit import FormLimits
from channels.web.render import Page
from intake.conversation import SUMMARY
from intake.engine import question_view
from intake.i18n import available_languages, translator
from intake.messages import Answer, Attachment, Command, InboundMessage, OutboundMessage
from intake.orgs.schema import Profile
from intake.pipeline import Intake, handle, live_conversation
from intake.settings import Settings

CHANNEL = security.CHANNEL
LANGUAGE_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE = pages.LANGUAGE_COOKIE, pages.TEXT_COOKIE, pages.CONTRAST_COOKIE


@dataclass(frozen=True)
class WebState:
    intake: Intake
    settings: Settings
    door: Any
    limits: FormLimits
    exit_url: str
    # The posted page's action, counted against the form's limits (see ratelimit.py).
    counted_action: Callable[[Profile, Any], Response]

    @property
    def https(self) -> bool:
        return self.settings.public_url.startswith("https://")


def state() -> WebState:
    return current_app.extensions["web"]


def make_blueprint(settings: Settings, web_settings: Any, intake: Intake, door: Any) -> Blueprint:
    web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/web")
    limits = FormLimits(settings.ratelimit_storage_uri, web_settings.posts_per_minute,
                        web_settings.address_limit, settings.secret_key, pages.session_id)  # fmt: skip
    here = WebState(intake, settings, door, limits, web_settings.exit_url, limits.counted(_action))

    @web.record_once
    def _setup(setup: Any) -> None:
        app: Flask = setup.app
        app.extensions["web"] = here
        limits.init_app(app)
        app.jinja_env.loader = ChoiceLoader(
            [app.jinja_env.loader, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
        )
        app.jinja_env.filters["linkify"] = linkify

    web.after_request(_headers)
    web.add_url_rule("/report/<org>/", "show", show, methods=["GET"])
    web.add_url_rule("/report/<org>/change/<question_id>", "change", change, methods=["GET"])
    web.add_url_rule("/report/<org>/", "act", act, methods=["POST"])
    web.add_url_rule("/report/<org>/exit", "quick_exit", quick_exit, methods=["GET"])
    web.add_url_rule("/report/<org>/staying-safe-online", "staying_safe", staying_safe, methods=["GET"])
    web.add_url_rule("/report/<org>/brand.css", "brand", brand, methods=["GET"])
    return web


def _headers(response: Response) -> Response:
    org = (request.view_args or {}).get("org")
    if g.get("new_session_id") and org:
        security.set_session_cookie(response, state().settings.secret_key, org, g.new_session_id, secure=state().https)
    return headers.harden(response, https=state().https or request.is_secure)


# ---- routes ----------------------------------------------------------------------------------------
def show(org: str):  # type: ignore[no-untyped-def]
    return pages.render(_profile(org), Page())


def change(org: str, question_id: str):  # type: ignore[no-untyped-def]
    return pages.render(_profile(org), Page(change=question_id))


def act(org: str):  # type: ignore[no-untyped-def]
    profile = _profile(org)
    try:
        form = request.form
    except RequestEntityTooLarge:
        return pages.render(
            profile, Page(errors={"evidence": answers.too_big(translator(pages.shown_language(profile)))}, status=413)
        )
    secret = state().settings.secret_key
    if not security.csrf_ok(secret, security.session_id(request, secret, profile.slug), form.get("csrf_token")):
        return pages.problem(profile, lambda t: t("Sorry, this form has expired. Please try again."), 400)
    try:
        return state().counted_action(profile, form)
    except RateLimitExceeded:
        refused = pages.problem(
            profile, lambda t: t("You have sent too many answers in a short time. Please wait a minute and try again."), 429
        )
        refused.headers["Retry-After"] = str(state().limits.retry_after())
        return refused


def _action(profile: Profile, form: Any) -> Response:
    action = form.get("action", "")
    if action == "language":
        return _language(profile, form.get("language", ""))
    if action == "display":
        return _display(form.get("display", ""), profile)
    if action == "start":
        return _start(profile)
    return _answer(profile, action, form)


def staying_safe(org: str):  # type: ignore[no-untyped-def]
    return pages.page(_profile(org), "web/staying_safe.html")


def quick_exit(org: str):  # type: ignore[no-untyped-def]
    profile = _profile(org)
    sid = security.session_id(request, state().settings.secret_key, profile.slug)
    # The token stops another site's link from ending someone's report; a bad one still leaves at once.
    if sid and security.csrf_ok(state().settings.secret_key, sid, request.args.get("t")):
        key = security.web_sender_key(state().settings.secret_key, sid)
        if live_conversation(state().intake, profile.slug, CHANNEL, key) is not None:
            _send(profile, command=Command("exit"))
    response = redirect(state().exit_url, code=303)
    security.forget_session_cookie(response, profile.slug)
    for name in (LANGUAGE_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE):
        response.delete_cookie(name, path="/")
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


def brand(org: str):  # type: ignore[no-untyped-def]
    colours = _profile(org).brand
    css = (
        f":root{{--app-brand-colour:{colours.colour};--govuk-brand-colour:{colours.colour};"
        f"--govuk-link-colour:{colours.link_colour};--govuk-link-visited-colour:{colours.link_colour}}}\n"
    )
    response = make_response(css)
    response.mimetype = "text/css"
    return response


# ---- actions ---------------------------------------------------------------------------------------
def _start(profile: Profile) -> Response:
    if live_conversation(state().intake, profile.slug, CHANNEL, _sender_key()) is None:
        pages.start_session(_form_id())
        replies = _send(profile, provider_id=_form_id())
        # The start page already said what the welcome says, in the page's own words.
        return pages.render(profile, Page(notices=[r for r in replies if r.kind == "danger"]))
    return redirect(url_for("web.show", org=profile.slug), code=303)


def _answer(profile: Profile, action: str, form: Any) -> Response:
    found = live_conversation(state().intake, profile.slug, CHANNEL, _sender_key())
    if found is None:
        return redirect(url_for("web.show", org=profile.slug), code=303)
    conversation, context = found
    shown, form_id = form.get("question", ""), _form_id()
    if action in ("back", "skip"):
        return _after(profile, _send(profile, command=Command(action, question_id=shown), provider_id=form_id))
    if action == "send":
        return _after(profile, _send(profile, answer=Answer(SUMMARY, options=("send",)), provider_id=form_id))
    view = question_view(conversation, context, shown)
    if view is None:
        # Not a question this report can answer now: the engine says so and shows where it is.
        return _after(profile, _send(profile, answer=Answer(shown or "?"), provider_id=form_id))
    t = translator(conversation.language)
    given, errors = answers.answer(view, form, t)
    files: list[Attachment] = []
    if given is not None and view.takes_files:
        files, errors = answers.evidence(
            request.files.getlist("evidence"), state().settings.uploads_dir / profile.slug, state().settings.keys, t
        )
    if errors or given is None:
        return pages.render(profile, Page(errors=errors, status=400, change=form.get("change") or None))
    return _after(profile, _send(profile, answer=given, provider_id=form_id, attachments=tuple(files)))


def _after(profile: Profile, replies: list[OutboundMessage]) -> Response:
    # Notices (the 999 advice, "we have started your report") show above the next page;
    # a submitted report's own words are its confirmation page.
    if any(r.kind == "victims_code" for r in replies):
        return pages.render(profile, Page())
    return pages.render(profile, Page(notices=[r for r in replies if r.kind in ("danger", "notice")]))


def _language(profile: Profile, code: str) -> Response:
    if code not in available_languages():
        abort(400, "unknown language")
    found = live_conversation(state().intake, profile.slug, CHANNEL, _sender_key())
    if found is not None and found[0].language != code:
        _send(profile, command=Command("language", value=code))
    response = redirect(url_for("web.show", org=profile.slug), code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, httponly=True, secure=state().https, samesite="Lax", path="/")
    return response


def _display(which: str, profile: Profile) -> Response:
    response = redirect(url_for("web.show", org=profile.slug), code=303)
    # Session cookies: remembered for this visit, forgotten when the browser closes.
    for name, cookie, on in (("text", TEXT_COOKIE, "large"), ("contrast", CONTRAST_COOKIE, "high")):
        if which == name:
            value = "" if request.cookies.get(cookie) == on else on
            response.set_cookie(cookie, value, httponly=True, secure=state().https, samesite="Lax", path="/")
    return response


# ---- reading the request --------------------------------------------------------------------------
def _profile(org: str) -> Profile:
    profile = state().intake.profiles.get(org)
    if profile is None or not state().door.serves(profile):
        abort(404)
    return profile


def _sender_key() -> str:
    return security.web_sender_key(state().settings.secret_key, pages.session_id())


def _form_id() -> str | None:
    # Each rendered form carries a random id, used as the message's provider id:
    # a form sent twice (a double click, a refresh) is answered once.
    value = request.form.get("form_id", "")
    return f"web:{value}" if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", value) else None


def _send(
    profile: Profile,
    *,
    answer: Answer | None = None,
    command: Command | None = None,
    provider_id: str | None = None,
    attachments: tuple = (),
) -> list[OutboundMessage]:
    return handle(
        state().intake,
        InboundMessage(
            org=profile.slug,
            channel=CHANNEL,
            sender_key=_sender_key(),
            answer=answer,
            command=command,
            attachments=attachments,
            provider_id=provider_id,
            locale_hint=pages.page_language(profile),
        ),
    )
