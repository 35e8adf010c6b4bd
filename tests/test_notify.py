"""Case emails, delivered to a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult

from intake.errors import ConfigError, SendError
from intake.notify import CaseNotice, EmailSender, EmailSettings, compose_case_email
from tests.conftest import free_port

TEAM = "case-team@riverside-homes.example"
SENDER = "hate-reports@intake.example"

# What a reporter might write; it lives beside the notice only so we can prove it never leaks.
REPORT_TEXT = "My neighbour Gary Pickford shouted racist abuse at my kids by the bins"
REPORTER_NAME = "Amina Yusuf"
REPORTER_PHONE = "+447700900123"

# 13:00 UTC in June is 14:00 in London (BST).
DUE = datetime(2024, 6, 3, 13, 0, tzinfo=UTC)


def make_notice(**changes) -> CaseNotice:
    fields = {
        "reference": "RH-2024-0042",
        "org_name": "Riverside Homes",
        "channel": "sms",
        "risk_level": "standard",
        "first_contact_due": DUE,
        "case_url": "https://report.example.org/staff/cases/RH-2024-0042",
        "status": "submitted",
    }
    fields.update(changes)
    return CaseNotice(**fields)


HIGH = {"risk_level": "high"}


class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self, rcpt_reply: str | None = None):
        self.rcpt_reply = rcpt_reply
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def sender_for(port: int, tmp_path: Path, **settings) -> EmailSender:
    return EmailSender(EmailSettings(host="127.0.0.1", port=port, sender=SENDER, timeout=2.0, **settings), tmp_path)


# --- composing --------------------------------------------------------------


def test_a_high_risk_case_is_marked_in_the_subject():
    message = compose_case_email(make_notice(**HIGH), TEAM, SENDER)

    assert message["Subject"].startswith("HIGH RISK: ")
    assert "RH-2024-0042" in message["Subject"]


def test_a_standard_case_is_not_marked_high_risk():
    message = compose_case_email(make_notice(risk_level="standard"), TEAM, SENDER)

    assert "HIGH RISK" not in message["Subject"]
    assert message["Subject"] == "New hate incident case RH-2024-0042 - Riverside Homes"


def test_a_rise_to_high_risk_says_so():
    message = compose_case_email(make_notice(kind="escalated", **HIGH), TEAM, SENDER)

    assert message["Subject"] == "HIGH RISK: Case RH-2024-0042 has been raised to high risk - Riverside Homes"


def test_the_body_gives_reference_landlord_channel_risk_level_deadline_and_a_link_but_no_risk_reasons():
    body = compose_case_email(make_notice(**HIGH), TEAM, SENDER).get_content()

    assert "RH-2024-0042" in body
    assert "Riverside Homes" in body
    assert "SMS" in body
    assert "HIGH" in body
    assert "Risk reasons" not in body
    assert "https://report.example.org/staff/cases/RH-2024-0042" in body
    assert "Monday 3 June 2024, 14:00 UK time (BST)" in body
    assert "case console" in body


def test_the_deadline_is_shown_in_winter_time_outside_summer():
    due = datetime(2024, 12, 2, 9, 30, tzinfo=UTC)

    body = compose_case_email(make_notice(first_contact_due=due), TEAM, SENDER).get_content()

    assert "Monday 2 December 2024, 09:30 UK time (GMT)" in body


def test_a_naive_deadline_is_refused():
    with pytest.raises(ValueError):
        compose_case_email(make_notice(first_contact_due=datetime(2024, 6, 3, 14, 0)), TEAM, SENDER)


def test_a_newline_in_the_landlord_name_cannot_inject_a_header():
    message = compose_case_email(make_notice(org_name="Evil\r\nBcc: spy@example.com"), TEAM, SENDER)

    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


def test_the_email_is_plain_text():
    message = compose_case_email(make_notice(), TEAM, SENDER)

    assert message.get_content_type() == "text/plain"
    assert not message.is_multipart()


def test_a_case_notice_has_no_field_for_report_content():
    fields = set(CaseNotice.__dataclass_fields__)

    assert fields == {
        "reference",
        "org_name",
        "channel",
        "risk_level",
        "first_contact_due",
        "case_url",
        "status",
        "kind",
    }


def test_a_reporters_later_message_is_announced_by_reference_and_danger_is_marked_urgent():
    reply = compose_case_email(make_notice(kind="reply"), TEAM, SENDER)
    assert reply["Subject"] == "The reporter of case RH-2024-0042 has sent a message - Riverside Homes"
    assert "reply waiting" in reply.get_content()
    danger = compose_case_email(make_notice(kind="danger", **HIGH), TEAM, SENDER)
    assert danger["Subject"] == "URGENT: The reporter of case RH-2024-0042 may be in danger now - Riverside Homes"
    assert "999" in danger.get_content()


def test_a_notice_queued_before_kinds_existed_still_says_what_it_was():
    payload = {"reference": "RH-1", "org_name": "R", "channel": "sms", "risk_level": "high", "status": "submitted",
               "first_contact_due": DUE.isoformat(), "escalated": True}  # fmt: skip
    assert CaseNotice.from_payload(payload).kind == "escalated"
    assert CaseNotice.from_payload({**payload, "escalated": False}).kind == "opened"


# --- delivering over SMTP ---------------------------------------------------


def test_a_case_email_is_delivered_with_the_right_to_from_and_subject(smtp_server, tmp_path):
    handler = Collector()
    server = smtp_server(handler)

    message_id = sender_for(server.port, tmp_path).send(compose_case_email(make_notice(**HIGH), TEAM, SENDER))

    [envelope] = handler.envelopes
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == [TEAM]
    [received] = handler.messages()
    assert received["To"] == TEAM
    assert received["From"] == SENDER
    assert received["Subject"] == "HIGH RISK: New hate incident case RH-2024-0042 - Riverside Homes"
    assert received["Message-ID"] == message_id
    assert list(tmp_path.iterdir()) == []


def test_the_delivered_body_has_the_reference_and_deadline_and_none_of_the_report(smtp_server, tmp_path):
    handler = Collector()
    server = smtp_server(handler)
    notice = make_notice(**HIGH)

    sender_for(server.port, tmp_path).send(compose_case_email(notice, TEAM, SENDER))

    raw = handler.envelopes[0].content.decode("utf-8", "replace")
    body = handler.messages()[0].get_content()
    assert "RH-2024-0042" in body
    assert "14:00 UK time" in body
    for secret in (REPORT_TEXT, "racist abuse", "Gary Pickford", REPORTER_NAME, REPORTER_PHONE):
        assert secret not in raw


def test_the_message_id_is_set_before_sending_and_kept_on_a_retry(smtp_server, tmp_path):
    handler = Collector()
    server = smtp_server(handler)
    sender = sender_for(server.port, tmp_path)
    message = compose_case_email(make_notice(), TEAM, SENDER)

    first = sender.send(message)
    second = sender.send(message)

    assert first == second == message["Message-ID"]
    assert first.startswith("<") and first.endswith("@intake.example>")
    assert [m["Message-ID"] for m in handler.messages()] == [first, first]


def test_a_login_with_the_right_password_delivers(smtp_server, tmp_path):
    handler = Collector()
    server = smtp_server(handler, authenticator=check_login, auth_require_tls=False)

    sender_for(server.port, tmp_path, username="intake", password="s3cret").send(compose_case_email(make_notice(), TEAM, SENDER))

    assert len(handler.envelopes) == 1


def test_a_login_with_the_wrong_password_is_not_retried(smtp_server, tmp_path):
    handler = Collector()
    server = smtp_server(handler, authenticator=check_login, auth_require_tls=False)

    with pytest.raises(SendError) as caught:
        sender_for(server.port, tmp_path, username="intake", password="wrong").send(
            compose_case_email(make_notice(), TEAM, SENDER)
        )

    assert caught.value.retryable is False
    assert "535" in caught.value.reason
    assert "wrong" not in caught.value.reason
    assert handler.envelopes == []


def check_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"intake" and auth_data.password == b"s3cret"
    # handled=False makes aiosmtpd answer 535 itself; its default leaves the client waiting.
    return AuthResult(success=ok, handled=False)


# --- failures ---------------------------------------------------------------


@pytest.mark.parametrize(
    "rcpt_reply, retryable",
    [
        pytest.param("451 4.3.0 Mailbox temporarily unavailable", True, id="451 greylisted is retried"),
        pytest.param("452 4.2.2 Mailbox full", True, id="452 mailbox full is retried"),
        pytest.param("550 5.1.1 No such user", False, id="550 no such user is not retried"),
        pytest.param("553 5.1.3 Bad recipient address", False, id="553 bad address is not retried"),
    ],
)
def test_a_refused_recipient_is_retried_only_when_the_refusal_is_temporary(smtp_server, tmp_path, rcpt_reply, retryable):
    server = smtp_server(Collector(rcpt_reply=rcpt_reply))
    notice = make_notice(**HIGH)

    with pytest.raises(SendError) as caught:
        sender_for(server.port, tmp_path).send(compose_case_email(notice, TEAM, SENDER))

    assert caught.value.retryable is retryable
    assert rcpt_reply[:3] in caught.value.reason
    assert "threat of violence" not in caught.value.reason
    assert "UK time" not in caught.value.reason


def test_a_closed_port_is_retried(tmp_path):
    with pytest.raises(SendError) as caught:
        sender_for(free_port(), tmp_path).send(compose_case_email(make_notice(), TEAM, SENDER))

    assert caught.value.retryable is True


def test_a_server_that_never_greets_times_out_and_is_retried(tmp_path):
    # A listening socket nobody accepts from: the connect succeeds, the 220 greeting never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        sender = EmailSender(EmailSettings(host="127.0.0.1", port=port, timeout=0.3), tmp_path)

        with pytest.raises(SendError) as caught:
            sender.send(compose_case_email(make_notice(), TEAM, SENDER))

    assert caught.value.retryable is True


def test_an_unknown_host_is_retried(tmp_path):
    # .invalid is reserved (RFC 2606) and never resolves; DNS trouble is usually passing.
    sender = EmailSender(EmailSettings(host="smtp.nowhere.invalid", timeout=2.0), tmp_path)

    with pytest.raises(SendError) as caught:
        sender.send(compose_case_email(make_notice(), TEAM, SENDER))

    assert caught.value.retryable is True


# --- no SMTP host: the mail folder ------------------------------------------


def test_with_no_host_the_email_is_written_to_the_mail_folder_and_parses_back(tmp_path):
    mail_dir = tmp_path / "instance" / "mail"
    message = compose_case_email(make_notice(**HIGH), TEAM, SENDER)

    message_id = EmailSender(EmailSettings(host=None), mail_dir).send(message)

    [written] = mail_dir.iterdir()
    assert written.suffix == ".eml"
    assert written.name.endswith(f"-{message_id.strip('<>')}.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"].startswith("HIGH RISK: ")
    assert parsed["To"] == TEAM
    assert "RH-2024-0042" in parsed.get_content()
    assert REPORT_TEXT not in written.read_text()


def test_the_mail_folder_is_left_with_no_temporary_files(tmp_path):
    sender = EmailSender(EmailSettings(host=None), tmp_path)

    sender.send(compose_case_email(make_notice(), TEAM, SENDER))
    sender.send(compose_case_email(make_notice(reference="RH-2024-0043"), TEAM, SENDER))

    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2
    assert all(name.endswith(".eml") and not name.startswith(".") for name in names)


def test_a_retry_into_the_mail_folder_does_not_write_a_second_copy(tmp_path):
    sender = EmailSender(EmailSettings(host=None), tmp_path)
    message = compose_case_email(make_notice(), TEAM, SENDER)

    first = sender.send(message)
    second = sender.send(message)

    assert first == second
    assert len(list(tmp_path.iterdir())) == 1


# --- settings from the environment ------------------------------------------


def test_no_environment_means_no_host_and_the_defaults():
    settings = EmailSettings.from_env({})

    assert settings == EmailSettings(host=None)
    assert settings.port == 25
    assert settings.sender == "hate-reports@localhost"


def test_every_smtp_variable_is_read():
    settings = EmailSettings.from_env(
        {
            "INTAKE_SMTP_HOST": "smtp.riverside-homes.example",
            "INTAKE_SMTP_PORT": "587",
            "INTAKE_SMTP_USER": "intake",
            "INTAKE_SMTP_PASSWORD": "s3cret",
            "INTAKE_SMTP_STARTTLS": "yes",
            "INTAKE_MAIL_FROM": SENDER,
        }
    )

    assert settings == EmailSettings(
        host="smtp.riverside-homes.example",
        port=587,
        username="intake",
        password="s3cret",
        starttls=True,
        use_ssl=False,
        sender=SENDER,
    )


def test_an_empty_host_means_write_to_the_mail_folder():
    assert EmailSettings.from_env({"INTAKE_SMTP_HOST": ""}).host is None


def test_ssl_without_a_port_uses_465():
    settings = EmailSettings.from_env({"INTAKE_SMTP_HOST": "smtp.example", "INTAKE_SMTP_SSL": "true"})

    assert settings.use_ssl is True
    assert settings.port == 465


@pytest.mark.parametrize(
    "text, expected",
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_a_boolean_setting_accepts_the_usual_spellings(text, expected):
    assert EmailSettings.from_env({"INTAKE_SMTP_STARTTLS": text}).starttls is expected


@pytest.mark.parametrize(
    "environ, named",
    [
        pytest.param({"INTAKE_SMTP_STARTTLS": "maybe"}, "INTAKE_SMTP_STARTTLS", id="bad starttls boolean"),
        pytest.param({"INTAKE_SMTP_SSL": "on"}, "INTAKE_SMTP_SSL", id="bad ssl boolean"),
        pytest.param({"INTAKE_SMTP_PORT": "twenty-five"}, "INTAKE_SMTP_PORT", id="port not a number"),
        pytest.param({"INTAKE_SMTP_PORT": "70000"}, "INTAKE_SMTP_PORT", id="port out of range"),
        pytest.param({"INTAKE_SMTP_USER": "intake"}, "INTAKE_SMTP_PASSWORD", id="user without password"),
        pytest.param({"INTAKE_MAIL_FROM": "hate-reports"}, "INTAKE_MAIL_FROM", id="from not an address"),
        pytest.param(
            {"INTAKE_SMTP_SSL": "1", "INTAKE_SMTP_STARTTLS": "1"},
            "INTAKE_SMTP_STARTTLS",
            id="ssl and starttls",
        ),
    ],
)
def test_a_bad_setting_raises_config_error_naming_the_variable(environ, named):
    with pytest.raises(ConfigError, match=named):
        EmailSettings.from_env(environ)


def test_the_password_is_not_in_the_settings_repr():
    settings = EmailSettings(host="smtp.example", username="intake", password="s3cret")

    assert "s3cret" not in repr(settings)
