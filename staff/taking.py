"""A report taken another way (phone, email, post, in person), entered by an officer through the same flow's questions.

MKCC §5.3 and WCHG §3.1.4 take reports however they come. The console is then one more
door into the one pipeline: channel "staff", its conversation keyed by a random draft id
kept in the officer's signed session, its questions the engine's own, read out or copied
from a letter. The case's clocks run from when the report was received, and the Victims
Code is given by the way the reporter asked, which the officer records on the case.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from intake import casework
from intake.cases import find_case
from intake.conversation import SUMMARY
from intake.engine import asked, question_view, summary_rows
from intake.i18n import available_languages, mark, native_name, translator
from intake.messages import STAFF, Answer, Command, InboundMessage, OutboundMessage
from intake.pipeline import handle, live_conversation
from intake.posted import answer as posted_answer
from intake.privacy import sender_key
from intake.settings import Settings
from intake.store.models import StaffAccountRow
from staff.access import account, requires
from staff.common import audit_line, db_session, intake, now
from staff.forms import moment

DRAFT = "staff_taking"  # {"id", "how", "received_at", "language"} in the signed session cookie


def routes(bp: Blueprint, settings: Settings) -> None:
    def key(draft: dict) -> str:
        return sender_key(settings.secret_key, STAFF.name, draft["id"])

    def send(draft: dict, **parts: Any) -> list[OutboundMessage]:
        form_id = request.form.get("form_id", "")
        inbound = InboundMessage(
            org=account().org,
            channel=STAFF.name,
            sender_key=key(draft),
            provider_id=f"staff:{form_id}" if 16 <= len(form_id) <= 64 and form_id.isascii() else None,
            locale_hint="en",  # the officer's questions; the reporter's own language is the case's
            **parts,
        )
        return handle(intake(), inbound)

    def live(draft: dict | None):  # type: ignore[no-untyped-def]
        if not draft:
            return None
        return live_conversation(intake(), account().org, STAFF.name, key(draft))

    @bp.route("/reports/new", methods=["GET", "POST"])
    @requires("work")
    def take_report():  # type: ignore[no-untyped-def]
        t = translator("en")
        profile = intake().profiles[account().org]
        errors: dict[str, str] = {}
        if request.method == "POST":
            language = request.form.get("language", "en")
            try:
                how, received_at = casework.check_taken(
                    request.form.get("how"), moment(request.form, "received", profile.timezone), now()
                )
                if language not in available_languages():
                    raise casework.Refused("language", mark("Choose a language"))
            except casework.Refused as refused:
                errors[refused.field if refused.field != "received_at" else "received"] = t(refused.message, **refused.params)
            else:
                draft = {
                    "id": secrets.token_urlsafe(24),
                    "how": how,
                    "received_at": received_at.isoformat(),
                    "language": language,
                }
                session[DRAFT] = draft
                send(draft)
                with db_session() as db:
                    audit_line(db, "started_report", how=how)
                return redirect(url_for("staff.report_questions"), code=303)
        local = now().astimezone(ZoneInfo(profile.timezone))
        return render_template(
            "staff/take.html",
            errors=errors,
            form=request.form,
            how_options=[
                ("phone", t("By phone")),
                ("email", t("By email")),
                ("post", t("By post")),
                ("in_person", t("In person")),
            ],
            languages=[(code, native_name(code)) for code in available_languages()],
            received_default={"day": local.day, "month": local.month, "year": local.year, "time": f"{local:%H:%M}"},
            draft_live=live(session.get(DRAFT)) is not None,
        ), 400 if errors else 200

    @bp.get("/reports/new/questions")
    @requires("work")
    def report_questions():  # type: ignore[no-untyped-def]
        return page(session.get(DRAFT), change=request.args.get("change"))

    @bp.post("/reports/new/questions")
    @requires("work")
    def report_answer():  # type: ignore[no-untyped-def]
        draft = session.get(DRAFT)
        found = live(draft)
        if found is None:
            return redirect(url_for("staff.take_report"), code=303)
        conversation, context = found
        action, shown = request.form.get("action", "answer"), request.form.get("question", "")
        if action == "cancel":
            send(draft, command=Command("exit"))
            session.pop(DRAFT, None)
            t = translator("en")
            flash(t("The report was not saved as finished. What was entered is on an unfinished case."))
            return redirect(url_for("staff.queue_page"), code=303)
        if action in ("back", "skip"):
            replies = send(draft, command=Command(action, question_id=shown))
        elif action == "send":
            replies = send(draft, answer=Answer(SUMMARY, options=("send",)))
            return finished(draft) or page(draft, notices=replies)
        else:
            view = question_view(conversation, context, shown)
            if view is None:
                replies = send(draft, answer=Answer(shown or "?"))
            else:
                given, errors = posted_answer(view, request.form, translator(conversation.language))
                if given is None:
                    return page(draft, errors=errors, change=request.form.get("change") or None, status=400)
                replies = send(draft, answer=given)
        return page(draft, notices=replies)

    def finished(draft: dict):  # type: ignore[no-untyped-def]
        """Once the report is sent: its clocks from when it was received, then the case, to give the Victims Code."""
        found = live(draft)
        if found is None or found[0].status != "submitted":
            return None
        reference = found[0].case_reference
        profile = intake().profiles[account().org]
        with db_session() as db:
            case = find_case(db, reference)
            actor = casework.Actor(db.get(StaffAccountRow, account().id), now())
            casework.taken_another_way(db, case, actor, profile, how=draft["how"],
                                       received_at=datetime.fromisoformat(draft["received_at"]), language=draft["language"])  # fmt: skip
            audit_line(db, "changed_case", case_id=case.id, change="taken_another_way")
        session.pop(DRAFT, None)
        t = translator("en")
        flash(t("Report %(reference)s recorded. Now give the reporter the Victims Code.", reference=reference))
        return redirect(url_for("staff.case_page", reference=reference) + "#victims-code", code=303)

    def page(draft: dict | None, *, notices=(), errors=None, change=None, status=200):  # type: ignore[no-untyped-def]
        found = live(draft)
        if found is None:
            return redirect(url_for("staff.take_report"), code=303)
        conversation, context = found
        shown = {"notices": [n for n in notices if n.kind in ("danger", "notice")], "errors": errors or {},
                 "form_id": secrets.token_urlsafe(18), "how": draft["how"]}  # fmt: skip
        if change and conversation.step == SUMMARY:
            view = question_view(conversation, context, change)
            if view is not None:
                return question(view, change, shown, status)
        if conversation.asking == SUMMARY:
            return render_template("staff/take_check.html", summary=asked(conversation, context),
                                   rows=summary_rows(conversation, context), **shown), status  # fmt: skip
        view = question_view(conversation, context)
        if view is None:
            session.pop(DRAFT, None)
            return redirect(url_for("staff.take_report"), code=303)
        if view.problem and not shown["errors"]:
            shown["errors"] = {"answer": view.problem}
        return question(view, None, shown, status)

    def question(view, change, shown, status):  # type: ignore[no-untyped-def]
        options = [(o.id, o.label, o.exclusive) if view.kind == "multi" else (o.id, o.label) for o in view.options]
        return render_template("staff/take_question.html", view=view, change=change, options=options, **shown), status
