"""The satisfaction survey for a reporter who used the web form: `/survey/<token>`, the one-time link emailed to them.

No JavaScript and no session: the token in the address is the key, and only its hash is
stored (as the emailed message's `outbox.once_key`). One use: once answered, the link says so.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from channels.pages import _exit
from intake import survey
from intake.cases import add_event
from intake.i18n import mark, translator
from intake.messages import utcnow
from intake.returns import SURVEY_QUESTIONS, SURVEY_SCALE
from intake.store.models import CaseRow, OutboxRow
from intake.surveys import since_closure, token_key

survey_page = Blueprint("survey_page", __name__, template_folder="templates")

TITLE = mark("Tell us how we did")
PICK = mark("Choose one, or leave it blank")
DONE = mark("Thank you. We have your answers.")
USED = mark("This link has already been used. Thank you for your answers.")
GONE = mark("This link is not valid, or has expired.")


def _case(token: str) -> CaseRow | None:
    with current_app.extensions["intake"].store.transaction() as session:
        row = session.scalar(select(OutboxRow).where(OutboxRow.once_key == token_key(token)))
        case = session.get(CaseRow, row.case_id) if row is not None and row.case_id else None
        if case is not None:
            _ = list(case.events)
            session.expunge_all()
        return case


def _csrf(token: str) -> str:
    secret = current_app.config["INTAKE_SETTINGS"].secret_key.encode()
    return hmac.new(secret, f"survey:{token}".encode(), hashlib.sha256).hexdigest()


@survey_page.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str):  # type: ignore[no-untyped-def]
    case = _case(token) if len(token) <= 64 else None
    if case is None:
        abort(404)
    intake = current_app.extensions["intake"]
    profile, t = intake.profiles[case.org], translator(case.language)
    current = survey.state(since_closure(case))
    context = {"t": t, "profile": profile, "exit": _exit(profile), "title": t(TITLE)}
    if current.sent_at is None or current.ended == "done" or current.next is None:
        return render_template("survey.html", message=t(USED), **context)
    if not current.open_at(utcnow(), profile.survey.reminder_days):
        return render_template("survey.html", message=t(GONE), **context), 410
    if request.method == "POST":
        if not hmac.compare_digest(request.form.get("check", ""), _csrf(token)):
            abort(400, description="the form's check does not match its link")
        with intake.store.transaction() as session:
            row = session.get(CaseRow, case.id)
            at = utcnow()
            for question in SURVEY_QUESTIONS:
                value = request.form.get(question, "")
                if value in SURVEY_SCALE:
                    add_event(session, row, "survey_answer", at, question=question, answer=value)
            comment = (request.form.get("comment") or "").strip()[:2000]
            add_event(session, row, "survey_comment", at, text=comment)
            add_event(session, row, "survey_ended", at, reason="done")
        return render_template("survey.html", message=t(DONE), **context)
    questions = [survey.question(step, t) for step in SURVEY_QUESTIONS]
    return render_template("survey.html", questions=questions, comment=survey.question("comment", t), pick=t(PICK),
                           check=_csrf(token), **context)  # fmt: skip
