"""The report form's routes: one URL per landlord, one question per page, every answer through the pipeline.

The page shown is always read from the engine's state (the current question, the
summary, the confirmation), so the form defines no question of its own. Nothing about
the report is ever in a URL: the browser holds only a random session id in a cookie,
and the conversation is stored under a keyed hash of it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge

from channels.web import security, uploads
from channels.web.ratelimit import RateLimiter
from intake.conversation import SUMMARY
from intake.engine import QuestionView, confirmation, current_question, question_view, summary_rows
from intake.i18n import Translator, available_languages, choose_language, native_name, translator
from intake.messages import Attachment, InboundMessage, OutboundMessage
from intake.orgs.schema import Profile
from intake.pipeline import Intake, handle, live_conversation
from intake.settings import Settings

CHANNEL = security.CHANNEL
# Where "Exit this page" lands unless INTAKE_WEB_EXIT_URL says otherwise: a busy,
# ordinary site that says nothing about why you were here (GOV.UK's own default).
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
LANGUAGE_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE = "report_lang", "report_text", "report_contrast"
DEFAULT_POSTS_PER_MINUTE = 30
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


@dataclass
class Page:
    """What one page of the form shows, beyond the state it is read from."""

    notices: list[OutboundMessage] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    status: int = 200
    change: str | None = None  # the answered question a change link opened

    @property
    def errors_list(self) -> list[dict[str, str]]:
        # The error summary links each message to its field, as the GOV.UK pattern asks.
        return [{"text": message, "href": f"#{field_id}"} for field_id, message in self.errors.items()]


def make_blueprint(settings: Settings) -> Blueprint:
    web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/web")
    per_minute = int(settings.environ.get("INTAKE_WEB_POSTS_PER_MINUTE") or DEFAULT_POSTS_PER_MINUTE)
    limiter = RateLimiter(limit=per_minute, window=60.0)
    https = settings.public_url.startswith("https://")
    neutral_site = settings.environ.get("INTAKE_WEB_EXIT_URL") or NEUTRAL_SITE

    @web.record_once
    def _templates(state: Any) -> None:
        app: Flask = state.app
        app.jinja_env.loader = ChoiceLoader(
            [app.jinja_env.loader, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
        )
        app.jinja_env.filters["linkify"] = linkify

    @web.after_request
    def _headers(response: Response) -> Response:
        if getattr(g, "new_session_id", None):
            security.set_session_cookie(response, g.new_session_id, secure=https)
        return security.harden(response, https=https or request.is_secure)

    @web.get("/report/<org>/")
    def show(org: str):  # type: ignore[no-untyped-def]
        return render(_profile(org), Page())

    @web.get("/report/<org>/change/<question_id>")
    def change(org: str, question_id: str):  # type: ignore[no-untyped-def]
        return render(_profile(org), Page(change=question_id))

    @web.post("/report/<org>/")
    def act(org: str):  # type: ignore[no-untyped-def]
        profile = _profile(org)
        if not limiter.allow(request.remote_addr or "unknown"):
            return _problem(
                profile, lambda t: t("You have sent too many answers in a short time. Please wait a minute and try again."), 429
            )
        try:
            form = request.form
        except RequestEntityTooLarge:
            return render(profile, Page(errors={"evidence": _too_big(profile)}, status=413))
        if not security.csrf_ok(settings.secret_key, security.session_id(request), form.get("csrf_token")):
            return _problem(profile, lambda t: t("Sorry, this form has expired. Please try again."), 400)
        action = form.get("action", "")
        if action == "language":
            return _language(profile, form.get("language", ""))
        if action == "display":
            return _display(profile, form.get("display", ""))
        if action == "start":
            return _start(profile)
        return _answer(profile, action)

    @web.get("/report/<org>/exit")
    def quick_exit(org: str):  # type: ignore[no-untyped-def]
        profile = _profile(org)
        sid = security.session_id(request)
        # The token stops another site's link from ending someone's report; a bad one still leaves at once.
        if sid and security.csrf_ok(settings.secret_key, sid, request.args.get("t")):
            key = security.web_sender_key(settings.secret_key, sid)
            if live_conversation(_intake(), profile.slug, CHANNEL, key) is not None:
                handle(_intake(), InboundMessage(org=profile.slug, channel=CHANNEL, sender_key=key, text="exit"))
        response = redirect(neutral_site, code=303)
        for name in (security.COOKIE, LANGUAGE_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE):
            response.delete_cookie(name, path="/")
        response.headers["Clear-Site-Data"] = '"cache", "cookies"'
        return response

    @web.get("/report/<org>/brand.css")
    def brand(org: str):  # type: ignore[no-untyped-def]
        colours = _profile(org).brand
        css = (
            f":root{{--app-brand-colour:{colours.colour};--govuk-brand-colour:{colours.colour};"
            f"--govuk-link-colour:{colours.link_colour};--govuk-link-visited-colour:{colours.link_colour}}}\n"
        )
        response = make_response(css)
        response.mimetype = "text/css"
        return response

    # ---- actions -----------------------------------------------------------------------
    def _start(profile: Profile) -> Response:
        key = _sender_key()
        if live_conversation(_intake(), profile.slug, CHANNEL, key) is None:
            replies = _send(profile, "", provider_id=_form_id())
            # The start page already said what the welcome says, in the page's own words.
            return render(profile, Page(notices=[r for r in replies if r.kind == "danger"]))
        return redirect(url_for("web.show", org=profile.slug), code=303)

    def _answer(profile: Profile, action: str) -> Response:
        found = live_conversation(_intake(), profile.slug, CHANNEL, _sender_key())
        if found is None:
            return redirect(url_for("web.show", org=profile.slug), code=303)
        conversation, context = found
        form, form_id = request.form, _form_id()
        if action == "back":
            return _after(profile, _send(profile, "back", provider_id=form_id))
        if action == "send" and conversation.step == SUMMARY:
            return _after(profile, _send(profile, "send", provider_id=form_id))
        shown = form.get("question", "")
        changing = form.get("change") == shown and conversation.step == SUMMARY
        current = "language" if conversation.menu == "language" else conversation.step
        if shown != current and not changing:
            # A page left open in another tab, or sent twice: show where the report now is.
            return render(profile, Page())
        if shown == "language":
            return _after(profile, _send(profile, form.get("answer", ""), provider_id=form_id))
        view = question_view(conversation, context, shown)
        if view is None:
            return render(profile, Page())
        if action == "skip":
            if changing:
                _pick_for_change(profile, context, conversation, shown, form_id)
            return _after(profile, _send(profile, "skip", provider_id=form_id))
        text, errors = _answer_text(view, form)
        attachments: list[Attachment] = []
        if view.opens_case and not errors:
            attachments, errors = _evidence(profile, settings)
        if errors:
            return render(profile, Page(errors=errors, status=400, change=shown if changing else None))
        if changing:
            _pick_for_change(profile, context, conversation, shown, form_id)
        return _after(profile, _send(profile, text, provider_id=form_id, attachments=tuple(attachments)))

    def _pick_for_change(profile: Profile, context: Any, conversation: Any, question_id: str, form_id: str | None) -> None:
        # The summary numbers Send first, then each answer: pick the one the change link named.
        rows = [row.question_id for row in summary_rows(conversation, context)]
        number = rows.index(question_id) + 2
        _send(profile, str(number), provider_id=f"{form_id}:change" if form_id else None)

    def _after(profile: Profile, replies: list[OutboundMessage]) -> Response:
        # Notices (the 999 advice, "we have started your report") show above the next page;
        # a submitted report's own words are its confirmation page.
        if any(r.kind == "victims_code" for r in replies):
            return render(profile, Page())
        return render(profile, Page(notices=[r for r in replies if r.kind in ("danger", "notice")]))

    def _language(profile: Profile, code: str) -> Response:
        if code not in available_languages():
            abort(400, "unknown language")
        key = _sender_key()
        found = live_conversation(_intake(), profile.slug, CHANNEL, key)
        if found is not None and found[0].language != code:
            _send(profile, "language")
            _send(profile, str(available_languages().index(code) + 1))
        response = redirect(url_for("web.show", org=profile.slug), code=303)
        response.set_cookie(LANGUAGE_COOKIE, code, httponly=True, secure=https, samesite="Lax", path="/")
        return response

    def _display(profile: Profile, which: str) -> Response:
        response = redirect(url_for("web.show", org=profile.slug), code=303)
        # Session cookies: remembered for this visit, forgotten when the browser closes.
        for name, cookie, on in (("text", TEXT_COOKIE, "large"), ("contrast", CONTRAST_COOKIE, "high")):
            if which == name:
                value = "" if request.cookies.get(cookie) == on else on
                response.set_cookie(cookie, value, httponly=True, secure=https, samesite="Lax", path="/")
        return response

    return web


# ---- reading the request ------------------------------------------------------------------
def _intake() -> Intake:
    return current_app.extensions["intake"]


def _settings() -> Settings:
    return current_app.config["INTAKE_SETTINGS"]


def _profile(org: str) -> Profile:
    profile = _intake().profiles.get(org)
    if profile is None or not profile.channels.web:
        abort(404)
    return profile


def _session_id() -> str:
    sid = security.session_id(request) or getattr(g, "new_session_id", None)
    if sid is None:
        sid = g.new_session_id = security.new_session_id()
    return sid


def _sender_key() -> str:
    return security.web_sender_key(_settings().secret_key, _session_id())


def _form_id() -> str | None:
    # Each rendered form carries a random id, used as the message's provider id:
    # a form sent twice (a double click, a refresh) is answered once.
    value = request.form.get("form_id", "")
    return f"web:{value}" if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", value) else None


def _send(profile: Profile, text: str, *, provider_id: str | None = None, attachments: tuple = ()) -> list[OutboundMessage]:
    return handle(
        _intake(),
        InboundMessage(
            org=profile.slug,
            channel=CHANNEL,
            sender_key=_sender_key(),
            text=text,
            attachments=attachments,
            provider_id=provider_id,
            locale_hint=_page_language(profile),
        ),
    )


def _page_language(profile: Profile) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in available_languages():
        return chosen
    return choose_language(request.accept_languages.best_match(available_languages()), profile.default_language)


def _answer_text(view: QuestionView, form: Any) -> tuple[str, dict[str, str]]:
    """The answer as the words the engine reads from every door: a choice's number, or the text."""
    t = translator(view.language)
    values = [c.value for c in view.choices]
    if view.kind in ("choice", "yesno"):
        picked = form.get("answer")
        if picked not in values:
            return "", {"answer": t("Choose an answer, or skip this question")}
        return str(values.index(picked) + 1), {}
    if view.kind == "multi":
        picked = [v for v in form.getlist("answer") if v in values]
        if not picked:
            return "", {"answer": t("Choose an answer, or skip this question")}
        return " ".join(str(values.index(v) + 1) for v in picked), {}
    text = form.get("answer", "").strip()
    if not text:
        return "", {"answer": t("Write an answer, or skip this question")}
    return text, {}


def _evidence(profile: Profile, settings: Settings) -> tuple[list[Attachment], dict[str, str]]:
    t = translator(_shown_language(profile))
    checked: list[tuple[str, str, bytes]] = []
    for upload in request.files.getlist("evidence")[: uploads.MAX_FILES]:
        if not upload.filename:
            continue  # the empty file input every browser sends
        data = upload.read(uploads.MAX_FILE_BYTES + 1)
        result = uploads.check(upload.filename, data)
        if isinstance(result, uploads.Rejected):
            if result.reason == "size":
                return [], {"evidence": _too_big(profile)}
            if result.reason == "type":
                return [], {"evidence": t("The selected file must be a photo (JPG, PNG, GIF or WEBP) or a PDF")}
            return [], {"evidence": t("The selected file's name does not match what is in it")}
        checked.append((upload.filename, result, data))
    directory = settings.uploads_dir / profile.slug
    return [uploads.store(directory, name, kind, data) for name, kind, data in checked], {}


def _too_big(profile: Profile) -> str:
    t = translator(_shown_language(profile))
    return t("The selected file must be smaller than %(size)s", size="10 MB")


def _shown_language(profile: Profile) -> str:
    sid = security.session_id(request)
    if sid:
        found = live_conversation(_intake(), profile.slug, CHANNEL, security.web_sender_key(_settings().secret_key, sid))
        if found is not None:
            return found[0].language
    return _page_language(profile)


# ---- rendering ---------------------------------------------------------------------------
def render(profile: Profile, page: Page) -> Response:
    """The page for where this reporter's report now stands."""
    settings = _settings()
    sid = _session_id()
    found = live_conversation(_intake(), profile.slug, CHANNEL, security.web_sender_key(settings.secret_key, sid))
    common: dict[str, Any] = {"profile": profile, "page": page, "csrf_token": security.csrf_token(settings.secret_key, sid)}
    common["form_id"] = secrets.token_urlsafe(18)
    if found is None:
        language = _page_language(profile)
        return _respond("web/start.html", language, **common)
    conversation, context = found
    language = conversation.language
    if conversation.status == "submitted":
        return _respond("web/confirmation.html", language, messages=confirmation(conversation, context), **common)
    if conversation.menu == "language":
        asked = current_question(conversation, context)[-1]
        view = QuestionView("language", "choice", asked.text, None, asked.choices, language=language)
        return _respond("web/question.html", language, view=view, can_go_back=False, **common)
    if page.change:
        view = question_view(conversation, context, page.change) if conversation.step == SUMMARY else None
        if view is not None:
            return _respond("web/question.html", language, view=view, can_go_back=False, **common)
        page.change = None
    if conversation.step == SUMMARY:
        summary = current_question(conversation, context)[-1]
        rows = summary_rows(conversation, context)
        return _respond("web/check.html", language, summary=summary, rows=rows, **common)
    view = question_view(conversation, context)
    if view is None:  # a state no page shows (should not happen): start again from what the engine asks
        abort(500)
    if view.problem and not page.errors:
        page.errors = {"answer": view.problem}
    return _respond("web/question.html", language, view=view, can_go_back=bool(conversation.history), **common)


def _respond(template: str, language: str, **context: Any) -> Response:
    t = translator(language)
    profile: Profile = context["profile"]
    text_large = request.cookies.get(TEXT_COOKIE) == "large"
    contrast_high = request.cookies.get(CONTRAST_COOKIE) == "high"
    html = render_template(
        template,
        t=t,
        language=language,
        languages=[(code, native_name(code), translator(code).html_lang) for code in available_languages()],
        text_large=text_large,
        contrast_high=contrast_high,
        exit_url=url_for("web.quick_exit", org=profile.slug, t=context["csrf_token"]),
        **context,
    )
    return make_response(html, context["page"].status)


def _problem(profile: Profile, say: Callable[[Translator], str], status: int) -> Response:
    sid = _session_id()
    settings = _settings()
    language = _shown_language(profile)
    page = Page(status=status)
    return _respond(
        "web/problem.html",
        language,
        profile=profile,
        message=say(translator(language)),
        page=page,
        csrf_token=security.csrf_token(settings.secret_key, sid),
        form_id=secrets.token_urlsafe(18),
    )


def linkify(text: str) -> Markup:
    """Escape a reply's text and make its web addresses links (the Victims Code page, a signpost's site)."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(str(escape(text[last : match.start()])))
        url = escape(match.group(0))
        parts.append(f'<a class="govuk-link" href="{url}">{url}</a>')
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))
