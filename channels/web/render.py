"""The form's pages, read from where the reporter's report stands: start, question, check your answers, confirmation."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, g, make_response, render_template, request, url_for

from channels.web import security
from intake.conversation import SUMMARY
from intake.engine import asked, confirmation, progress, question_view, summary_rows
from intake.i18n import Translator, available_languages, choose_language, native_name, translator
from intake.messages import OutboundMessage
from intake.orgs.schema import Profile
from intake.pipeline import live_conversation

LANGUAGE_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE = "report_lang", "report_text", "report_contrast"


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


def _state() -> Any:
    return current_app.extensions["web"]


def session_id() -> str:
    """This request's session id: the browser's if we issued it for this landlord, else a new one it is sent."""
    sid = g.get("session_id")
    if sid is None:
        sid = security.session_id(request, _state().settings.secret_key, _org())
        if sid is None:
            sid = g.new_session_id = security.new_session_id()
        g.session_id = sid
    return sid


def start_session(form_id: str | None) -> str:
    """A new id for the report about to start (security.started_session_id), used from here on and sent to the browser."""
    sid = security.started_session_id(_state().settings.secret_key, session_id(), form_id)
    g.session_id = g.new_session_id = sid
    return sid


def has_session() -> bool:
    """Whether the browser came with a session id we issued for this landlord."""
    return security.session_id(request, _state().settings.secret_key, _org()) is not None


def _org() -> str:
    return (request.view_args or {})["org"]


def page_language(profile: Profile) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in available_languages():
        return chosen
    return choose_language(request.accept_languages.best_match(available_languages()), profile.default_language)


def _live(profile: Profile) -> Any:
    key = security.web_sender_key(_state().settings.secret_key, session_id())
    return live_conversation(_state().intake, profile.slug, security.CHANNEL, key)


def shown_language(profile: Profile) -> str:
    found = _live(profile) if has_session() else None
    return found[0].language if found is not None else page_language(profile)


def render(profile: Profile, page: Page) -> Response:
    """The page for where this reporter's report now stands."""
    secret = _state().settings.secret_key
    common: dict[str, Any] = {"profile": profile, "page": page, "csrf_token": security.csrf_token(secret, session_id())}
    common["form_id"] = secrets.token_urlsafe(18)
    found = _live(profile)
    if found is None:
        return _respond("web/start.html", page_language(profile), **common)
    conversation, context = found
    language = conversation.language
    if conversation.status == "submitted":
        messages = confirmation(conversation, context)
        return _respond("web/confirmation.html", language, messages=messages, reference=conversation.case_reference, **common)
    if page.change:
        view = question_view(conversation, context, page.change) if conversation.step == SUMMARY else None
        if view is not None:
            step = progress(conversation, context, view.id)
            return _respond("web/question.html", language, view=view, step=step, can_go_back=False, **common)
        page.change = None
    if conversation.asking == SUMMARY:
        summary = asked(conversation, context)
        rows = summary_rows(conversation, context)
        return _respond("web/check.html", language, summary=summary, rows=rows, **common)
    view = question_view(conversation, context)
    if view is None:  # no page shows this state (an ended chat): start again
        return _respond("web/start.html", page_language(profile), **common)
    if view.problem and not page.errors:
        page.errors = {"answer": view.problem}
    back = bool(conversation.history) and conversation.menu is None
    step = progress(conversation, context, view.id)
    return _respond("web/question.html", language, view=view, step=step, can_go_back=back, **common)


def _respond(template: str, language: str, **context: Any) -> Response:
    t = translator(language)
    profile: Profile = context["profile"]
    html = render_template(
        template,
        t=t,
        language=language,
        languages=[(code, native_name(code), translator(code).html_lang) for code in available_languages()],
        text_large=request.cookies.get(TEXT_COOKIE) == "large",
        contrast_high=request.cookies.get(CONTRAST_COOKIE) == "high",
        exit_url=url_for("web.quick_exit", org=profile.slug, t=context["csrf_token"]),
        **context,
    )
    return make_response(html, context["page"].status)


def page(profile: Profile, template: str) -> Response:
    """A page of its own (not a step of the report), in the language the report is in."""
    return _respond(
        template,
        shown_language(profile),
        profile=profile,
        page=Page(),
        csrf_token=security.csrf_token(_state().settings.secret_key, session_id()),
        form_id=secrets.token_urlsafe(18),
    )


def problem(profile: Profile, say: Callable[[Translator], str], status: int) -> Response:
    language = shown_language(profile)
    return _respond(
        "web/problem.html",
        language,
        profile=profile,
        message=say(translator(language)),
        page=Page(status=status),
        csrf_token=security.csrf_token(_state().settings.secret_key, session_id()),
        form_id=secrets.token_urlsafe(18),
    )
