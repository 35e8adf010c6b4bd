"""What a reporter sends after their report joins the case: marked "reply waiting", their officer emailed the
reference only, acknowledged in their language; danger gets the 999 advice first, high risk and an urgent email.

Routing: a reporter whose chat timed out on an open case is writing about that case, unless they say NEW; a
case that is closed takes nothing more, so what they write starts a new report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from intake import casework, outbox
from intake.cases import find_case
from intake.housekeeping import expire_idle_conversations
from intake.i18n import translator
from intake.messages import Attachment
from intake.runtime import core_senders
from intake.settings import Settings
from intake.store.models import AttachmentRow, CaseRow, ConversationRow, OutboxRow
from tests.harness import NAMED_VICTIM, TEST_DATA_KEYS, PipelineChat
from tests.sms_support import REPORTER, fake_twilio, inbound_form, post_signed, report_by_text, sms_config
from tests.staff_client import Officer, account_row, add_account
from tests.test_notify import Collector

LATER = "They came back last night and shouted at my children again"
DANGER = {
    "en": "hes back, hes outside my door with a knife",
    "pl": "on wrócił, stoi pod drzwiami z nożem",
    "ar": "لقد عاد وهو أمام بابي ومعه سكين",
}
TEAM = "ASB@milton-keynes.gov.uk"


def reported(intake, language: str = "en", sender: str = "reporter-1", at: datetime | None = None) -> PipelineChat:
    """A named reporter who asked to be contacted on this number, their report sent."""
    chat = PipelineChat(intake, channel="sms", sender=sender, address="+447700900123", hint=language)
    chat.report(NAMED_VICTIM, at=at)
    return chat


def the_case(intake) -> CaseRow:
    with intake.store.transaction() as session:
        [case] = session.scalars(select(CaseRow)).all()
        _ = list(case.events)
        session.expunge_all()
        return case


def notices(intake) -> list[OutboxRow]:
    with intake.store.transaction() as session:
        found = list(session.scalars(select(OutboxRow).where(OutboxRow.purpose == "team_notice").order_by(OutboxRow.id)))
        session.expunge_all()
        return found


@pytest.mark.parametrize("language", ["en", "ar", "pl"])
def test_a_reply_after_the_report_joins_the_case_waits_to_be_read_and_is_acknowledged_in_the_reporters_language(intake, language):
    chat = reported(intake, language)
    before = len(notices(intake))

    replies = chat.send(LATER)

    case = the_case(intake)
    assert case.language == language
    [message] = [e for e in case.events if e.kind == "reporter_message"]
    assert message.data == {"text": LATER}
    assert case.reply_waiting_since is not None
    t = translator(language)
    expected = t("Thank you. We have added this to your report %(reference)s. To make a new report, reply %(new)s.",
                 reference=case.reference, new=t.keyword("NEW"))  # fmt: skip
    assert [r.text for r in replies] == [expected]
    [notice] = notices(intake)[before:]
    assert notice.payload["kind"] == "reply" and notice.recipient == TEAM  # nobody owns the case yet
    assert LATER not in str(notice.payload) and "children" not in str(notice.payload)


def test_a_second_reply_while_one_waits_emails_nobody_again(intake):
    chat = reported(intake)
    chat.send(LATER)
    first = the_case(intake).reply_waiting_since
    count = len(notices(intake))
    chat.send("And they were there again this morning")
    assert len(notices(intake)) == count
    assert the_case(intake).reply_waiting_since == first


def test_a_reply_on_an_owned_case_emails_its_officer_not_the_team(intake, profiles):
    chat = reported(intake)
    with intake.store.transaction() as session:
        officer = account_row(session, email="olu@mkcc.example", name="Olu", role="officer")
        case = session.scalar(select(CaseRow))
        casework.assign(session, case, casework.Actor(officer, datetime.now(UTC)), officer)
    chat.send(LATER)
    assert notices(intake)[-1].recipient == "olu@mkcc.example"


@pytest.mark.parametrize("language", ["en", "ar", "pl"])
def test_danger_in_a_later_message_gets_the_999_advice_first_raises_the_case_to_high_and_an_urgent_email(intake, language):
    chat = reported(intake, language)
    assert the_case(intake).risk_level != "high"

    replies = chat.send(DANGER[language])

    assert replies[0].kind == "danger" and "999" in replies[0].text
    case = the_case(intake)
    assert case.risk_level == "high"
    kinds = [e.kind for e in case.events]
    assert kinds.count("danger_signalled") == 1 and kinds.index("danger_signalled") > kinds.index("submitted")
    urgent = [n for n in notices(intake) if n.payload["kind"] == "danger"]
    assert [n.recipient for n in urgent] == [TEAM]
    assert DANGER[language] not in str(urgent[0].payload)


def test_danger_on_a_case_already_high_still_sends_the_urgent_email(intake):
    chat = reported(intake)
    chat.send(DANGER["en"])
    chat.send("hes still here hes outside my door with a knife")
    assert [n.payload["kind"] for n in notices(intake)].count("danger") == 2


def test_a_risk_level_an_officer_lowered_is_not_put_back_by_a_harmless_reply(intake):
    chat = reported(intake, "en")
    chat.send(DANGER["en"])
    with intake.store.transaction() as session:
        officer = account_row(session, email="lead@mkcc.example", name="Lead", role="team_leader")
        case = session.scalar(select(CaseRow))
        casework.review_risk(session, case, casework.Actor(officer, datetime.now(UTC)), "medium", "Police have arrested him")
    chat.send("thank you for calling me")
    assert the_case(intake).risk_level == "medium"


def test_a_file_sent_after_the_report_joins_the_case(intake, tmp_path):
    chat = reported(intake)
    photo = tmp_path / "later.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\x00" * 32)
    chat.send("", attachments=(Attachment(filename="later.jpg", content_type="image/jpeg", size=35,
                                          stored_path=str(photo)),))  # fmt: skip
    case = the_case(intake)
    with intake.store.transaction() as session:
        [kept] = session.scalars(select(AttachmentRow)).all()
        assert kept.case_id == case.id
    assert next(e for e in case.events if e.kind == "reporter_message").data == {"text": ""}
    assert case.reply_waiting_since is not None


# ---- routing -----------------------------------------------------------------------------------------------
def test_a_reporter_writing_after_their_chat_timed_out_is_writing_about_their_open_case(intake):
    sent = datetime.now(UTC) - timedelta(days=3)
    chat = reported(intake, at=sent)
    assert expire_idle_conversations(intake, sent + timedelta(days=1)) == 1

    replies = chat.send(LATER)

    case = the_case(intake)
    assert case.reference in replies[-1].text
    assert [e.data for e in case.events if e.kind == "reporter_message"] == [{"text": LATER}]
    with intake.store.transaction() as session:
        assert session.scalar(select(CaseRow).where(CaseRow.reference != case.reference)) is None
        live = session.scalar(select(ConversationRow).where(ConversationRow.status != "ended"))
        assert live.case_id == case.id and live.status == "submitted"


def test_an_anonymous_reporter_writing_after_their_chat_closed_is_never_linked_to_their_old_case(intake):
    from tests.harness import ANONYMOUS_VICTIM

    sent = datetime.now(UTC) - timedelta(days=3)
    chat = PipelineChat(intake, channel="sms", sender="anon-1")
    chat.report(ANONYMOUS_VICTIM, at=sent)
    expire_idle_conversations(intake, sent + timedelta(days=1))

    replies = chat.send(LATER)

    assert replies[-1].question_id == "danger_now"
    assert [e for e in the_case(intake).events if e.kind == "reporter_message"] == []


def test_new_report_in_words_starts_a_new_report_after_the_chat_timed_out(intake):
    sent = datetime.now(UTC) - timedelta(days=3)
    chat = reported(intake, at=sent)
    expire_idle_conversations(intake, sent + timedelta(days=1))

    replies = chat.send("new report")

    assert replies[-1].question_id == "danger_now"
    assert [e.kind for e in the_case(intake).events if e.kind == "reporter_message"] == []


def test_after_the_case_is_closed_what_the_reporter_writes_starts_a_new_report(intake, profiles):
    chat = reported(intake)
    with intake.store.transaction() as session:
        officer = account_row(session, email="olu@mkcc.example", name="Olu", role="officer")
        case = session.scalar(select(CaseRow))
        outcome = profiles["mkcc"].outcomes[0]
        casework.close(session, case, casework.Actor(officer, datetime.now(UTC)), profiles["mkcc"], outcome, "Resolved")

    replies = chat.send(LATER)

    assert replies[-1].question_id == "danger_now"
    with intake.store.transaction() as session:
        closed = session.scalar(select(CaseRow))
        assert closed.reply_waiting_since is None
        assert [e for e in closed.events if e.kind == "reporter_message"] == []
        assert session.scalar(select(ConversationRow).where(ConversationRow.status != "ended")).case_id is None


def test_after_the_quick_exit_a_later_message_never_reaches_the_old_case(intake):
    sent = datetime.now(UTC) - timedelta(days=3)
    chat = reported(intake, at=sent)
    chat.send("EXIT", at=sent + timedelta(minutes=1))

    replies = chat.send(LATER)

    assert replies[-1].question_id == "danger_now"
    assert [e for e in the_case(intake).events if e.kind == "reporter_message"] == []


# ---- on the doors, with the officer ------------------------------------------------------------------------
@pytest.fixture
def mail(smtp_server):
    handler = Collector()
    return handler, smtp_server(handler)


@pytest.fixture
def sms(tmp_path, database_url, mail):
    from flask_app import create_app

    with fake_twilio() as serving:
        env = {**sms_config(tmp_path, database_url, serving.fake.base), "INTAKE_SMTP_HOST": "127.0.0.1",
               "INTAKE_SMTP_PORT": str(mail[1].port), "INTAKE_MAIL_FROM": "hate-reports@mkcc.example"}  # fmt: skip
        app = create_app(env)
        yield app, env, serving.fake
        app.extensions["intake"].store.dispose()


def test_on_telegram_a_danger_reply_in_polish_gets_the_999_advice_before_the_acknowledgement(store, tmp_path):
    from channels.telegram.runner import RUNNER
    from flask_app import create_app
    from tests.telegram_fake import FakeTelegram
    from tests.test_telegram import ENGLISH, SECRET, TOKEN, Reporter, webhook

    fake = FakeTelegram(TOKEN).start()
    try:
        env = {"INTAKE_DATABASE_URL": store.url, "INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "test-secret",
               "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "INTAKE_PUBLIC_URL": "https://report.example.org",
               "TELEGRAM_BOT_TOKEN_MKCC": TOKEN, "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET, "TELEGRAM_API_BASE": fake.url}  # fmt: skip
        app = create_app(env)
        reporter = Reporter(fake, app, webhook(app.test_client()), lang="pl")
        reporter.say("Ktoś napisał obraźliwe słowa na moich drzwiach")
        reporter.report(ENGLISH)
        before = len(reporter.texts())

        reporter.say(DANGER["pl"])

        danger, thanks = reporter.texts()[before:]
        t = translator("pl")
        assert "999" in danger and danger != thanks
        with store.transaction() as session:
            case = session.scalar(select(CaseRow))
            assert case.language == "pl" and case.risk_level == "high"
            assert thanks == t("Thank you. We have added this to your report %(reference)s. To make a new report, reply %(new)s.",
                               reference=case.reference, new=t.keyword("NEW"))  # fmt: skip
            kinds = [row.payload["kind"] for row in session.scalars(select(OutboxRow).where(OutboxRow.purpose == "team_notice"))]
            assert kinds[-1] == "danger"
    finally:
        fake.stop()
        RUNNER.forget_bots()


def test_by_sms_a_reply_reaches_the_officer_as_a_reference_and_marking_it_read_clears_the_queue_tag(sms, mail):
    app, env, _ = sms
    client = app.test_client()
    report_by_text(client, NAMED_VICTIM)
    store = app.extensions["intake"].store
    senders = core_senders(Settings.from_env(env))

    response = post_signed(client, "/sms/inbound", inbound_form(LATER, sender=REPORTER))

    assert response.status_code == 200 and "added this to your report" in response.get_data(as_text=True)
    outbox.deliver_due(store, senders, "worker", channels=("email",))
    handler, _ = mail
    [reply_mail] = [m for m in handler.messages() if "has sent a message" in m["Subject"]]
    with store.transaction() as session:
        reference = session.scalar(select(CaseRow.reference))
    assert reference in reply_mail["Subject"] and LATER not in reply_mail.get_content() and "children" not in str(reply_mail)

    add_account(app)
    officer = Officer(app)
    officer.enrol()
    officer.get("/staff/?reply=yes")
    assert reference in officer.text() and "Reply waiting" in officer.text()
    officer.case(reference)
    assert "The reporter sent a message after their report" in officer.text() and LATER in officer.text()
    officer.act(reference, "reply_read", {})
    assert officer.status == 302
    officer.get("/staff/?reply=yes")
    assert reference not in officer.text()
    with store.transaction() as session:
        case = find_case(session, reference)
        assert case.reply_waiting_since is None and case.events[-1].kind == "reply_read"
