"""The case officers' console through Flask's test client: sign-in with real codes, the queue, every case action, the audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from flask_app import create_app
from intake.store.models import AuditRow, CaseEventRow, CaseRow, StaffAccountRow
from tests.harness import TEST_DATA_KEYS
from tests.staff_client import Officer, add_account, attach, code_at
from tests.web_client import ANONYMOUS_VICTIM, WebReporter

SECRET = "staff-test-secret-" + "x" * 32
NAMED_VICTIM = {**ANONYMOUS_VICTIM, "identity": "named_here", "name": "Amina Yusuf", "contact_other": "07700 900123",
                "consent": "yes"}  # fmt: skip


def make_app(tmp_path, url: str):
    return create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": url, "INTAKE_SECRET_KEY": SECRET,
                       "INTAKE_DATA_KEYS": TEST_DATA_KEYS})  # fmt: skip


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    app.extensions["intake"].store.dispose()


def enrolled_officer(app) -> Officer:
    add_account(app)
    person = Officer(app)
    person.enrol()
    assert person.status == 302 and person.response.headers["Location"].endswith("/staff/")
    return person


def report(app, answers=ANONYMOUS_VICTIM, org: str = "mkcc") -> str:
    reporter = WebReporter(app.test_client(), org)
    reporter.start()
    reporter.report(answers)
    with app.extensions["intake"].store.transaction() as db:
        return db.scalars(select(CaseRow.reference).where(CaseRow.org == org).order_by(CaseRow.id.desc())).first()


@pytest.fixture
def officer(app):
    return enrolled_officer(app)


def case_row(app, reference: str) -> CaseRow:
    with app.extensions["intake"].store.transaction() as db:
        row = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        db.expunge(row)
        return row


def test_an_officer_enrols_an_authenticator_at_first_sign_in_and_reaches_the_queue(officer):
    officer.get("/staff/")
    assert officer.status == 200
    assert "Cases" in officer.text()


def test_a_reported_case_shows_in_the_queue_and_on_its_page(app, officer):
    reference = report(app)
    officer.get("/staff/")
    assert reference in officer.page
    officer.case(reference)
    assert officer.status == 200
    assert "They shouted abuse at me" in officer.page


def test_a_code_already_used_is_refused_and_a_fresh_one_signs_in(app):
    add_account(app, email="second@mkcc.example")
    person = Officer(app, email="second@mkcc.example")
    person.enrol(steps_from_now=0)
    person.sign_out()
    person.password_step()
    person.get("/staff/login/code")
    person.post("/staff/login/code", {"code": code_at(person.secret, 0)})
    assert person.status == 200 and "Enter the 6-digit code" in person.page
    person.post("/staff/login/code", {"code": code_at(person.secret, 1)})
    assert person.status == 302


def test_ten_failed_attempts_in_fifteen_minutes_lock_the_account_even_with_the_right_password(app, officer):
    officer.sign_out()
    for _ in range(10):
        officer.password_step(password="wrong password, twelve+")
    officer.password_step()
    assert officer.status == 200 and "locked" in officer.page
    with app.extensions["intake"].store.transaction() as db:
        account = db.scalar(select(StaffAccountRow))
        assert account.locked_until > datetime.now(UTC) + timedelta(minutes=14)
        actions = db.scalars(select(AuditRow.action)).all()
    assert actions.count("sign_in_failed") == 9 and "locked_out" in actions


def test_lockouts_and_sessions_hold_across_processes_that_share_the_database(app, officer, tmp_path):
    """Two app instances on one database, as two workers: state is never in one process's memory."""
    other = make_app(tmp_path, str(app.extensions["intake"].store.engine.url))
    officer.get("/staff/")
    elsewhere = Officer(other)
    elsewhere.client.set_cookie("session", officer.client.get_cookie("session").value)
    assert elsewhere.get("/staff/").status_code == 200  # the session started in one process is live in the other

    elsewhere.post("/staff/logout")
    assert officer.get("/staff/").status_code == 302  # signed out in one, signed out in both

    for person in [officer, Officer(other)] * 5:
        person.password_step(password="wrong password, twelve+")
    officer.password_step()
    assert officer.status == 200 and "locked" in officer.page


def test_a_signed_out_link_to_a_case_goes_through_sign_in_and_returns_to_the_case(app, officer):
    reference = report(app)
    officer.sign_out()
    officer.get(f"/staff/cases/{reference}")
    assert officer.status == 302 and "/staff/login" in officer.response.headers["Location"]
    officer.sign_in(next_path=f"/staff/cases/{reference}")
    assert officer.response.headers["Location"].endswith(f"/staff/cases/{reference}")


def test_a_sign_in_link_never_sends_anyone_off_the_console(app, officer):
    officer.sign_out()
    officer.sign_in(next_path="//evil.example/staff/")
    assert officer.response.headers["Location"].endswith("/staff/")
    assert "evil" not in officer.response.headers["Location"]


def test_a_contact_that_reached_the_reporter_stops_the_first_contact_clock_and_starts_the_next(app, officer):
    reference = report(app, NAMED_VICTIM)
    now = datetime.now(UTC).astimezone()
    when = {"happened-day": now.day, "happened-month": now.month, "happened-year": now.year, "happened-time": f"{now:%H:%M}"}
    officer.act(reference, "contact", {"method": "phone", "contact_outcome": "no_answer", **when})
    assert officer.status == 302
    assert case_row(app, reference).first_contacted_at is None
    officer.act(
        reference, "contact", {"method": "phone", "contact_outcome": "spoke", "contact_note": "Talked it through", **when}
    )
    row = case_row(app, reference)
    assert row.first_contacted_at is not None and row.work_status == "open"
    assert row.next_contact_due > row.first_contacted_at + timedelta(days=13)  # 10 working days (MKCC §9.2)
    officer.case(reference)
    assert "Talked it through" in officer.page and "No answer" in officer.text()


def test_a_contact_in_the_future_or_over_a_week_ago_is_refused_with_an_error_summary(app, officer):
    reference = report(app)
    for moment in (datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) - timedelta(days=8)):
        local = moment.astimezone()
        officer.act(reference, "contact", {"method": "phone", "contact_outcome": "spoke", "happened-day": local.day,
                                           "happened-month": local.month, "happened-year": local.year, "happened-time": "10:00"})  # fmt: skip
        assert officer.status == 400
        assert "govuk-error-summary" in officer.page and 'href="#happened"' in officer.page
    assert case_row(app, reference).first_contacted_at is None


def test_the_risk_review_changes_the_level_and_keeps_the_intake_assessment_on_the_timeline(app, officer):
    reference = report(app)
    officer.act(reference, "risk", {"level": "high", "risk_reasons": "Perpetrator lives next door"})
    assert case_row(app, reference).risk_level == "high"
    officer.case(reference)
    assert "Risk reviewed" in officer.page and "Perpetrator lives next door" in officer.page


def test_an_action_plan_holds_items_from_the_profile_and_records_when_it_was_agreed(app, officer):
    reference = report(app)
    officer.act(reference, "plan_agreed", {"agreed-day": "1", "agreed-month": "1", "agreed-year": "2026"})
    assert officer.status == 400  # no item yet
    officer.act(reference, "action_add", {"kind": "injunction", "what": "Apply for an injunction", "who": "Legal team"})
    officer.act(reference, "action_add", {"kind": "ground_7a_possession", "what": "x", "who": "y"})
    assert officer.status == 400  # a WCHG kind is not MKCC's
    today = datetime.now(UTC).astimezone()
    officer.act(reference, "plan_agreed", {"agreed-day": today.day, "agreed-month": today.month, "agreed-year": today.year})
    assert officer.status == 302
    officer.case(reference)
    assert "Injunction" in officer.page and "Legal" in officer.page and "Agreed with the complainant" in officer.page


def test_sharing_on_consent_needs_consent_recorded_now_unless_the_report_gave_it(app, officer):
    reference = report(app, {**ANONYMOUS_VICTIM, "consent": "ask_first"})
    shared = {"recipient": "thames_valley_police", "shared": "The description", "purpose": "Investigate", "basis": "consent"}
    officer.act(reference, "disclose", {**shared, "consent_source": "intake"})
    assert officer.status == 400 and "Record consent given now" in officer.page
    now = datetime.now(UTC).astimezone()
    officer.act(reference, "disclose", {**shared, "consent_source": "now", "consent_how": "By phone", "consent-day": now.day,
                                        "consent-month": now.month, "consent-year": now.year, "consent-time": f"{now:%H:%M}"})  # fmt: skip
    assert officer.status == 302
    officer.act(reference, "disclose", {**shared, "basis": "exception", "exception": "crime", "exception_reason": "r"})
    assert officer.status == 400  # "crime" is WCHG's exception, not MKCC's
    officer.act(
        reference, "disclose", {**shared, "basis": "exception", "exception": "safeguarding", "exception_reason": "Child at risk"}
    )
    assert officer.status == 302
    officer.case(reference)
    assert officer.page.count("Thames Valley Police") >= 2 and "Child at risk" in officer.page


def test_closing_needs_an_outcome_and_a_closed_case_can_be_reopened(app, officer):
    reference = report(app)
    officer.act(reference, "close", {})
    assert officer.status == 400
    officer.act(reference, "close", {"close_outcome": "resolved"})
    row = case_row(app, reference)
    assert (row.work_status, row.outcome) == ("closed", "resolved")
    officer.act(reference, "note", {"note_text": "too late"})
    officer.act(reference, "reopen", {"reopen_reason": "New incident"})
    row = case_row(app, reference)
    assert (row.work_status, row.outcome) == ("open", None)


def test_a_second_officer_saving_from_an_older_page_is_told_the_case_changed(app, officer):
    reference = report(app)
    officer.case(reference)
    seen = int(re.search(r'name="version" value="(\d+)"', officer.page).group(1))
    officer.act(reference, "note", {"note_text": "first"}, version=seen)
    assert officer.status == 302
    officer.act(reference, "note", {"note_text": "second"}, version=seen)
    assert officer.status == 409 and "changed this case" in officer.page


def test_a_later_report_links_to_an_open_case_and_shows_on_it(app, officer):
    first, second = report(app), report(app)
    officer.act(second, "link", {"link_reference": first})
    assert officer.status == 302
    officer.case(first)
    assert second in officer.page


def test_every_look_and_change_is_in_the_audit_log_which_the_database_refuses_to_edit(app, officer):
    reference = report(app)
    officer.case(reference)
    officer.act(reference, "note", {"note_text": "hello"})
    store = app.extensions["intake"].store
    with store.transaction() as db:
        actions = db.scalars(select(AuditRow.action).order_by(AuditRow.id)).all()
        assert {"enrolled", "signed_in", "viewed_case", "changed_case"} <= set(actions)
        event = db.scalar(select(CaseEventRow).where(CaseEventRow.kind == "note"))
        assert event.actor_id is not None
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), store.transaction() as db:
            db.execute(text(statement))


def test_an_officer_cannot_read_the_audit_log_or_accounts_and_a_team_leader_can(app, officer):
    assert officer.get("/staff/audit").status_code == 403
    assert officer.get("/staff/accounts").status_code == 403
    add_account(app, email="lead@mkcc.example", role="team_leader", name="Tia Lead")
    lead = Officer(app, email="lead@mkcc.example")
    lead.enrol()
    assert lead.get("/staff/audit").status_code == 200
    assert "Olu Officer" in lead.page


def test_an_attachment_downloads_only_after_the_password_is_given_again_and_never_inline(app, officer):
    reference = report(app)
    store = app.extensions["intake"].store
    attachment_id = attach(app, reference, b"<script>alert(1)</script>")
    with store.transaction() as db:  # the sign-in's own confirmation is older than 15 minutes
        db.execute(text("UPDATE staff_sessions SET reauth_at = :at"), {"at": datetime.now(UTC) - timedelta(minutes=16)})
    url = f"/staff/cases/{reference}/attachments/{attachment_id}"
    officer.get(url)
    assert officer.status == 302 and "/staff/confirm" in officer.response.headers["Location"]
    officer.get(officer.response.headers["Location"])
    officer.post("/staff/confirm", {"password": officer.password, "next": url})
    officer.get(url)
    assert officer.status == 200 and officer.response.data == b"<script>alert(1)</script>"
    assert officer.response.headers["Content-Disposition"].startswith("attachment;")
    assert officer.response.headers["X-Content-Type-Options"] == "nosniff"
    assert officer.response.mimetype == "application/octet-stream"


def test_what_a_reporter_wrote_is_never_rendered_as_markup(app, officer):
    payload = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
    reference = report(app, {**ANONYMOUS_VICTIM, "description": payload, "perpetrator": payload})
    officer.case(reference)
    assert "<script>document.title" not in officer.page and "<img src=x" not in officer.page
    assert "&lt;script&gt;" in officer.page


def test_the_queue_puts_overdue_first_then_risk_and_filters_and_searches(app, officer):
    first, second = report(app), report(app)
    store = app.extensions["intake"].store
    with store.transaction() as db:
        db.execute(text("UPDATE cases SET first_contact_due = :due WHERE reference = :r"),
                   {"due": datetime.now(UTC) - timedelta(hours=1), "r": second})  # fmt: skip
    officer.get("/staff/")
    assert officer.page.index(second) < officer.page.index(first)
    assert "First contact overdue" in officer.page
    officer.get("/staff/?overdue=yes")
    assert second in officer.page and first not in officer.page
    officer.get(f"/staff/?reference={first}")
    assert first in officer.page and second not in officer.page
    officer.get("/staff/?tab=closed")
    assert first not in officer.page


def test_every_console_page_forbids_framing_caching_and_scripts_from_elsewhere(app, officer):
    reference = report(app)
    for path in ("/staff/", f"/staff/cases/{reference}", "/staff/password", "/staff/reports/new", "/staff/login"):
        headers = officer.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert (
            "script-src" not in headers["Content-Security-Policy"] and "default-src 'self'" in headers["Content-Security-Policy"]
        )
        assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store", path
        assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Content-Type-Options"] == "nosniff", path


def _cases(app, count: int, *, org: str = "mkcc", work_status: str = "new", risk_level: str = "standard") -> None:
    at = datetime.now(UTC)
    with app.extensions["intake"].store.transaction() as db:
        start = db.scalar(select(func.count()).select_from(CaseRow)) or 0
        for n in range(start, start + count):
            db.add(CaseRow(reference=f"QQ-{n:06d}", org=org, channel="web", status="submitted", language="en", answers={},
                           strands=["race"], incident_types=["graffiti"], risk_score=0, risk_level=risk_level,
                           risk_reasons=[], created_at=at, first_contact_due=at + timedelta(days=1), no_messages=False,
                           work_status=work_status, closed_at=at if work_status == "closed" else None))  # fmt: skip


def test_the_queue_pages_by_25_with_a_count_on_each_tab_and_a_filtered_count(app, officer):
    _cases(app, 27)
    _cases(app, 3, risk_level="high")
    _cases(app, 2, work_status="closed")
    _cases(app, 4, org="wchg")
    officer.get("/staff/")
    words = officer.text()
    assert "Mine 0 Unassigned 30 All open 30 Closed 2" in words
    assert "Cases found: 30" in words and "Page 1 of 2" in words
    assert officer.page.count("app-queue__reference") == 25
    officer.get("/staff/?page=2")
    assert officer.page.count("app-queue__reference") == 5
    # A page past the last (a bookmark, cases closed since) shows the last.
    officer.get("/staff/?page=9")
    assert "Page 2 of 2" in officer.text() and officer.page.count("app-queue__reference") == 5
    officer.get("/staff/?risk=high")
    words = officer.text()
    assert "Cases found: 3" in words and "Unassigned 30" in words and officer.page.count("app-queue__reference") == 3
    officer.get("/staff/?tab=closed")
    assert "Cases found: 2" in officer.text() and officer.page.count("app-queue__reference") == 2
