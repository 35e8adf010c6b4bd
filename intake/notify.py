"""Tell a landlord's case team by email that a case needs them.

The email is a pointer, not a copy: it carries the case reference, landlord, channel,
risk and first-contact deadline, and never the report, the reporter or any answer,
because staff inboxes are forwarded, searched and kept far longer than the case store.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import utils
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, model_validator
from pydantic_settings import SettingsConfigDict

from intake.config import EnvironSettings, from_environ
from intake.errors import SendError
from intake.i18n import translator

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

_CHANNELS = {"sms": "SMS", "telegram": "Telegram", "web": "web form", "whatsapp": "WhatsApp"}


_BOOL_WORDS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def _boolean(value: object) -> object:
    # Only the usual spellings: "on" or "maybe" in a deployment's file is a mistake to report.
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return False
        if word not in _BOOL_WORDS:
            raise ValueError("expected true/false/1/0/yes/no")
        return _BOOL_WORDS[word]
    return value


Flag = Annotated[bool, BeforeValidator(_boolean)]


class EmailSettings(EnvironSettings):
    """How to reach the SMTP server (INTAKE_SMTP_*, INTAKE_MAIL_FROM); with no host, emails go to a mail folder instead."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_SMTP_")

    host: str | None = None
    port: int = Field(default=25, gt=0, lt=65536)
    username: str | None = Field(default=None, validation_alias="INTAKE_SMTP_USER")
    # Kept out of repr so a settings object in a log line or traceback shows no secret.
    password: str | None = Field(default=None, repr=False)
    starttls: Flag = False
    use_ssl: Flag = Field(default=False, validation_alias="INTAKE_SMTP_SSL")
    sender: str = Field(default="hate-reports@localhost", validation_alias="INTAKE_MAIL_FROM")
    timeout: float = Field(default=10.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _implicit_tls_port(cls, data: Any) -> Any:
        # Implicit TLS lives on 465; defaulting to 25 would hang in the TLS handshake.
        if isinstance(data, dict) and data.get("port") in (None, ""):
            try:
                ssl_on = _boolean(data.get("use_ssl", data.get("INTAKE_SMTP_SSL"))) is True
            except ValueError:
                ssl_on = False  # the field's own check says what is wrong with it
            data = {**data, "port": 465 if ssl_on else 25}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> EmailSettings:
        if self.use_ssl and self.starttls:
            raise ValueError(
                "INTAKE_SMTP_SSL and INTAKE_SMTP_STARTTLS are both on; use SSL for port 465 or STARTTLS for port 587, not both"
            )
        if (self.username is None) != (self.password is None):
            raise ValueError("INTAKE_SMTP_USER and INTAKE_SMTP_PASSWORD must be set together")
        if "@" not in self.sender:
            raise ValueError(f"INTAKE_MAIL_FROM must be an email address, not {self.sender!r}")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EmailSettings:
        """Read INTAKE_SMTP_* and INTAKE_MAIL_FROM, failing loudly on a bad value."""
        return from_environ(cls, environ)


# What each kind of case notice says first: its headline, and any lines before the case's facts.
_WHAT: dict[str, tuple[str, tuple[str, ...]]] = {
    "opened": ("New hate incident case {reference}", ()),
    "escalated": ("Case {reference} has been raised to high risk", ()),
    "danger": (
        "The reporter of case {reference} may be in danger now",
        (
            "They wrote to us after their report, and what they wrote signals immediate danger.",
            "They were told to call 999. The case has been raised to high risk.",
            "Act on it now, as your procedure for a reporter in danger says.",
        ),
    ),
    "reply": (
        "The reporter of case {reference} has sent a message",
        ("It is on the case's timeline, and the case shows a reply waiting until someone deals with it.",),
    ),
}
NOTICE_KINDS = tuple(_WHAT)


@dataclass(frozen=True)
class CaseNotice:
    """Everything a case email may say; there is deliberately no field for report content.

    Nor for risk reasons: "a disability" or "mental health condition" is health data, and the
    email goes to a shared inbox. The case page shows them to a signed-in officer.
    """

    reference: str
    org_name: str
    channel: str
    risk_level: str
    first_contact_due: datetime
    status: str
    case_url: str | None = None
    kind: str = "opened"  # one of NOTICE_KINDS

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> CaseNotice:
        """The notice a `team_notice` outbox payload describes (see pipeline.notify_team)."""
        return cls(
            reference=payload["reference"],
            org_name=payload["org_name"],
            channel=payload["channel"],
            risk_level=payload["risk_level"],
            first_contact_due=datetime.fromisoformat(payload["first_contact_due"]),
            status=payload["status"],
            case_url=payload.get("case_url"),
            # Rows queued before `kind` existed say only whether the case was escalated.
            kind=payload.get("kind") or ("escalated" if payload.get("escalated") else "opened"),
        )


def compose_case_email(notice: CaseNotice, to: str, sender: str) -> EmailMessage:
    """Build the plain-text email telling the case team about one case."""
    if notice.first_contact_due.tzinfo is None:
        raise ValueError("first_contact_due must be timezone-aware")

    high = notice.risk_level == "high"
    org = _one_line(notice.org_name)
    reference = _one_line(notice.reference)
    what, first = _WHAT[notice.kind if notice.kind in _WHAT else "opened"]
    what = what.format(reference=reference)
    subject = f"{what} - {org}"
    # Marked in the subject so it stands out in a shared inbox before anyone opens it.
    if notice.kind == "danger":
        subject = f"URGENT: {subject}"
    elif high:
        subject = f"HIGH RISK: {subject}"

    lines = [
        f"{what} for {org}.",
        *([""] + [line.format(reference=reference) for line in first] if first else []),
        "",
        f"Reference:   {reference}",
        f"Landlord:    {org}",
        f"Came in by:  {_CHANNELS.get(notice.channel, _words(notice.channel))}",
        f"Status:      {_words(notice.status)}",
        f"Risk level:  {notice.risk_level.upper() if high else notice.risk_level.capitalize()}",
        "",
        f"First contact due by {_uk_time(notice.first_contact_due)}.",
        "",
        "Open the case in the case console to read it and contact the reporter:",
        _one_line(notice.case_url) if notice.case_url else "(the console's address is not configured)",
        "",
        "This email does not contain the report, the reporter's words or their details, by design.",
    ]

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = utils.format_datetime(datetime.now(UTC))
    # Lets mail rules file these without reading the subject line.
    message["X-Case-Reference"] = reference
    message["X-Case-Risk"] = notice.risk_level
    message.set_content("\n".join(lines) + "\n")
    return message


def compose_digest_email(payload: Mapping[str, Any], to: str, sender: str) -> EmailMessage:
    """An officer's or team leader's morning list (intake.digest): references, deadlines and links, nothing a reporter said."""
    org = _one_line(payload["org_name"])
    leader = payload.get("role") == "team_leader"
    cases = payload.get("cases", [])
    overdue = sum(1 for c in cases if c.get("overdue"))
    what = "Your team's overdue cases" if leader else "Your cases due today or overdue"
    lines = [
        f"Good morning {_one_line(payload.get('name') or '')},",
        "",
        (f"{overdue} of your team's cases are overdue for contact:" if leader
         else f"You have {len(cases)} case(s) due for contact today or overdue ({overdue} overdue):"),
        "",
    ]  # fmt: skip
    for c in cases:
        when = _uk_time(datetime.fromisoformat(c["due"]))
        which = "First contact" if c.get("kind") == "first" else "Next contact"
        state = "OVERDUE since" if c.get("overdue") else "due"
        risk = " - HIGH RISK" if c.get("risk_level") == "high" else ""
        lines += [f"{_one_line(c['reference'])}{risk}: {which} {state} {when}", f"  {_one_line(c.get('url') or '')}"]
    lines += ["", "Open the case console:", _one_line(payload.get("console_url") or ""), "",
              "This email does not contain any report or reporter's details, by design."]  # fmt: skip
    message = EmailMessage()
    message["Subject"] = f"{what} ({len(cases)}) - {org}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = utils.format_datetime(datetime.now(UTC))
    message["X-Digest-Day"] = _one_line(payload.get("day") or "")
    message.set_content("\n".join(lines) + "\n")
    return message


def _uk_time(moment: datetime) -> str:
    local = moment.astimezone(UK)
    # "%-d" is glibc-only; build the day by hand so this formats the same on any OS.
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} UK time ({local.tzname()})"


def _one_line(text: str) -> str:
    # A newline in a header value is refused by the email package; fold it to a space instead.
    return " ".join(str(text).split())


def _words(code: str) -> str:
    return _one_line(code.replace("_", " "))


class EmailSender:
    """Hand emails to SMTP, or write them to a mail folder when no SMTP host is set."""

    def __init__(self, settings: EmailSettings, mail_dir: Path):
        self.settings = settings
        self.mail_dir = Path(mail_dir)

    def send(self, message: EmailMessage) -> str:
        """Deliver one email and return its Message-ID; raise SendError on failure.

        The Message-ID is set on `message` before delivery and kept if already there,
        so a retry of the same message carries the same id and can be recognised.
        """
        message_id = message["Message-ID"]
        if message_id is None:
            message_id = _make_msgid(message["From"] or self.settings.sender)
            message["Message-ID"] = message_id
        if self.settings.host:
            self._send_smtp(message, message_id)
        else:
            self._write_eml(message, message_id)
        return message_id

    def _send_smtp(self, message: EmailMessage, message_id: str) -> None:
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            refused = self._deliver(message)
        except smtplib.SMTPRecipientsRefused as e:
            # Every recipient was refused, so nobody got it and a retry cannot duplicate.
            codes = {code for code, _ in e.recipients.values()}
            detail = "; ".join(f"{rcpt}: {_reply(code, msg)}" for rcpt, (code, msg) in e.recipients.items())
            raise SendError(
                f"SMTP {where} refused all recipients of {message_id}: {detail}",
                retryable=all(not _permanent(c) for c in codes),
            ) from None
        except smtplib.SMTPAuthenticationError as e:
            # 454 is a temporary auth failure; 535 and friends mean the credentials are wrong.
            raise SendError(
                f"SMTP {where} refused login for {s.username}: {_reply(e.smtp_code, e.smtp_error)}",
                retryable=not _permanent(e.smtp_code),
            ) from None
        except smtplib.SMTPNotSupportedError as e:
            raise SendError(f"SMTP {where} does not support what the settings ask for: {e}", retryable=False) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as e:
            raise SendError(f"SMTP {where} connection failed: {_exc(e)}", retryable=True) from None
        except smtplib.SMTPResponseException as e:
            # SMTPSenderRefused, SMTPDataError, SMTPHeloError: the reply code decides.
            raise SendError(
                f"SMTP {where} answered {_reply(e.smtp_code, e.smtp_error)} for {message_id}",
                retryable=not _permanent(e.smtp_code),
            ) from None
        except smtplib.SMTPException as e:
            raise SendError(f"SMTP {where} failed: {_exc(e)}", retryable=False) from None
        except ssl.SSLCertVerificationError as e:
            # A certificate that does not match will not start matching on a retry.
            raise SendError(f"SMTP {where} certificate rejected: {e.verify_message}", retryable=False) from None
        except (TimeoutError, OSError) as e:
            # Refused, reset, unreachable, DNS and timeouts: the server may be back soon.
            raise SendError(f"SMTP {where} unreachable: {_exc(e)}", retryable=True) from None

        if refused:
            # Some recipients took it, so retrying would send them a duplicate; say who missed out.
            log.warning(
                "case email %s not accepted for %s",
                message_id,
                ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in refused.items()),
            )
        log.info("case email %s sent via %s", message_id, where)

    def _deliver(self, message: EmailMessage) -> dict:
        s = self.settings
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            return smtp.send_message(message)
        finally:
            # Not `with smtp:`, whose exit raises on an odd QUIT reply: once the server has
            # taken the message, a failed goodbye must not turn into a retry and a duplicate.
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _write_eml(self, message: EmailMessage, message_id: str) -> None:
        safe_id = re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<>"))
        try:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            # Already written by an earlier attempt whose success report was lost.
            if any(self.mail_dir.glob(f"*-{safe_id}.eml")):
                return
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            final = self.mail_dir / f"{stamp}-{safe_id}.eml"
            # mkstemp makes the file 0600 in the same folder, so the rename is atomic and
            # a mail reader never sees half a message.
            fd, tmp = tempfile.mkstemp(dir=self.mail_dir, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(message.as_bytes())
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, final)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except PermissionError as e:
            raise SendError(f"cannot write to mail folder {self.mail_dir}: {e.strerror}", retryable=False) from None
        except OSError as e:
            raise SendError(f"cannot write to mail folder {self.mail_dir}: {e.strerror}", retryable=True) from None
        log.info("case email %s written to %s", message_id, final)


def _make_msgid(sender: str) -> str:
    # make_msgid's default domain comes from socket.getfqdn(), a DNS lookup that can
    # stall for seconds on a badly configured host; the sender's own domain is enough.
    _, address = utils.parseaddr(sender)
    domain = address.rpartition("@")[2] or "localhost"
    return utils.make_msgid(domain=domain)


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {_one_line(text)[:200]}"


def _exc(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


class TeamNoticeSender:
    """The outbox's sender for the "email" channel: a case notice to the landlord's team."""

    def __init__(self, email: EmailSender, sender_address: str):
        self.email = email
        self.sender_address = sender_address

    def send(self, message) -> str:  # type: ignore[no-untyped-def]
        if not message.recipient:
            raise SendError("no team address", retryable=False)
        if message.purpose == "digest":
            return self.email.send(compose_digest_email(message.payload, message.recipient, self.sender_address))
        notice = CaseNotice.from_payload(message.payload)
        return self.email.send(compose_case_email(notice, message.recipient, self.sender_address))


class ReporterEmailSender:
    """The outbox's sender for "reporter_email": an officer's message to a reporter who gave an email address on the form.

    The subject names only the landlord: someone else may read the reporter's inbox."""

    def __init__(self, email: EmailSender, sender_address: str):
        self.email = email
        self.sender_address = sender_address

    def send(self, message) -> str:  # type: ignore[no-untyped-def]
        if not message.recipient:
            raise SendError("no address to send to", retryable=False)
        payload = message.payload
        t = translator(payload.get("language") or "en")
        mail = EmailMessage()
        mail["From"] = self.sender_address
        mail["To"] = message.recipient
        mail["Subject"] = t("A message from %(org)s", org=_one_line(payload.get("org_name") or ""))
        mail.set_content("\n\n".join(m["text"] for m in payload.get("messages", [])))
        return self.email.send(mail)
