"""The satisfaction survey: sent after closure on the reporter's own door, inside their safe-contact wishes, once reminded;
answered with numbers, words or buttons; STOP or "no" ends it; anything else goes to the case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from intake import casework, outbox, returns, survey, surveys
from intake.i18n import translator
from intake.orgs.schema import Survey
from intake.store.models import CaseRow, OptOutRow, OutboxRow, StaffAccountRow
from tests.harness import NAMED_VICTIM, PipelineChat

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


CLOSED = london(2026, 11, 2, 11)  # a Monday
DUE = CLOSED + timedelta(days=14)  # 16 November, 11:00: inside "daytime"


def test_mkccs_survey_and_its_reminder_fall_inside_six_weeks_of_closure(profiles):
    s = profiles["mkcc"].survey
    assert s.within_days == 42 and s.after_days + s.reminder_days <= 42  # §9.4
    with pytest.raises(ValidationError, match="at most within_days"):
        Survey(after_days=30, reminder_days=14, within_days=42)
    assert profiles["wchg"].survey.within_days is None  # not in WCHG's policy


# ---- the rules, pure ---------------------------------------------------------------------------------
def test_a_reply_answers_with_a_number_or_the_words_and_skip_and_no_do_what_they_say():
    t = translator("en")
    start = survey.State(CLOSED, "sms", False, {}, None)
    assert survey.take(start, "2", (), None, t, {}).events == [
        ("survey_answer", {"question": "outcome", "answer": "fairly_satisfied"})
    ]
    words = survey.take(start, "very dissatisfied", (), None, t, {})
    assert words.events == [("survey_answer", {"question": "outcome", "answer": "very_dissatisfied"})]
    assert words.replies[0].question.id == "survey_handling"
    assert survey.take(start, "they never called me back", (), None, t, {}).taken is False
    assert survey.take(start, "no", (), "no", t, {}).events == [("survey_ended", {"reason": "declined"})]
    assert survey.take(start, "nie", (), None, translator("pl"), {"no": frozenset({"nie"})}).taken
    at_comment = survey.State(CLOSED, "sms", False, {"outcome": "neither", "handling": "neither"}, None)
    assert at_comment.next == "comment"
    done = survey.take(at_comment, "SKIP", (), "skip", t, {})
    assert done.events == [("survey_comment", {"text": ""}), ("survey_ended", {"reason": "done"})]
    assert done.replies[0].text.startswith("Thank you for your answers")


# ---- through the pipeline, on SQLite and PostgreSQL -------------------------------------------------------
@pytest.fixture
def closed_case(intake, profiles):  # type: ignore[no-untyped-def]
    """A named SMS reporter's case, contacted "daytime" only, closed on Monday 2 November."""

    def make(safety: list[str] | None = None, language: str = "en") -> PipelineChat:
        chat = PipelineChat(intake, channel="sms", sender=f"reporter-{language}", address="+447700900123", hint=language)
        answers = {**NAMED_VICTIM, "contact_safety": safety if safety is not None else ["daytime"]}
        chat.report(answers, at=CLOSED - timedelta(days=20))
        with intake.store.transaction() as db:
            officer = StaffAccountRow(org="mkcc", email=f"olu-{language}@mkcc.example", name="Olu", role="officer",
                                      password_hash="x", created_at=CLOSED, password_changed_at=CLOSED)  # fmt: skip
            db.add(officer)
            db.flush()
            case = db.scalar(select(CaseRow).order_by(CaseRow.id.desc()))
            casework.close(db, case, casework.Actor(officer, CLOSED), profiles["mkcc"], "resolved", "Sorted")
        return chat

    return make


def events(intake, kind: str | None = None) -> list:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as db:
        case = db.scalar(select(CaseRow).order_by(CaseRow.id.desc()))
        found = [(e.kind, dict(e.data)) for e in case.events if kind is None or e.kind == kind]
        return found


def surveys_queued(intake) -> list[OutboxRow]:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as db:
        rows = list(db.scalars(select(OutboxRow).where(OutboxRow.purpose == "survey").order_by(OutboxRow.id)))
        db.expunge_all()
        return rows


@pytest.mark.parametrize("language", ["en", "ar", "pl"])
def test_fourteen_days_after_closure_the_survey_goes_in_the_reporters_language_and_numbers_answer_it(
    intake, closed_case, language
):
    chat = closed_case(language=language)
    t = translator(language)
    assert surveys.send_due(intake, DUE - timedelta(minutes=1)) == 0
    assert surveys.send_due(intake, DUE) == 1
    assert surveys.send_due(intake, DUE + timedelta(hours=1)) == 0  # once
    [row] = surveys_queued(intake)
    texts = [m["text"] for m in row.payload["messages"]]
    assert t(survey.PROMPTS["outcome"]) in texts[1] and row.recipient == "+447700900123"

    asked_next = chat.send("1", at=DUE + timedelta(hours=2))
    assert asked_next[-1].question.id == "survey_handling" and t(survey.PROMPTS["handling"]) in asked_next[-1].text
    chat.send("4", at=DUE + timedelta(hours=2, minutes=1))
    thanks = chat.send("The officer was kind", at=DUE + timedelta(hours=2, minutes=2))
    assert thanks[-1].text == t(survey.THANKS)
    assert events(intake, "survey_answer") == [("survey_answer", {"question": "outcome", "answer": "very_satisfied"}),
                                               ("survey_answer", {"question": "handling", "answer": "fairly_dissatisfied"})]  # fmt: skip
    assert events(intake, "survey_ended") == [("survey_ended", {"reason": "done"})]
    with intake.store.transaction() as db:
        facts = returns.facts_of(db.scalar(select(CaseRow)))
    assert facts.surveyed and facts.survey == {"outcome": "very_satisfied", "handling": "fairly_dissatisfied"}


def test_an_evening_only_reporters_survey_waits_for_five_and_a_no_messages_reporter_gets_none(intake, closed_case):
    closed_case(safety=["evening"])
    assert surveys.send_due(intake, DUE) == 1
    [row] = surveys_queued(intake)
    assert row.next_attempt_at == london(2026, 11, 16, 17, 0)


def test_a_reporter_who_asked_for_no_messages_gets_no_survey_and_the_case_says_why(intake, closed_case):
    closed_case(safety=["no_messages"])
    assert surveys.send_due(intake, DUE) == 0
    assert surveys_queued(intake) == []
    [(_, data)] = events(intake, "survey_not_sent")
    assert data["reason"]


def test_one_reminder_if_nothing_is_answered_then_never_again(intake, closed_case):
    closed_case()
    surveys.send_due(intake, DUE)
    assert surveys.send_due(intake, DUE + timedelta(days=13)) == 0
    assert surveys.send_due(intake, DUE + timedelta(days=14)) == 1
    assert surveys.send_due(intake, DUE + timedelta(days=15)) == 0
    _, reminder = surveys_queued(intake)
    assert "we would still like to hear" in reminder.payload["messages"][0]["text"]


def test_stop_ends_the_survey_and_opts_out_and_no_ends_it_politely(intake, closed_case):
    chat = closed_case()
    surveys.send_due(intake, DUE)
    chat.send("STOP", at=DUE + timedelta(hours=1))
    assert events(intake, "survey_ended") == [("survey_ended", {"reason": "stopped"})]
    with intake.store.transaction() as db:
        assert db.scalar(select(OptOutRow)) is not None
    assert surveys.send_due(intake, DUE + timedelta(days=14)) == 0  # no reminder after STOP


def test_no_ends_the_survey(intake, closed_case):
    chat = closed_case()
    surveys.send_due(intake, DUE)
    replies = chat.send("no", at=DUE + timedelta(hours=1))
    assert replies[-1].text == translator("en")(survey.DECLINED)
    assert events(intake, "survey_ended") == [("survey_ended", {"reason": "declined"})]


def test_anything_else_goes_to_the_case_and_the_question_stays(intake, closed_case):
    chat = closed_case()
    surveys.send_due(intake, DUE)
    replies = chat.send("They wrote more graffiti on my door last week", at=DUE + timedelta(hours=1))
    assert [e[1] for e in events(intake, "reporter_message")] == [{"text": "They wrote more graffiti on my door last week"}]
    assert "added this to your report" in replies[0].text and replies[-1].question.id == "survey_outcome"
    assert events(intake, "survey_answer") == []


def test_danger_in_a_reply_to_the_survey_gets_the_999_advice_first(intake, closed_case):
    chat = closed_case()
    surveys.send_due(intake, DUE)
    replies = chat.send("hes back, hes outside my door with a knife", at=DUE + timedelta(hours=1))
    assert replies[0].kind == "danger" and "999" in replies[0].text


def test_the_survey_goes_by_sms_through_twilio(intake, closed_case, tmp_path):
    from channels.sms import door as sms_door
    from intake.orgs import load_profiles
    from intake.settings import Settings
    from tests.sms_support import fake_twilio, sms_config

    closed_case()
    with fake_twilio() as serving:
        settings = Settings.from_env(sms_config(tmp_path, intake.store.url, serving.fake.base))
        senders = {"sms": sms_door.sender(settings, load_profiles())}
        surveys.send_due(intake, DUE)
        assert outbox.deliver_due(intake.store, senders, "w", clock=lambda: DUE + timedelta(minutes=1)) >= 1
        bodies = [m.body for m in serving.fake.sent]
    assert any("case MK-" in b and "is now closed" in b for b in bodies)
    assert any("How satisfied are you with the outcome of your case?" in b and "1" in b for b in bodies)


def test_on_telegram_the_survey_shows_buttons_and_a_press_answers_it(store, tmp_path, profiles):
    from channels.telegram.runner import RUNNER
    from flask_app import create_app
    from tests.harness import TEST_DATA_KEYS
    from tests.telegram_fake import FakeTelegram
    from tests.test_telegram import ENGLISH, SECRET, TOKEN, Reporter, deliver, webhook

    fake = FakeTelegram(TOKEN).start()
    try:
        env = {"INTAKE_DATABASE_URL": store.url, "INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "test-secret",
               "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "INTAKE_PUBLIC_URL": "https://report.example.org",
               "TELEGRAM_BOT_TOKEN_MKCC": TOKEN, "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET, "TELEGRAM_API_BASE": fake.url}  # fmt: skip
        app = create_app(env)
        intake = app.extensions["intake"]
        reporter = Reporter(fake, app, webhook(app.test_client()))
        reporter.say("Someone wrote a slur on my door")
        reporter.report({**ENGLISH, "identity": "named_here", "name": "Amina Yusuf", "contact_safety": ["none"]})
        with store.transaction() as db:
            officer = StaffAccountRow(org="mkcc", email="olu@mkcc.example", name="Olu", role="officer", password_hash="x",
                                      created_at=CLOSED, password_changed_at=CLOSED)  # fmt: skip
            db.add(officer)
            db.flush()
            case = db.scalar(select(CaseRow))
            assert case.contact and case.contact["channel"] == "telegram"
            now = datetime.now(UTC)
            casework.close(db, case, casework.Actor(officer, now - timedelta(days=14, minutes=5)), profiles["mkcc"],
                           "resolved", "Sorted")  # fmt: skip
        assert surveys.send_due(intake, datetime.now(UTC)) == 1
        deliver(app)
        reporter.press("a|survey_outcome|fairly_satisfied")
        assert "How satisfied are you with the way we handled your case?" in reporter.texts()[-1]
        reporter.press("a|survey_handling|very_satisfied")
        reporter.say("/skip")
        assert reporter.texts()[-1] == translator("en")(survey.THANKS)
        with store.transaction() as db:
            answers = [
                (e.data["question"], e.data["answer"]) for e in db.scalar(select(CaseRow)).events if e.kind == "survey_answer"
            ]
        assert answers == [("outcome", "fairly_satisfied"), ("handling", "very_satisfied")]
    finally:
        fake.stop()
        RUNNER.forget_bots()


# ---- a web reporter: an email with a one-time link -------------------------------------------------------
@pytest.fixture
def web_app(tmp_path, database_url):  # type: ignore[no-untyped-def]
    from flask_app import create_app
    from tests.harness import TEST_DATA_KEYS, TEST_SECRET

    app = create_app({"INTAKE_DATABASE_URL": database_url, "INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": TEST_SECRET,
                      "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "INTAKE_PUBLIC_URL": "https://report.example.org"})  # fmt: skip
    yield app
    app.extensions["intake"].store.dispose()


def closed_web_case(app, profiles, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    from intake.cases import open_case

    intake = app.extensions["intake"]
    with intake.store.transaction() as db:
        case = open_case(db, reference=f"MK-WEB{language.upper()[:2]}1", profile=profiles["mkcc"], channel="web",
                         language=language, at=CLOSED - timedelta(days=10))  # fmt: skip
        case.status, case.anonymous = "submitted", False
        case.contact = {"name": "Amina", "channel": None, "address": None, "other": "email me at amina@example.org",
                        "safety": [], "victim": None}  # fmt: skip
        officer = StaffAccountRow(org="mkcc", email="olu@mkcc.example", name="Olu", role="officer", password_hash="x",
                                  created_at=CLOSED, password_changed_at=CLOSED)  # fmt: skip
        db.add(officer)
        db.flush()
        casework.close(db, case, casework.Actor(officer, CLOSED), profiles["mkcc"], "resolved", "Sorted")
        return case.reference


def emailed_link(app) -> str:  # type: ignore[no-untyped-def]
    [row] = surveys_queued(app.extensions["intake"])
    assert row.channel == "reporter_email" and row.recipient == "amina@example.org"
    return re.search(r"https://report\.example\.org(/survey/[\w-]+)", row.payload["messages"][0]["text"]).group(1)


def test_a_web_reporter_is_emailed_a_link_that_takes_their_answers_once(web_app, profiles):
    reference = closed_web_case(web_app, profiles)
    intake = web_app.extensions["intake"]
    assert surveys.send_due(intake, DUE) == 1
    path = emailed_link(web_app)
    client = web_app.test_client()
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "How satisfied are you with the outcome of your case?" in html
    assert reference not in html and "hate" not in html.split("<title>")[1].split("</title>")[0].lower()
    check = re.search(r'name="check" value="([0-9a-f]+)"', html).group(1)
    assert client.post(path, data={"check": "forged", "outcome": "very_satisfied"}).status_code == 400
    done = client.post(path, data={"check": check, "outcome": "fairly_satisfied", "comment": "Kind and quick"})
    assert "Thank you. We have your answers." in done.get_data(as_text=True)
    assert "already been used" in client.get(path).get_data(as_text=True)
    with intake.store.transaction() as db:
        case = db.scalar(select(CaseRow))
        kinds = [(e.kind, e.data) for e in case.events if e.kind.startswith("survey_")]
    assert kinds[1:] == [("survey_answer", {"question": "outcome", "answer": "fairly_satisfied"}),
                         ("survey_comment", {"text": "Kind and quick"}), ("survey_ended", {"reason": "done"})]  # fmt: skip
    assert client.get("/survey/not-a-real-token").status_code == 404
    with intake.store.transaction() as db:
        assert not any(path.rsplit("/", 1)[1] in str(r.once_key) for r in db.scalars(select(OutboxRow)))  # only a hash


def test_the_survey_page_is_in_the_reporters_language_right_to_left_for_arabic(web_app, profiles):
    closed_web_case(web_app, profiles, language="ar")
    surveys.send_due(web_app.extensions["intake"], DUE)
    html = web_app.test_client().get(emailed_link(web_app)).get_data(as_text=True)
    assert 'dir="rtl"' in html and translator("ar")(survey.PROMPTS["handling"]) in html


def test_end_to_end_by_sms_the_survey_goes_through_twilio_and_the_reply_comes_back_through_the_webhook(
    tmp_path, database_url, profiles
):
    from flask_app import create_app
    from intake.runtime import core_senders
    from intake.settings import Settings
    from tests.sms_support import REPORTER, fake_twilio, inbound_form, post_signed, report_by_text, sms_config

    with fake_twilio() as serving:
        env = sms_config(tmp_path, database_url, serving.fake.base)
        app = create_app(env)
        try:
            client = app.test_client()
            report_by_text(client, {**NAMED_VICTIM, "contact_safety": ["none"]})
            intake = app.extensions["intake"]
            with intake.store.transaction() as db:
                officer = StaffAccountRow(org="mkcc", email="olu@mkcc.example", name="Olu", role="officer",
                                          password_hash="x", created_at=CLOSED, password_changed_at=CLOSED)  # fmt: skip
                db.add(officer)
                db.flush()
                case = db.scalar(select(CaseRow))
                closed_at = datetime.now(UTC) - timedelta(days=14, minutes=1)
                casework.close(db, case, casework.Actor(officer, closed_at), profiles["mkcc"], "resolved", "Sorted")
            assert surveys.send_due(intake, datetime.now(UTC)) == 1
            senders = {**core_senders(Settings.from_env(env)), **app.extensions["assembly"].senders(Settings.from_env(env))}
            outbox.deliver_due(intake.store, senders, "w")
            assert any("How satisfied are you with the outcome" in m.body and m.to == REPORTER for m in serving.fake.sent)
            response = post_signed(client, "/sms/inbound", inbound_form("2", sender=REPORTER))
            assert "How satisfied are you with the way we handled your case?" in response.get_data(as_text=True)
            with intake.store.transaction() as db:
                answers = [e.data for e in db.scalar(select(CaseRow)).events if e.kind == "survey_answer"]
            assert answers == [{"question": "outcome", "answer": "fairly_satisfied"}]
        finally:
            app.extensions["intake"].store.dispose()
