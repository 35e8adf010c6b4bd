"""The console's routes: sign-in with a second factor, the queue, the case page and its actions, the audit log, accounts."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, NotFound

from intake import audit, casework, victims_code
from intake.cases import description, find_case, redacted
from intake.flow import load_flow
from intake.i18n import mark, translator
from intake.settings import Settings
from intake.store import crypto
from intake.store.models import StaffAccountRow
from staff import accounts, messaging, queue, reports, taking
from staff.access import PUBLIC, SignedIn, account, may, own_account, own_attachment, own_case, requires
from staff.common import audit_line, db_session, intake, now
from staff.display import AUDIT_WORDS, RISK_TAGS, WORK_TAGS, CaseView, basis_words, event_lines, labels, reachability, when
from staff.forms import day, moment, whole

csrf = CSRFProtect()
login_manager = LoginManager()
PENDING = "staff_pending"  # the account id between a right password and its code, in the signed cookie
PENDING_FOR = 300  # seconds
LOCKED = mark("This account is locked after too many attempts. Try again in 15 minutes.")
WRONG_CODE = mark("Enter the 6-digit code your authenticator app shows now")


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: a sign-in link never sends anyone elsewhere."""
    if target and target.startswith("/staff/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("staff.queue_page")


def make_blueprint(settings: Settings) -> Blueprint:
    bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static")

    @bp.record_once
    def _setup(state) -> None:  # type: ignore[no-untyped-def]
        app = state.app
        # CSRF is checked on this blueprint's forms only, so no webhook is affected.
        app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
        app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
        app.config.update(
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
            REMEMBER_COOKIE_DURATION=0,
        )
        csrf.init_app(app)
        login_manager.init_app(app)
        login_manager.login_view = "staff.login"
        login_manager.session_protection = None  # sessions live in the database; see accounts.live_session
        other = app.error_handler_spec.get(None, {}).get(404, {}).get(NotFound)

        def not_found(error: HTTPException):  # type: ignore[no-untyped-def]
            if request.path == "/staff" or request.path.startswith("/staff/"):
                return _error_page(error)
            return other(error) if other else error

        app.register_error_handler(404, not_found)

    @bp.before_request
    def _before() -> None:
        csrf.protect() if request.method == "POST" else None
        _load_staff()

    @bp.after_request
    def _headers(response: Response) -> Response:
        # Case pages hold special-category data: never framed, cached, or sent on as a referrer;
        # no script runs but our own (the enrolment QR code is a data: image).
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers["Cache-Control"] = "no-store"
        return response

    bp.context_processor(_context)
    # abort() in the console's own views; a mistyped /staff/ address has no view, so the app's handler takes it.
    bp.register_error_handler(403, _error_page)
    bp.register_error_handler(404, _error_page)

    _auth_routes(bp)
    _queue_routes(bp)
    _case_routes(bp)
    _admin_routes(bp)
    taking.routes(bp, settings)
    reports.routes(bp)
    return bp


def _load_staff() -> None:
    """Who is signed in, from the session row the cookie names; nobody when it has ended."""
    g.staff = None
    token = session.get("_user_id")
    if token:
        with db_session() as db:
            row = accounts.live_session(db, token, now())
            if row is not None:
                g.staff = SignedIn(row.account, row, token)
                db.expunge_all()
        if g.staff is None:
            logout_user()


def _context() -> dict[str, Any]:
    user = g.get("staff")
    return {
        "t": translator("en"),
        "staff": user,
        "may": (lambda p: user is not None and may(user.account, p)),
        "error_list": lambda errors: [{"text": text, "href": f"#{name}"} for name, text in errors.items()],
    }


def _error_page(error: HTTPException):  # type: ignore[no-untyped-def]
    """403 and 404 in the console's own layout, with its navigation: the same 404 for another landlord's case as for none."""
    if "staff" not in g:
        _load_staff()
    t = translator("en")
    if error.code == 403:
        heading = t("You do not have access to this page")
        lines = [t("Your role does not include it. Ask an admin on your team if you need it.")]
    else:
        heading = t("Page not found")
        lines = [t("If you typed the web address, check it is correct."),
                 t("If you pasted the web address, check you copied the entire address.")]  # fmt: skip
    return render_template("staff/error.html", heading=heading, lines=lines, **_context()), error.code


@login_manager.user_loader
def _load(token: str) -> SignedIn | None:
    return g.get("staff")


# ---- signing in ------------------------------------------------------------------------------
def _auth_routes(bp: Blueprint) -> None:
    @bp.route("/login", methods=["GET", "POST"])
    @requires(PUBLIC)
    def login():  # type: ignore[no-untyped-def]
        t = translator("en")
        nxt = _safe_next(request.values.get("next"))
        if g.staff is not None:
            return redirect(nxt)
        errors: dict[str, str] = {}
        if request.method == "POST":
            email, password = request.form.get("email", ""), request.form.get("password", "")
            with db_session() as db:
                found = accounts.find(db, email)
                at = now()
                if found is not None and accounts.locked(found, at):
                    errors["email"] = t(LOCKED)
                elif accounts.password_matches(found, password) and found is not None and not found.disabled:
                    session[PENDING] = {"id": found.id, "at": at.timestamp(), "next": nxt}
                    return redirect(url_for("staff.code"))
                elif found is not None and _fail(db, found, at):
                    errors["email"] = t(LOCKED)  # the attempt that locks it says so, not only the next one
                else:
                    errors["email"] = t("Enter a correct email address and password")
        return render_template("staff/login.html", errors=errors, next=nxt, email=request.form.get("email", ""))

    @bp.route("/login/code", methods=["GET", "POST"])
    @requires(PUBLIC)
    def code():  # type: ignore[no-untyped-def]
        t = translator("en")
        with db_session() as db:
            found = _pending(db)
            if found is None:
                return redirect(url_for("staff.login"))
            if found.totp_enrolled_at is None:
                return redirect(url_for("staff.enrol"))
            errors: dict[str, str] = {}
            if request.method == "POST":
                at = now()
                if accounts.locked(found, at):
                    errors["code"] = t(LOCKED)
                elif found.totp_secret and accounts.accept_code(found, found.totp_secret, request.form.get("code", ""), at):
                    return _signed_in(db, found)
                else:
                    errors["code"] = t(LOCKED if _fail(db, found, at) else WRONG_CODE)
        return render_template("staff/code.html", errors=errors)

    @bp.route("/login/enrol", methods=["GET", "POST"])
    @requires(PUBLIC)
    def enrol():  # type: ignore[no-untyped-def]
        t = translator("en")
        with db_session() as db:
            found = _pending(db)
            if found is None or found.totp_enrolled_at is not None:
                return redirect(url_for("staff.login"))
            # The key is shown once, kept in the signed cookie until a code confirms it.
            secret = session.get("staff_enrol_secret") or accounts.new_secret()
            session["staff_enrol_secret"] = secret
            errors: dict[str, str] = {}
            if request.method == "POST":
                at = now()
                if accounts.locked(found, at):  # as on the code page: a locked account enrols nothing either
                    errors["code"] = t(LOCKED)
                elif accounts.enrol(found, secret, request.form.get("code", ""), at):
                    session.pop("staff_enrol_secret", None)
                    audit.record(db, org=found.org, action="enrolled", at=at, account_id=found.id, address=request.remote_addr)
                    return _signed_in(db, found)
                else:
                    errors["code"] = t(LOCKED if _fail(db, found, at) else WRONG_CODE)
            uri = accounts.provisioning_uri(found, secret)
            qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
        return render_template("staff/enrol.html", errors=errors, uri=uri, secret=secret, qr=qr)

    @bp.post("/logout")
    @requires("work")
    def logout():  # type: ignore[no-untyped-def]
        with db_session() as db:
            row = db.get(type(g.staff.session), g.staff.session.id)
            if row is not None:
                row.ended_at = now()
            audit_line(db, "signed_out")
        logout_user()
        session.clear()
        flash(translator("en")("You have signed out"))
        return redirect(url_for("staff.login"))

    @bp.route("/password", methods=["GET", "POST"])
    @requires("work")
    def password():  # type: ignore[no-untyped-def]
        t = translator("en")
        errors: dict[str, str] = {}
        if request.method == "POST":
            with db_session() as db:
                me = db.get(StaffAccountRow, account().id)
                current, new, again = (request.form.get(k, "") for k in ("current", "new", "again"))
                if not accounts.password_matches(me, current):
                    errors["current"] = t("Enter your current password")
                elif len(new) < accounts.MIN_PASSWORD:
                    errors["new"] = t("Your new password must have at least %(n)s characters", n=accounts.MIN_PASSWORD)
                elif new != again:
                    errors["again"] = t("The two new passwords do not match")
                else:
                    accounts.change_password(db, me, new, now(), keep=g.staff.session)
                    audit_line(db, "password_changed")
                    flash(t("Your password has been changed"))
                    return redirect(url_for("staff.queue_page"))
        return render_template("staff/password.html", errors=errors)

    @bp.route("/confirm", methods=["GET", "POST"])
    @requires("work")
    def confirm():  # type: ignore[no-untyped-def]
        """Ask for the password again before a download."""
        t = translator("en")
        nxt = _safe_next(request.values.get("next"))
        errors: dict[str, str] = {}
        if request.method == "POST":
            with db_session() as db:
                me = db.get(StaffAccountRow, account().id)
                if accounts.password_matches(me, request.form.get("password", "")):
                    row = db.get(type(g.staff.session), g.staff.session.id)
                    row.reauth_at = now()
                    return redirect(nxt)
                _fail(db, me, now())
                errors["password"] = t("Enter your password")
        return render_template("staff/confirm.html", errors=errors, next=nxt)


def _pending(db: Session) -> StaffAccountRow | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or now().timestamp() - float(pending.get("at", 0)) > PENDING_FOR:
        return None
    found = db.get(StaffAccountRow, pending.get("id"))
    return None if found is None or found.disabled else found


def _fail(db: Session, found: StaffAccountRow, at: datetime) -> bool:
    """Count a failed password or code; True when this one locked the account."""
    locked = accounts.note_failure(found, at)
    audit.record(
        db,
        org=found.org,
        action="locked_out" if locked else "sign_in_failed",
        at=at,
        account_id=found.id,
        address=request.remote_addr,
    )
    return locked


def _signed_in(db: Session, found: StaffAccountRow):  # type: ignore[no-untyped-def]
    nxt = _safe_next((session.get(PENDING) or {}).get("next"))
    started = accounts.start_session(db, found, now())
    audit.record(db, org=found.org, action="signed_in", at=now(), account_id=found.id, address=request.remote_addr)
    session.clear()  # a fresh cookie: nothing from before sign-in carries over
    g.staff = SignedIn(found, started.row, started.token)
    login_user(g.staff)
    return redirect(nxt)


# ---- the queue -------------------------------------------------------------------------------
def _queue_routes(bp: Blueprint) -> None:
    @bp.get("/")
    @requires("work")
    def queue_page():  # type: ignore[no-untyped-def]
        q = queue.Query.from_args(request.args)
        me = account()
        profile = intake().profiles[me.org]
        with db_session() as db:
            found = queue.page(db, me.org, me.id, q, now())
            views = [CaseView(c, profile, now()) for c in found.cases]
            audit_line(db, "searched" if q.reference or q.filters else "viewed_queue", tab=q.tab, reference=q.reference,
                   filters={k: list(v) for k, v in q.filters.items()})  # fmt: skip
        return render_template(
            "staff/queue.html",
            q=q,
            page=found,
            cases=views,
            labels=labels(profile),
            profile=profile,
            view_tags={"risk": RISK_TAGS, "work": WORK_TAGS},
            when=lambda moment: when(moment, profile),
            page_url=lambda n: url_for("staff.queue_page") + "?" + urlencode([*_kept_args(), ("page", n)]),
        )


def _kept_args() -> list[tuple[str, str]]:
    return [(k, v) for k, values in request.args.lists() if k != "page" for v in values]


# ---- one case --------------------------------------------------------------------------------
ACTIONS = {
    "take": "work",
    "assign": "assign",
    "risk": "work",
    "contact": "work",
    "note": "work",
    "action_add": "work",
    "action_update": "work",
    "plan_agreed": "work",
    "disclose": "work",
    "review": "work",
    "close": "work",
    "reopen": "work",
    "link": "work",
    "victims_code": "work",
    "message": "work",
    "reply_read": "work",
}


def _case_routes(bp: Blueprint) -> None:
    @bp.get("/cases/<reference>")
    @requires("work")
    def case_page(reference: str):  # type: ignore[no-untyped-def]
        return _show_case(reference, errors={}, status=200)

    @bp.post("/cases/<reference>/<action>")
    @requires("work")
    def case_action(reference: str, action: str):  # type: ignore[no-untyped-def]
        if action not in ACTIONS:
            abort(404)
        if not may(account(), ACTIONS[action]):
            abort(403)
        t = translator("en")
        me = account()
        profile = intake().profiles[me.org]
        form = request.form
        preview = None
        try:
            with db_session() as db:
                case = own_case(db, reference)
                casework.check_version(case, whole(form.get("version")))
                actor = casework.Actor(db.get(StaffAccountRow, me.id), now())
                if action == "message" and form.get("step") != "send":
                    # The officer reads what will go, in the reporter's language, before it goes.
                    preview, _ = casework.compose_message(db, case, profile, actor.at, **messaging.message_args(form, profile))
                else:
                    _act(db, case, actor, profile, action, form)
                    audit_line(db, "changed_case", case_id=case.id, change=action)
                    if action == "contact" and form.get("method") == "in_person" and messaging.no_home_visits(case):
                        flash(t(messaging.NO_HOME_VISITS))
        except casework.Refused as refused:
            message = t(refused.message, **refused.params)
            return _show_case(reference, errors={form_field(action, refused.field): message}, status=400, open_form=action)
        except casework.CaseChanged:
            message = t("Someone else changed this case while you had it open. Check the timeline, then try again.")
            return _show_case(reference, errors={form_field(action, "version"): message}, status=409, open_form=action)
        if preview is not None:
            return _show_case(reference, errors={}, status=200, open_form=action, preview=preview)
        flash(t("Saved"))
        return redirect(url_for("staff.case_page", reference=reference) + "#timeline")

    @bp.get("/cases/<reference>/attachments/<int:attachment_id>")
    @requires("work")
    def attachment(reference: str, attachment_id: int):  # type: ignore[no-untyped-def]
        with db_session() as db:
            case = own_case(db, reference)
            found = own_attachment(db, case, attachment_id)
            # Asked after the landlord check, so another landlord's attachment is 404 whatever the session.
            if not accounts.recently_confirmed(g.staff.session, now()):
                return redirect(url_for("staff.confirm", next=request.path))
            data = crypto.read_file(Path(found.stored_path), intake().store.keys)
            audit_line(db, "downloaded", case_id=case.id, attachment=found.id)
            # Named by the case, not by the reporter's device, whose file name can say who they are.
            name = f"{case.reference}-{found.id}{mimetypes.guess_extension(found.content_type) or ''}"
        response = Response(data, mimetype="application/octet-stream")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response


# Each form's field names are unique on the page; these map the core's field names onto them.
FIELDS: dict[str, dict[str, str]] = {
    "contact": {"outcome": "contact_outcome", "note": "contact_note", "happened_at": "happened"},
    "risk": {"reasons": "risk_reasons"},
    "note": {"text": "note_text"},
    "action_update": {"status": "item_status"},
    "plan_agreed": {"agreed_on": "agreed"},
    "disclose": {"reason": "exception_reason", "consent_at": "consent"},
    "review": {"note": "review_note"},
    "close": {"outcome": "close_outcome", "note": "close_note"},
    "reopen": {"reason": "reopen_reason"},
    "link": {"reference": "link_reference"},
    "victims_code": {"by": "victims_code_by"},
    "message": {"message": "act-message", "param_name": "officer_name", "param_date": "calldate"},
}


def form_field(action: str, field: str) -> str:
    if field in ("case", "version"):
        return f"act-{action}"
    return FIELDS.get(action, {}).get(field, field)


def _act(db: Session, case: Any, actor: casework.Actor, profile: Any, action: str, form: Any) -> None:
    tz = profile.timezone
    if action == "take":
        casework.assign(db, case, actor, actor.account)
    elif action == "assign":
        to = own_account(db, whole(form.get("owner")) or 0) if form.get("owner") else None
        if to is None:
            raise casework.Refused("owner", "Choose someone in your team")
        casework.assign(db, case, actor, to)
    elif action == "risk":
        casework.review_risk(db, case, actor, form.get("level"), form.get("risk_reasons"))
    elif action == "contact":
        casework.record_contact(db, case, actor, profile, method=form.get("method"), happened_at=moment(form, "happened", tz),
                                outcome=form.get("contact_outcome"), note=form.get("contact_note"),
                                with_whom=form.get("with_whom"))  # fmt: skip
    elif action == "note":
        casework.add_note(db, case, actor, form.get("note_text"))
    elif action == "action_add":
        casework.add_action(db, case, actor, profile, kind=form.get("kind"), what=form.get("what"), who=form.get("who"),
                            due=day(form, "due"))  # fmt: skip
    elif action == "action_update":
        casework.update_action(db, case, actor, whole(form.get("item")), form.get("item_status"))
    elif action == "plan_agreed":
        casework.agree_plan(db, case, actor, day(form, "agreed"))
    elif action == "disclose":
        casework.disclose(db, case, actor, profile, recipient=form.get("recipient"), other_recipient=form.get("other_recipient"),
                          shared=form.get("shared"), purpose=form.get("purpose"), basis=form.get("basis"),
                          consent_source=form.get("consent_source"), consent_how=form.get("consent_how"),
                          consent_at=moment(form, "consent", tz), exception=form.get("exception"),
                          reason=form.get("exception_reason"))  # fmt: skip
    elif action == "review":
        casework.request_review(db, case, actor, profile, form.get("route"), form.get("review_note"))
    elif action == "close":
        casework.close(db, case, actor, profile, form.get("close_outcome"), form.get("close_note"))
    elif action == "reopen":
        casework.reopen(db, case, actor, form.get("reopen_reason"))
    elif action == "message":
        casework.message_reporter(db, case, actor, profile, **messaging.message_args(form, profile))
    elif action == "victims_code":
        casework.victims_code_given(db, case, actor, form.get("victims_code_by"))
    elif action == "reply_read":
        casework.mark_reply_read(db, case, actor)
    elif action == "link":
        reference = form.get("link_reference", "").strip()
        other = find_case(db, reference) if reference else None
        casework.link(db, case, actor, other if other is not None and other.org == case.org else None)


def _show_case(reference: str, *, errors: dict[str, str], status: int, open_form: str | None = None, preview: str | None = None):  # type: ignore[no-untyped-def]
    t, me = translator("en"), account()
    profile = intake().profiles[me.org]
    words = labels(profile)
    at = now()
    local = at.astimezone(ZoneInfo(profile.timezone))
    with db_session() as db:
        case = own_case(db, reference)
        view = CaseView(case, profile, at, detail=True)
        own_words = description(case.answers, load_flow())
        team = [a for a in accounts.listed(db, me.org) if not a.disabled]
        linked = [e.data.get("reference") for e in case.events if e.kind == "linked_from"]
        if case.linked_case_id:
            linked.insert(0, next((e.data.get("to") for e in reversed(case.events) if e.kind == "linked"), ""))
        reachable, why = reachability(case)
        sharing = casework.intake_sharing(case)
        disclosures = [
            {
                "at": when(e.at, profile),
                "recipient_name": e.data.get("recipient_name"),
                "shared": e.data.get("shared"),
                "basis_words": basis_words(e.data, words),
            }
            for e in reversed(case.events)
            if e.kind == "disclosure"
        ]
        audit_line(db, "viewed_case", case_id=case.id)
        writing = messaging.writing(db, case, profile, at)
        page = render_template(
            "staff/case.html",
            case=case,
            view=view,
            own_words=own_words,
            redacted=redacted(own_words, case.language) if own_words else None,
            profile=profile,
            labels=words,
            errors=errors,
            open_form=open_form,
            form=request.form if errors or preview else {},
            sharing_words={
                "yes": t("Yes, you can share it"),
                "ask_first": t("Ask me first"),
                "no": t("No, only when you must"),
            }.get(sharing or "", t("Not answered")),
            # Each list starts with "Choose", so a form sent without a choice is refused rather than taking the first.
            team_options=[("", t("Choose")), *[(str(a.id), a.name) for a in team]],
            kind_options=[("", t("Choose")), *list(words["action_kinds"].items())],
            action_options=[
                ("", t("Choose")),
                *[(str(i.id), f"{words['action_kinds'].get(i.kind, i.kind)}: {i.what[:60]}") for i in case.action_items],
            ],
            recipient_options=[("", t("Choose")), *list(words["recipients"].items()), ("other", t("Another agency"))],
            exception_options=[("", t("Choose")), *list(words["exceptions"].items())],
            review_options=[
                (r.id, t("%(kind)s, run by %(by)s", kind=t("Formal (statutory)") if r.statutory else t("Informal"), by=r.run_by))
                for r in profile.case_review
            ],
            legal_kinds={k.id: k.legal for k in profile.action_kinds},
            victims_code_url=victims_code.page_url(intake().public_url, profile, case.language),
            victims_code_options=[
                ("told", t("I told them about it, or read it to them")),
                ("email", t("By email")),
                ("post", t("By post")),
                ("in_person", t("Handed to them in person")),
                ("declined", t("They did not want it")),
            ],
            reachable=reachable,
            unreachable_reason=why,
            disclosures=disclosures,
            linked=[r for r in linked if r],
            linked_from=linked,
            dates=_dates(
                {
                    "happened": {"day": local.day, "month": local.month, "year": local.year, "time": f"{local:%H:%M}"},
                    "agreed": {"day": local.day, "month": local.month, "year": local.year},
                    "due": None,
                    "consent": None,
                    "calldate": None,
                }
            ),
            writing=writing,
            no_home_visits=messaging.no_home_visits(case),
            home_warning=messaging.NO_HOME_VISITS,
            preview=preview,
            event_lines=lambda item: event_lines(item, words, profile, writing["states"]),
            when=lambda moment: when(moment, profile),
            view_tags={"risk": RISK_TAGS, "work": WORK_TAGS},
        )
    return page, status


def _dates(defaults: dict[str, dict[str, Any] | None]) -> dict[str, dict[str, Any] | None]:
    """Each date field's parts: as the officer typed them in the form that came back with an error, else the default."""
    shown = dict(defaults)
    for prefix in defaults:
        if f"{prefix}-day" in request.form:
            shown[prefix] = {part: request.form.get(f"{prefix}-{part}", "") for part in ("day", "month", "year", "time")}
    return shown


# ---- team leaders and admins -----------------------------------------------------------------
def _admin_routes(bp: Blueprint) -> None:
    @bp.get("/audit")
    @requires("audit")
    def audit_page():  # type: ignore[no-untyped-def]
        me = account()
        with db_session() as db:
            person = whole(request.args.get("person"))
            reference = request.args.get("reference", "").strip().upper()
            case_id = None
            if reference:
                case = own_case(db, reference)
                case_id = case.id
            rows = audit.lines(db, me.org, account_id=person, case_id=case_id, before_id=whole(request.args.get("before")))
            people = accounts.listed(db, me.org)
            shown = [
                {
                    "at": r.at,
                    "who": r.account.name if r.account else "",
                    "action": r.action,
                    "case": r.case.reference if r.case else "",
                    "address": r.address or "",
                    "id": r.id,
                }
                for r in rows
            ]
            audit_line(db, "viewed_audit", person=person, reference=reference)
        return render_template(
            "staff/audit.html",
            rows=shown,
            people=people,
            person=person,
            reference=reference,
            action_words={k: translator("en")(v) for k, v in AUDIT_WORDS.items()},
        )

    @bp.get("/accounts")
    @requires("accounts")
    def accounts_page():  # type: ignore[no-untyped-def]
        with db_session() as db:
            people = [accounts.describe(a) | {"id": a.id} for a in accounts.listed(db, account().org)]
            audit_line(db, "viewed_accounts")
        t = translator("en")
        roles = {"officer": t("Case officer"), "team_leader": t("Team leader"), "admin": t("Admin")}
        return render_template("staff/accounts.html", people=people, errors={}, role_words=roles)

    @bp.post("/accounts/<int:account_id>/<action>")
    @requires("accounts")
    def account_action(account_id: int, action: str):  # type: ignore[no-untyped-def]
        t = translator("en")
        if action not in ("reset", "disable"):
            abort(404)
        with db_session() as db:
            target = own_account(db, account_id)
            if action == "reset":
                accounts.reset_authenticator(db, target, now())
                audit_line(db, "authenticator_reset", target=target.id)
                flash(t("%(name)s will set up a new authenticator at their next sign-in", name=target.name))
            else:
                if target.id == account().id:
                    abort(400)
                accounts.disable(db, target, now())
                audit_line(db, "account_disabled", target=target.id)
                flash(t("%(name)s can no longer sign in", name=target.name))
        return redirect(url_for("staff.accounts_page"))
