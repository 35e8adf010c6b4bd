"""Log lines are JSON, carry their request's id, and never hold a reporter's words, name or number, on any door.

Each door's test makes a whole named report with a phone number, an email address, a
postcode and a description, through the real app on the real stores, with every logger
at DEBUG and our JSON formatter on the captured lines, then delivers what it queued.
"""

from __future__ import annotations

import io
import json
import logging
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from channels.console import chat
from channels.registry import assemble
from flask_app import create_app
from intake import logs
from intake.pipeline import current_replies
from intake.privacy import sender_key
from intake.runtime import work
from intake.settings import Settings
from tests.harness import NAMED_VICTIM, TEST_DATA_KEYS, asked, typed, wanted
from tests.sms_support import REPORTER, database_url, fake_twilio, report_by_text, sms_config

NAME = NAMED_VICTIM["name"]
PHONE_TYPED = "07700 900913"
EMAIL = "amina.yusuf@example.org"
DESCRIPTION = "Someone keeps leaving rubbish at my door, Zephaniah from number 12"
# A named reporter who gives a way to reach them on a door that knows no address (web, console).
NAMED = {**NAMED_VICTIM, "description": DESCRIPTION, "contact_other": f"{PHONE_TYPED} or {EMAIL}"}
SECRETS = (
    NAME, *NAME.split(), PHONE_TYPED, PHONE_TYPED.replace(" ", ""), REPORTER, REPORTER.lstrip("+"), EMAIL,
    DESCRIPTION, "Zephaniah", "rubbish", NAMED["where"],
)  # fmt: skip


@pytest.fixture
def logged(caplog):
    """Every line logged during the test, as our formatter writes it."""
    caplog.set_level(logging.DEBUG)
    caplog.handler.setFormatter(logs.JsonFormatter())
    return caplog


def lines(caplog) -> list[dict]:
    found = [json.loads(line) for line in caplog.text.splitlines() if line.strip()]
    assert found, "nothing was logged: the test would prove nothing"
    return found


def assert_no_secrets(text: str, *more: str) -> None:
    for secret in (*SECRETS, *more):
        assert secret not in text, secret


def assert_requests_logged_with_their_ids(found: list[dict]) -> None:
    requests = [line for line in found if line["logger"] == "intake.requests"]
    assert len(requests) >= 10
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in requests)
    assert all(set(line) >= {"method", "route", "status", "duration_ms"} for line in requests)


def deliver_everything(app) -> None:
    assembly = app.extensions["assembly"]
    work(assembly.intake, assembly.senders(app.config["INTAKE_SETTINGS"]), once=True)


def test_a_whole_report_by_sms_logs_json_with_no_words_name_or_number(store, tmp_path, logged):
    with fake_twilio() as serving:
        twilio = serving.fake
        app = create_app(sms_config(tmp_path, database_url(store), twilio.base))
        report_by_text(app.test_client(), NAMED)
        deliver_everything(app)
    found = lines(logged)
    assert_requests_logged_with_their_ids(found)
    assert_no_secrets(logged.text)


def test_a_whole_report_by_telegram_logs_json_with_no_words_name_or_number(store, tmp_path, logged):
    from tests.telegram_fake import FakeTelegram
    from tests.test_telegram import SECRET, TOKEN, Reporter, webhook

    fake = FakeTelegram(TOKEN).start()
    try:
        app = create_app({
            "INTAKE_DATABASE_URL": database_url(store), "INTAKE_INSTANCE_PATH": str(tmp_path),
            "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "INTAKE_SECRET_KEY": "test-secret", "INTAKE_PUBLIC_URL": "https://report.example.org",
            "TELEGRAM_BOT_TOKEN_MKCC": TOKEN, "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET, "TELEGRAM_API_BASE": fake.url,
        })  # fmt: skip
        reporter = Reporter(fake, app, webhook(app.test_client()))
        reporter.say("Someone wrote a slur on my door")
        reporter.report(NAMED)
        deliver_everything(app)
    finally:
        fake.stop()
        from channels.telegram.runner import RUNNER

        RUNNER.forget_bots()
    found = lines(logged)
    assert_requests_logged_with_their_ids(found)
    # The chat id, and the name Telegram gives with every update.
    assert_no_secrets(logged.text, str(reporter.chat_id), TOKEN)
    assert not re.search(r"\bSam\b", logged.text)


def test_a_whole_report_on_the_web_form_logs_json_with_no_words_name_or_number(store, tmp_path, logged):
    from tests.web_client import WebReporter

    app = create_app(
        {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": database_url(store), "INTAKE_DATA_KEYS": TEST_DATA_KEYS}
    )
    reporter = WebReporter(app.test_client())
    reporter.start()
    reporter.report(NAMED)
    assert "Your reference number" in reporter.page
    deliver_everything(app)
    found = lines(logged)
    assert_requests_logged_with_their_ids(found)
    assert_no_secrets(logged.text)


def test_a_whole_report_on_the_console_logs_json_with_no_words_name_or_number(store, tmp_path, logged):
    settings = Settings.from_env(
        {
            "INTAKE_INSTANCE_PATH": str(tmp_path),
            "INTAKE_DATABASE_URL": database_url(store),
            "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
            "INTAKE_SECRET_KEY": "s",
        }
    )
    assembly = assemble(settings)
    intake = assembly.intake
    key = sender_key(settings.secret_key, "console", "mkcc:Amina Yusuf")

    def read() -> str:
        question = asked(current_replies(intake, "mkcc", "console", key) or [])
        if question is None:
            raise EOFError
        return typed(question, wanted(question, NAMED))

    shown = io.StringIO()
    chat(intake, secret=settings.secret_key, org="mkcc", who=NAME, read=read, out=shown)
    assert "Your reference is" in shown.getvalue()
    work(intake, assembly.senders(settings), once=True)
    logging.getLogger("intake.test").info("a line, so the capture is not empty")
    lines(logged)
    assert_no_secrets(logged.text)


def test_the_intake_command_writes_its_log_lines_to_stderr_as_json(tmp_path):
    from tests.test_cli import REPORT, Terminal, intake

    intake(tmp_path, "db", "upgrade")
    terminal = Terminal(tmp_path)
    try:
        terminal.read_prompt()
        terminal.answer({**REPORT, "identity": "named_here", "name": NAME, "contact_other": EMAIL})
        terminal.say("1")  # Send my report
    finally:
        assert terminal.finish() == 0
    worked = intake(tmp_path, "outbox", "work", "--once")
    stderr = (tmp_path / "chat-stderr.log").read_text() + worked.stderr
    # What is printed for a person starts "intake:"; every other line is a JSON log line.
    logged = [json.loads(line) for line in stderr.splitlines() if line.strip() and not line.startswith("intake:")]
    assert any(line["logger"] == "intake.notify" and line["level"] == "info" for line in logged)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in logged)
    assert_no_secrets(stderr, REPORT["description"])


def test_a_request_id_is_on_every_line_logged_while_handling_that_request(sqlite_store, tmp_path, logged):
    from tests.sms_support import PUBLIC_URL, inbound_form, post_signed, signature

    given = "3f2c1a9e-8b7d-4c6e-9f01-23456789abcd"
    with fake_twilio() as serving:
        twilio = serving.fake
        client = create_app(sms_config(tmp_path, database_url(sqlite_store), twilio.base)).test_client()
        # A text to a number no landlord here owns: the door logs a line, then the request is logged.
        form = inbound_form("hello", to="+447700900999")
        headers = {"X-Twilio-Signature": signature(form, PUBLIC_URL + "/sms/inbound"), "X-Request-Id": given}
        response = client.post("/sms/inbound", data=form, headers=headers)
        assert response.status_code == 200 and response.headers["X-Request-Id"] == given
        post_signed(client, "/sms/inbound", inbound_form("hello", to="+447700900999"))
    found = lines(logged)
    mine = [line for line in found if line.get("request_id") == given]
    assert [line["logger"] for line in mine] == ["channels.sms.webhook", "intake.requests"]
    assert (mine[-1]["method"], mine[-1]["route"], mine[-1]["status"]) == ("POST", "/sms/inbound", 200)
    others = [line for line in found if line["logger"] == "channels.sms.webhook" and line.get("request_id") != given]
    assert len(others) == 1 and others[0]["request_id"]


@contextmanager
def json_lines(name: str):
    """Yield a logger whose lines, formatted as the app formats them, land in a list of their texts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    written: list[str] = []
    try:
        yield logger, written
    finally:
        logger.removeHandler(handler)
        written.extend(stream.getvalue().splitlines())


def test_an_exception_is_logged_by_type_and_place_never_by_its_message():
    with json_lines("intake.test.exceptions") as (logger, written):
        try:
            raise ValueError(f"could not parse {REPORTER} from {NAME}")
        except ValueError:
            logger.exception("parsing failed")
    [line] = [json.loads(text) for text in written]
    assert line["message"] == "parsing failed" and line["exception"]["type"] == "builtins.ValueError"
    assert Path(__file__).name in line["exception"]["frames"][-1]
    assert_no_secrets("\n".join(written))


def test_lines_logged_inside_a_request_id_carry_it_and_lines_after_do_not():
    with json_lines("intake.test.ids") as (logger, written):
        with logs.request_id("0123456789abcdef0123456789abcdef"):
            logger.info("inside", extra={"attempt": 2})
        logger.info("after")
    inside, after = (json.loads(text) for text in written)
    assert inside["request_id"] == "0123456789abcdef0123456789abcdef" and inside["attempt"] == 2
    assert "request_id" not in after
