"""Officers write to reporters on their own door: the real twilio client, python-telegram-bot's Bot and an SMTP
server on loopback, through the outbox, inside the reporter's safe-contact answers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from channels.sms import door as sms_door
from channels.telegram import door as telegram_door
from channels.telegram.runner import RUNNER
from flask_app import create_app
from intake import casework, outbox
from intake import reporter_messages as rm
from intake.cases import add_event, open_case
from intake.orgs import load_profiles
from intake.privacy import sender_key
from intake.runtime import core_senders
from intake.settings import Settings
from intake.store.models import CaseEventRow, CaseRow, ConversationRow, OptOutRow, OutboxRow, StaffAccountRow
from tests.sms_support import REPORTER, fake_twilio, post_signed, sms_config, status_form
from tests.staff_client import Officer, add_account
from tests.telegram_fake import FakeTelegram
from tests.test_notify import Collector

TOKEN = "123456:TEST-token"
CHAT = "5123456789"
EMAIL = "amina.yusuf@example.org"
LONDON = ZoneInfo("Europe/London")
WINDOWS = {"daytime": rm.Window(time(9), time(17)), "evening": rm.Window(time(17), time(21))}
KEY_SECRET = "test-key"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


# ---- the rules, pure --------------------------------------------------------------------------------
def decide(safety, *, at=None, stopped=False, door="sms", address=REPORTER):  # type: ignore[no-untyped-def]
    return rm.decide(door=door, address=address, safety=safety, stopped=stopped, windows=WINDOWS, timezone="Europe/London",
                     now=at or london(2026, 7, 1, 14, 0))  # fmt: skip


def test_an_evening_only_message_written_in_the_afternoon_is_held_until_five_london_time():
    held = decide(["evening"], at=london(2026, 7, 1, 14, 0))
    assert held.outcome == "hold" and held.release_at == london(2026, 7, 1, 17, 0)
    winter = decide(["evening"], at=london(2026, 12, 1, 22, 0))
    assert winter.release_at == london(2026, 12, 2, 17, 0)


def test_with_daytime_and_evening_both_ticked_either_window_will_do():
    assert decide(["daytime", "evening"], at=london(2026, 7, 1, 14, 0)).outcome == "send"
    assert decide(["daytime", "evening"], at=london(2026, 7, 1, 19, 0)).outcome == "send"
    late = decide(["daytime", "evening"], at=london(2026, 7, 1, 23, 0))
    assert late.outcome == "hold" and late.release_at == london(2026, 7, 2, 9, 0)


def test_no_messages_stop_and_no_address_refuse_and_say_why():
    assert decide(["no_messages", "evening"]).outcome == "refuse"
    assert decide([], stopped=True).reason and decide([], stopped=True).outcome == "refuse"
    phone_only = decide([], door="web", address=None)
    assert phone_only.outcome == "refuse" and "Call them" in phone_only.reason


def test_a_delivered_message_answered_is_a_contact_and_unanswered_a_message_left():
    assert rm.counts_as(delivered=True, answered=True) == "spoke"
    assert rm.counts_as(delivered=True, answered=False) == "left_message"
    assert rm.counts_as(delivered=False, answered=True) is None
    assert rm.state("sent", None, "telegram", None, datetime.now(UTC)) == "delivered"
    assert rm.state("sent", "sent", "sms", None, datetime.now(UTC)) == "sent"
    assert rm.state("sent", "undelivered", "sms", None, datetime.now(UTC)) == "failed"
    soon = datetime.now(UTC) + timedelta(hours=1)
    assert rm.state("pending", None, "sms", soon, datetime.now(UTC)) == "held"


@pytest.mark.parametrize("language", ["en", "ar", "pl"])
def test_every_template_is_translated_and_the_date_is_written_the_locales_way(language):
    officer = rm.templates()["officer_named"]
    text = rm.render(officer, language, {"name": "Olu", "date": date(2026, 12, 4)})
    expected = {"en": "4 December 2026", "ar": "ديسمبر", "pl": "grudnia 2026"}[language]
    assert "Olu" in text and expected in text
    for template in rm.templates().values():
        if language != "en":
            params = {"name": "Olu", "date": date(2026, 12, 4)}
            assert rm.render(template, language, params) != rm.render(template, "en", params), template.id


def test_a_template_whose_words_need_a_value_the_console_does_not_fill_stops_start_up(tmp_path):
    path = tmp_path / "officer_messages.yaml"
    path.write_text('templates:\n  - id: visit\n    text: "We will visit on %(day)s."\n    params: []\n', encoding="utf-8")
    with pytest.raises(ValueError, match="visit: its text uses \\['day'\\]"):
        rm.load_templates(path)
    assert set(rm.load_templates(rm.TEMPLATES_FILE)) >= {"officer_named", "plan_agreed", "case_closed"}


# ---- round trips ------------------------------------------------------------------------------------
@pytest.fixture
def twilio():
    with fake_twilio() as serving:
        yield serving.fake


@pytest.fixture
def telegram():
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()
    RUNNER.forget_bots()


@pytest.fixture
def mail(smtp_server):
    handler = Collector()
    return handler, smtp_server(handler)


@pytest.fixture
def env(tmp_path, database_url, twilio, telegram, mail):
    return {**sms_config(tmp_path, database_url, twilio.base), "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
            "TELEGRAM_API_BASE": telegram.url, "INTAKE_SMTP_HOST": "127.0.0.1", "INTAKE_SMTP_PORT": str(mail[1].port),
            "INTAKE_MAIL_FROM": "hate-reports@mkcc.example"}  # fmt: skip


@pytest.fixture
def app(env):
    app = create_app(env)
    yield app
    app.extensions["intake"].store.dispose()


@pytest.fixture
def senders(env):
    settings = Settings.from_env(env)
    profiles = load_profiles()
    return {**core_senders(settings), "sms": sms_door.sender(settings, profiles),
            "telegram": telegram_door.sender(settings, profiles)}  # fmt: skip


def store(app):  # type: ignore[no-untyped-def]
    return app.extensions["intake"].store


def named_case(app, *, door: str, safety: list[str], language: str = "en", address: str | None = None,
               other: str | None = None, at: datetime | None = None) -> str:  # fmt: skip
    """A submitted case from a named reporter who asked to be contacted on the door they used."""
    at = at or datetime.now(UTC) - timedelta(hours=1)
    profile = load_profiles()["mkcc"]
    with store(app).transaction() as db:
        case = open_case(db, reference=f"MK-{abs(hash((door, language, tuple(safety)))) % 10**6:06d}", profile=profile,
                         channel=door, language=language, at=at)  # fmt: skip
        case.status, case.submitted_at, case.anonymous = "submitted", at, False
        here = door != "web"
        case.contact = {"name": "Amina Yusuf", "channel": door if here else None, "address": address if here else None,
                        "other": other, "safety": safety, "victim": None}  # fmt: skip
        db.flush()
        if here:
            key = sender_key(KEY_SECRET, door, address or "")
            db.add(ConversationRow(org="mkcc", channel=door, sender_key=key, status="ended", state={},
                                   case_id=case.id, created_at=at, updated_at=at))  # fmt: skip
        return case.reference


def signed_in(app) -> Officer:  # type: ignore[no-untyped-def]
    add_account(app)
    person = Officer(app)
    person.enrol()
    return person


def write(officer: Officer, reference: str, **fields: str):  # type: ignore[no-untyped-def]
    """Preview the message, check the preview, then send it from the preview page."""
    officer.act(reference, "message", fields)
    assert officer.status == 200, officer.text()[:3000]
    preview = re.search(r'id="message-preview"[^>]*>([^<]*)<', officer.page)
    assert preview, officer.text()[:3000]
    # The preview's own form sends what it showed: its hidden fields, not the test's.
    form = officer.page[officer.page.index('id="message-preview"') :]
    form = form[: form.index("</form>")]
    hidden = {unescape(k): unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    assert hidden["step"] == "send"
    version = int(re.search(r'name="version" value="(\d+)"', officer.page[: officer.page.index('id="message-preview"')]
                            .rsplit('id="act-message"', 1)[1]).group(1))  # fmt: skip
    officer.post(f"/staff/cases/{reference}/message", {"version": version, **hidden})
    return preview.group(1)


def case_row(app, reference: str) -> CaseRow:
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        _ = list(case.events)
        db.expunge_all()
        return case


def message_rows(app) -> list[OutboxRow]:
    with store(app).transaction() as db:
        found = list(db.scalars(select(OutboxRow).where(OutboxRow.purpose == "officer_message").order_by(OutboxRow.id)))
        db.expunge_all()
        return found


@pytest.mark.parametrize("language", ["en", "ar", "pl"])
def test_a_template_goes_by_sms_in_the_reporters_language_and_twilios_delivery_shows_on_the_timeline(
    app, senders, twilio, language
):
    reference = named_case(app, door="sms", safety=["none"], language=language, address=REPORTER)
    officer = signed_in(app)
    shown = write(officer, reference, template="officer_named", officer_name="Olu Officer", **{
        "calldate-day": "4", "calldate-month": "12", "calldate-year": "2026"})  # fmt: skip
    assert officer.status == 302
    expected = rm.render(rm.templates()["officer_named"], language, {"name": "Olu Officer", "date": date(2026, 12, 4)})
    assert unescape(shown).strip() == expected
    assert outbox.deliver_due(store(app), senders, "worker") == 1
    assert [m.body for m in twilio.sent] == [expected] and twilio.sent[0].to == REPORTER
    officer.case(reference)
    assert "Sent" in officer.text()
    assert not [e for e in case_row(app, reference).events if e.kind == "message_outcome"]  # sent is not yet delivered
    sid = twilio.sent[0].sid
    assert post_signed(app.test_client(), "/sms/status", status_form(sid, "delivered")).status_code in (200, 204)
    officer.case(reference)
    assert "Delivered" in officer.text()
    outcomes = [e.data["outcome"] for e in case_row(app, reference).events if e.kind == "message_outcome"]
    assert outcomes == ["left_message"]  # Twilio's report made it one; nobody has answered
    event = next(e for e in case_row(app, reference).events if e.kind == "message_to_reporter")
    assert event.data["template"] == "officer_named" and event.data["door"] == "sms" and event.data["text"] == expected


def test_free_text_goes_by_telegram_as_written_with_a_warning_that_it_is_not_translated(app, senders, telegram):
    reference = named_case(app, door="telegram", safety=[], language="pl", address=CHAT)
    officer = signed_in(app)
    officer.case(reference)
    assert "They are not translated into the reporter's language" in officer.text()
    words = "Hello Amina, I will ring you tomorrow at 10."
    write(officer, reference, template="free_text", free_text=words)
    assert outbox.deliver_due(store(app), senders, "worker") == 1
    assert [m["text"] for m in telegram.of("sendMessage")] == [words]
    officer.case(reference)
    assert "Delivered" in officer.text() and "Your own words (not translated)" in officer.text()


def test_an_evening_only_message_is_held_and_the_worker_releases_it_at_five(app, senders, twilio):
    afternoon = london(2026, 7, 1, 14, 0)
    reference = named_case(app, door="sms", safety=["evening"], address=REPORTER, at=afternoon - timedelta(hours=2))
    profile = load_profiles()["mkcc"]
    account = add_account(app, email="second@mkcc.example")
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        actor = casework.Actor(db.get(StaffAccountRow, account), afternoon)
        casework.message_reporter(db, case, actor, profile, template="plan_agreed", params={})
    assert outbox.deliver_due(store(app), senders, "worker", clock=lambda: london(2026, 7, 1, 16, 59)) == 0
    assert twilio.sent == []
    assert outbox.deliver_due(store(app), senders, "worker", clock=lambda: london(2026, 7, 1, 17, 0)) == 1
    assert [m.body for m in twilio.sent] == ["We have agreed your action plan."]


def test_a_held_message_shows_on_the_timeline_with_the_time_it_will_go(app):
    reference = named_case(app, door="sms", safety=["daytime"], address=REPORTER)
    profile = load_profiles()["mkcc"]
    account = add_account(app, email="second@mkcc.example")
    # Written before dawn tomorrow, so it waits for 09:00 whatever the time the test runs.
    dawn = datetime.combine(datetime.now(LONDON).date() + timedelta(days=1), time(6), LONDON).astimezone(UTC)
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        casework.message_reporter(db, case, casework.Actor(db.get(StaffAccountRow, account), dawn), profile,
                                  template="update_coming", params={})  # fmt: skip
    [row] = message_rows(app)
    assert row.next_attempt_at.astimezone(LONDON).hour == 9 and row.status == "pending"
    officer = signed_in(app)
    officer.case(reference)
    timeline = officer.text()[officer.text().index("Timeline") :]
    assert "Held until" in timeline and "09:00" in timeline


def test_a_profile_window_that_ends_before_it_starts_is_refused():
    from pydantic import ValidationError

    from intake.orgs.schema import ContactWindow

    with pytest.raises(ValidationError, match="end must be after start"):
        ContactWindow(start="21:00", end="17:00")
    with pytest.raises(ValidationError, match="a time such as"):
        ContactWindow(start="9am", end="17:00")


def test_a_no_messages_reporter_is_refused_and_the_page_says_call_them(app, senders, twilio):
    reference = named_case(app, door="sms", safety=["no_messages"], address=REPORTER)
    officer = signed_in(app)
    officer.case(reference)
    assert 'id="message-refused"' in officer.page and "asked us not to leave messages" in officer.text()
    officer.act(reference, "message", {"template": "plan_agreed"})
    assert officer.status == 400 and "asked us not to leave messages" in officer.text()
    assert message_rows(app) == [] and outbox.deliver_due(store(app), senders, "worker") == 0


def test_after_stop_nothing_is_sent_even_a_message_already_waiting(app, senders, twilio):
    reference = named_case(app, door="sms", safety=["evening"], address=REPORTER)
    profile = load_profiles()["mkcc"]
    account = add_account(app, email="second@mkcc.example")
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        actor = casework.Actor(db.get(StaffAccountRow, account), london(2026, 7, 1, 14, 0))
        casework.message_reporter(db, case, actor, profile, template="plan_agreed", params={})
        db.add(OptOutRow(channel="sms", sender_key=sender_key(KEY_SECRET, "sms", REPORTER), at=datetime.now(UTC)))
    outbox.deliver_due(store(app), senders, "worker", clock=lambda: london(2026, 7, 1, 17, 0))
    assert twilio.sent == [] and message_rows(app)[0].status == "failed"
    officer = signed_in(app)
    officer.case(reference)
    assert "sent STOP" in officer.text()


def test_after_the_quick_exit_the_page_says_nothing_can_be_sent_and_a_send_is_refused(app):
    reference = named_case(app, door="telegram", safety=[], address=CHAT)
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        add_event(db, case, "conversation_ended", datetime.now(UTC), reason="exited")
    officer = signed_in(app)
    officer.case(reference)
    assert "left with the quick exit" in officer.text() and 'id="message-refused"' in officer.page
    version = int(re.search(r'name="version" value="(\d+)"', officer.page).group(1))
    officer.post(f"/staff/cases/{reference}/message", {"version": version, "step": "send", "template": "plan_agreed"})
    assert officer.status == 400 and message_rows(app) == []


def test_a_held_message_never_goes_to_a_reporter_who_left_with_the_quick_exit_while_it_waited(app, senders, telegram):
    reference = named_case(app, door="telegram", safety=["evening"], address=CHAT)
    profile = load_profiles()["mkcc"]
    account = add_account(app, email="second@mkcc.example")
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        actor = casework.Actor(db.get(StaffAccountRow, account), london(2026, 7, 1, 14, 0))
        casework.message_reporter(db, case, actor, profile, template="plan_agreed", params={})
        add_event(db, case, "conversation_ended", london(2026, 7, 1, 15, 0), reason="exited")
    assert outbox.deliver_due(store(app), senders, "worker", clock=lambda: london(2026, 7, 1, 17, 0)) == 0
    assert telegram.of("sendMessage") == [] and message_rows(app)[0].status == "failed"


def test_a_delivered_message_then_answered_counts_as_a_contact_and_stops_the_first_contact_clock(app, senders, telegram):
    reference = named_case(app, door="telegram", safety=[], address=CHAT)
    officer = signed_in(app)
    write(officer, reference, template="tried_to_call")
    outbox.deliver_due(store(app), senders, "worker")
    profile = load_profiles()["mkcc"]
    with store(app).transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        # Telegram took it, which is delivered: a message left, until the reporter answers.
        assert [e.data["outcome"] for e in case.events if e.kind == "message_outcome"] == ["left_message"]
        assert casework.settle_messages(db, case, profile, datetime.now(UTC)) == 0
        assert case.first_contacted_at is None
        replied = datetime.now(UTC) + timedelta(seconds=5)
        add_event(db, case, "reporter_message", replied, text="thanks, call after 6")
        db.flush()
        db.refresh(case)
        assert casework.settle_messages(db, case, profile, replied) == 1
        assert casework.settle_messages(db, case, profile, replied) == 0
        assert case.first_contacted_at == replied
    outcomes = [e.data["outcome"] for e in case_row(app, reference).events if e.kind == "message_outcome"]
    assert outcomes == ["left_message", "spoke"]


def test_a_web_reporter_is_emailed_after_the_officer_confirms_their_address(app, senders, mail):
    handler, _ = mail
    reference = named_case(app, door="web", safety=[], language="ar", other=f"email me at {EMAIL} please")
    officer = signed_in(app)
    officer.act(reference, "message", {"template": "case_closed"})
    assert officer.status == 400 and "confirm it" in officer.text()
    write(officer, reference, template="case_closed", confirm_address=EMAIL.upper())
    outbox.deliver_due(store(app), senders, "worker")
    [sent] = handler.messages()
    assert sent["To"] == EMAIL and "hate" not in sent["Subject"].lower()
    assert sent.get_content().strip() == rm.render(rm.templates()["case_closed"], "ar", {})
    write(officer, reference, template="update_coming")  # confirmed once, not every time
    assert len(message_rows(app)) == 2


def test_a_web_reporter_who_gave_only_a_phone_number_is_called_and_the_page_says_so(app):
    reference = named_case(app, door="web", safety=[], other="07700 900123")
    officer = signed_in(app)
    officer.case(reference)
    assert "Call them and record the contact" in officer.text() and 'id="act-contact"' in officer.page


def test_do_not_visit_my_home_warns_on_the_contact_form_and_when_an_in_person_contact_is_recorded(app):
    reference = named_case(app, door="sms", safety=["no_home_visits"], address=REPORTER)
    officer = signed_in(app)
    officer.case(reference)
    assert "asked us not to visit their home" in officer.text()
    now = datetime.now(LONDON) - timedelta(minutes=5)
    officer.act(reference, "contact", {"with_whom": "reporter", "method": "in_person", "contact_outcome": "met",
                                       "happened-day": now.day, "happened-month": now.month, "happened-year": now.year,
                                       "happened-time": f"{now:%H:%M}"})  # fmt: skip
    officer.get(officer.response.headers["Location"])
    assert "asked us not to visit their home" in officer.text()


def test_another_landlords_officer_cannot_send_to_the_case(app, senders):
    reference = named_case(app, door="sms", safety=[], address=REPORTER)
    add_account(app, org="wchg", email="officer@wchg.example")
    other = Officer(app, email="officer@wchg.example")
    other.enrol()
    other.get("/staff/")
    version = 1
    other.post(f"/staff/cases/{reference}/message", {"version": version, "step": "send", "template": "plan_agreed"})
    assert other.status == 404 and message_rows(app) == []
    with store(app).transaction() as db:
        assert db.scalar(select(CaseEventRow).where(CaseEventRow.kind == "message_to_reporter")) is None
