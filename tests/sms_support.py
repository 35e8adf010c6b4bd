"""Twilio webhook requests as Twilio sends them, signed with the twilio library's own validator."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twilio.request_validator import RequestValidator

from flask_app import create_app
from intake.store import migrate
from intake.store.db import Store
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, Serving
from tests.harness import TEST_DATA_KEYS, TEST_SECRET

PUBLIC_URL = "https://report.example.org"
MKCC_NUMBER = "+447700900101"
WCHG_NUMBER = "+447700900202"
REPORTER = "+447700900913"


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def inbound_form(body: str = "hello", *, sender: str = REPORTER, to: str = MKCC_NUMBER, sid: str | None = None,
                 media: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:  # fmt: skip
    """The fields of a real Twilio Messaging webhook (copied from one, numbers replaced by Ofcom drama numbers)."""
    sid = sid or new_sid("MM" if media else "SM")
    form = {
        "ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "NumMedia": str(len(media)), "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
        "FromCountry": "GB", "To": to, "ToZip": "", "NumSegments": "1", "ReferralNumMedia": "0",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01",
    }  # fmt: skip
    for index, (content_type, url) in enumerate(media):
        form[f"MediaContentType{index}"] = content_type
        form[f"MediaUrl{index}"] = url
    return form


def status_form(message_sid: str, status: str, *, sender: str = MKCC_NUMBER, to: str = REPORTER) -> dict[str, str]:
    """A real status callback's fields."""
    return {
        "SmsSid": message_sid, "SmsStatus": status, "MessageStatus": status, "To": to, "MessageSid": message_sid,
        "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01", "ChannelToAddress": to[:-4] + "XXXX",
    }  # fmt: skip


def signature(form: dict[str, str], url: str, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post_signed(client, path: str, form: dict[str, str], *, token: str = AUTH_TOKEN, signed_url: str | None = None):  # type: ignore[no-untyped-def]
    """POST as Twilio does: the signature covers the public URL and every form field."""
    headers = {"X-Twilio-Signature": signature(form, signed_url or PUBLIC_URL + path, token)}
    return client.post(path, data=form, headers=headers)


def sms_config(instance: Path, database_url: str, twilio_base: str) -> dict[str, str]:
    return {
        "INTAKE_INSTANCE_PATH": str(instance),
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_SECRET_KEY": TEST_SECRET,
        "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
        "INTAKE_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE": twilio_base,
        "TWILIO_TIMEOUT_SECONDS": "0.5",
    }


def database_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@contextmanager
def fake_twilio() -> Iterator[Serving]:
    serving = Serving()
    try:
        yield serving
    finally:
        serving.stop()


def sms_app(instance: Path, store: Store, twilio_base: str):  # type: ignore[no-untyped-def]
    migrate.upgrade(store.engine)
    return create_app(sms_config(instance, database_url(store), twilio_base))


def report_by_text(client, answers: dict, *, until: str | None = None, opening: str = "hello", sender: str = REPORTER,
                   last_sid: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    """Text the landlord's number, answering whatever is asked by question id, as a reporter types it.

    Returns the last webhook response; `last_sid` is the MessageSid the last text is sent with.
    """
    from intake.pipeline import current_replies
    from intake.privacy import sender_key
    from tests.harness import asked, typed, wanted

    intake = client.application.extensions["intake"]
    key = sender_key(client.application.config["INTAKE_SETTINGS"].secret_key, "sms", f"mkcc:{sender}")
    response = post_signed(client, "/sms/inbound", inbound_form(opening, sender=sender))
    for _ in range(60):
        question = asked(current_replies(intake, "mkcc", "sms", key) or [])
        if question is None or question.id == until:
            return response
        text = typed(question, wanted(question, answers))
        final = asked(current_replies(intake, "mkcc", "sms", key) or []).id == "summary"  # type: ignore[union-attr]
        response = post_signed(client, "/sms/inbound", inbound_form(text, sender=sender, sid=last_sid if final else None))
        assert response.status_code == 200, response.get_data(as_text=True)
    raise AssertionError(f"the texts never reached {until or 'the end'}")
