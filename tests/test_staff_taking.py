"""A report taken by phone, email, post or in person, entered by an officer through the flow's own questions (MKCC §5.3, WCHG §3.1.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from intake import sla
from intake.store.models import CaseEventRow, CaseRow, ConversationRow
from intake.victims_code import deadline_rule
from tests.staff_client import start_taking, take_report
from tests.test_staff import case_row, enrolled_officer, make_app
from tests.web_client import ANONYMOUS_VICTIM

BY_PHONE = {**ANONYMOUS_VICTIM, "identity": "named_here", "name": "Grace Mensah", "contact_other": "07700 900456"}


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    app.extensions["intake"].store.dispose()


@pytest.fixture
def officer(app):
    return enrolled_officer(app)


def newest_case(app) -> CaseRow:
    with app.extensions["intake"].store.transaction() as db:
        row = db.scalars(select(CaseRow).order_by(CaseRow.id.desc())).first()
        db.expunge(row)
        return row


def kinds(app, reference: str) -> list[str]:
    with app.extensions["intake"].store.transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        return [e.kind for e in db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id))]


def test_a_phone_report_opens_a_staff_case_whose_clock_runs_from_when_it_was_received(app, officer):
    received = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    take_report(officer, BY_PHONE, how="phone", received=received, language="pl")
    assert officer.status == 303 and "#victims-code" in officer.response.headers["Location"]

    case = newest_case(app)
    profile = app.extensions["intake"].profiles["mkcc"]
    assert case.channel == "staff" and case.status == "submitted"
    assert case.created_at.replace(tzinfo=UTC) == received
    assert case.first_contact_due.replace(tzinfo=UTC) == sla.first_contact_due(received, deadline_rule(profile))
    assert case.language == "pl" and case.victims_code_status == "to_give"
    assert case.answers["description"]["value"] == BY_PHONE["description"]
    assert "taken_another_way" in kinds(app, case.reference)

    officer.get(officer.response.headers["Location"])
    assert "Give the reporter the Victims Code" in officer.text() and "interpreter may be needed" in officer.text()
    assert "lang=pl" in officer.page


def test_the_officer_records_how_the_victims_code_was_given_and_it_counts_as_sent(app, officer):
    take_report(officer, BY_PHONE)
    reference = newest_case(app).reference
    officer.act(reference, "victims_code", {"victims_code_by": "told"})
    assert officer.status == 302
    case = case_row(app, reference)
    assert case.victims_code_status == "sent" and case.victims_code_sent_at is not None
    officer.case(reference)
    assert "Told about it by the officer" in officer.text() and "Give the reporter the Victims Code" not in officer.text()


def test_a_received_time_in_the_future_or_long_ago_is_refused_with_the_reason(app, officer):
    start_taking(officer, how="post", received=datetime.now(UTC) + timedelta(days=1))
    assert officer.status == 400 and "must be now or in the past" in officer.text() and "There is a problem" in officer.text()
    officer.post("/staff/reports/new", {"how": "", "received-day": "1", "received-month": "1", "received-year": "2020",
                                        "received-time": "09:00", "language": "en"})  # fmt: skip
    assert officer.status == 400 and "Choose how the report reached you" in officer.text()


def test_danger_said_in_a_taken_report_shows_the_999_advice_to_the_officer_first(app, officer):
    start_taking(officer, how="phone", received=datetime.now(UTC) - timedelta(minutes=5))
    officer.get("/staff/reports/new/questions")
    form_id = officer.page.split('name="form_id" value="')[1].split('"')[0]
    officer.post(
        "/staff/reports/new/questions", {"action": "answer", "question": "danger_now", "answer": "yes", "form_id": form_id}
    )
    text = officer.text()
    assert "999" in text and text.index("999") < text.index("Continue")
    take_report(officer, {**BY_PHONE, "danger_now": "yes"}, resume=True)
    assert newest_case(app).risk_level == "high"


def test_stopping_partway_leaves_an_unfinished_case_and_no_live_draft(app, officer):
    start_taking(officer, how="email", received=datetime.now(UTC) - timedelta(minutes=5))
    officer.get("/staff/reports/new/questions")
    officer.post("/staff/reports/new/questions", {"action": "cancel", "form_id": "cancel-form-0123456789"})
    assert officer.status == 303
    with app.extensions["intake"].store.transaction() as db:
        assert all(c.status == "ended" for c in db.scalars(select(ConversationRow).where(ConversationRow.channel == "staff")))
    officer.get("/staff/reports/new/questions")
    assert officer.status == 303 and officer.response.headers["Location"].endswith("/staff/reports/new")
