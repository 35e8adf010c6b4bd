"""The SMS door end to end: Twilio's signed webhooks in, TwiML out, the outbox through the real twilio client."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from channels.sms import door as sms_door
from channels.sms.segments import cost
from intake import housekeeping, outbox
from intake.messages import utcnow
from intake.settings import Settings
from intake.store.crypto import read_file
from intake.store.models import AttachmentRow, CaseEventRow, CaseRow, ConversationRow, InboundReceipt, OptOutRow, OutboxRow
from tests import images
from tests.sms_support import (
    MKCC_NUMBER,
    PUBLIC_URL,
    REPORTER,
    database_url,
    fake_twilio,
    inbound_form,
    new_sid,
    post_signed,
    report_by_text,
    signature,
    sms_app,
    sms_config,
    status_form,
)

JPEG = images.JPEG
ANONYMOUS_ENGLISH = {"danger_now": "no", "role": "victim", "identity": "anonymous", "scope": "yes",
                     "description": "They shouted abuse at me and wrote on my door", "confirm_suggested": "no",
                     "when": "last night", "where": "Saxon Gate, MK9 3EJ", "motivation": ["race"],
                     "incident_types": ["verbal_abuse"], "perpetrator": "A man from the next block",
                     "risk_incident": ["threats_violence", "perpetrator_nearby"], "risk_impact": ["worried_worse"],
                     "consent": "yes", "summary": "SEND"}  # fmt: skip
ANONYMOUS_POLISH = {**ANONYMOUS_ENGLISH, "opening": "Dzień dobry, potrzebuję pomocy",
                    "description": "Sąsiad krzyczał obelgi i napisał coś na moich drzwiach", "when": "wczoraj wieczorem",
                    "perpetrator": "Mężczyzna z sąsiedniego bloku", "summary": "WYŚLIJ"}  # fmt: skip


@pytest.fixture
def twilio():
    with fake_twilio() as serving:
        yield serving.fake


@pytest.fixture
def app(tmp_path, store, twilio):
    return sms_app(tmp_path, store, twilio.base)


@pytest.fixture
def client(app):
    return app.test_client()


def messages(response) -> list[str]:
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def count(store, model) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def everything(store) -> str:
    from tests.test_housekeeping import snapshot

    return repr(snapshot(store))


# ---- the webhook, on real Twilio payloads -------------------------------------------------------


def _forged(form):  # type: ignore[no-untyped-def]
    return {"X-Twilio-Signature": signature(form, PUBLIC_URL + "/sms/inbound", token="not-the-auth-token")}


def _wrong_url(form):  # type: ignore[no-untyped-def]
    return {"X-Twilio-Signature": signature(form, "https://attacker.example/sms/inbound")}


def _valid(form):  # type: ignore[no-untyped-def]
    return {"X-Twilio-Signature": signature(form, PUBLIC_URL + "/sms/inbound")}


def _tampered(form):  # type: ignore[no-untyped-def]
    headers = _valid(form)
    form["Body"] = "changed after signing"
    return headers


@pytest.mark.parametrize(
    "form, sign, status, receipts",
    [
        pytest.param(inbound_form("hello"), _valid, 200, 1, id="valid text"),
        pytest.param(inbound_form("hello"), _forged, 403, 0, id="forged signature"),
        pytest.param(inbound_form("hello"), lambda form: {}, 403, 0, id="missing signature"),
        pytest.param(inbound_form("hello"), _wrong_url, 403, 0, id="signed for another URL"),
        pytest.param(inbound_form("hello"), _tampered, 403, 0, id="body changed after signing"),
        pytest.param(inbound_form("hello", to="+447700900999"), _valid, 200, 0, id="unknown To number"),
        pytest.param(inbound_form(""), _valid, 200, 1, id="empty body"),
        pytest.param(inbound_form("x" * 1600), _valid, 200, 1, id="1,600-character body"),
        pytest.param(inbound_form("They did it again 😡🏳️‍🌈"), _valid, 200, 1, id="emoji"),
        pytest.param(inbound_form("میرے پڑوسی نے مجھے گالیاں دیں"), _valid, 200, 1, id="Urdu text"),
        pytest.param(inbound_form("x" * 1601), _valid, 400, 0, id="longer than Twilio sends"),
        pytest.param(inbound_form("hi", sid="SM123"), _valid, 400, 0, id="malformed MessageSid"),
        pytest.param(inbound_form("hi", sender="Anonymous"), _valid, 400, 0, id="From is not a phone number"),
        pytest.param({**inbound_form("hi"), "NumMedia": "one"}, _valid, 400, 0, id="NumMedia not a number"),
        pytest.param({**inbound_form("hi"), "NumMedia": "1"}, _valid, 400, 0, id="MMS that says it has media but has none"),
        pytest.param({**inbound_form("hi"), "AccountSid": "AC" + "f" * 32}, _valid, 400, 0, id="another Twilio account"),
    ],
)
def test_the_webhook_answers_each_real_payload(client, store, form, sign, status, receipts):
    form = dict(form)
    headers = sign(form)
    response = client.post("/sms/inbound", data=form, headers=headers)
    assert response.status_code == status
    assert count(store, InboundReceipt) == receipts
    if status == 200:
        assert response.mimetype == "application/xml"
        assert all(cost(body).segments <= 3 for body in messages(response))
        assert bool(messages(response)) == bool(receipts)
    if status == 400:
        assert response.json["reason"]
        assert REPORTER not in response.json["reason"]


def test_a_forged_request_touches_nothing(client, store):
    before = everything(store)
    form = inbound_form("STOP")
    assert client.post("/sms/inbound", data=form, headers=_forged(form)).status_code == 403
    assert everything(store) == before


def test_urdu_text_is_answered_with_a_choice_of_urdu_or_shahmukhi_panjabi(client):
    bodies = messages(post_signed(client, "/sms/inbound", inbound_form("میرے پڑوسی نے مجھے گالیاں دیں")))
    text = "\n".join(bodies)
    assert "اردو" in text and "پنجابی" in text


def test_twilio_retrying_a_message_gets_the_same_reply_and_changes_nothing(client, store):
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    form = inbound_form("2")
    first = post_signed(client, "/sms/inbound", form)
    before = everything(store)
    again = post_signed(client, "/sms/inbound", form)
    assert again.get_data() == first.get_data()
    assert everything(store) == before


def test_the_signature_is_checked_against_the_public_url_not_the_one_behind_the_proxy(client, store):
    form = inbound_form("hello")
    headers = {"X-Twilio-Signature": signature(form, "http://localhost/sms/inbound")}  # what Flask itself sees
    assert client.post("/sms/inbound", data=form, headers=headers).status_code == 403
    assert post_signed(client, "/sms/inbound", form).status_code == 200


def test_a_landlord_with_its_own_twilio_account_is_verified_with_its_own_token(tmp_path, store, twilio):
    from flask_app import create_app

    config = sms_config(tmp_path, database_url(store), twilio.base)
    config["TWILIO_AUTH_TOKEN_MKCC"] = "mkcc-own-token"
    client = create_app(config).test_client()
    form = inbound_form("hello")
    assert post_signed(client, "/sms/inbound", form).status_code == 403  # the deployment's token is not MKCC's
    assert post_signed(client, "/sms/inbound", form, token="mkcc-own-token").status_code == 200


def test_without_twilio_credentials_the_door_is_off_and_the_app_still_runs(tmp_path, store):
    from flask_app import create_app

    config = {
        k: v for k, v in sms_config(tmp_path, database_url(store), "http://127.0.0.1:9").items() if not k.startswith("TWILIO_")
    }
    client = create_app(config).test_client()
    assert client.post("/sms/inbound", data=inbound_form("hello")).status_code == 404
    assert client.get("/healthz").status_code == 200


# ---- MMS ------------------------------------------------------------------------------------------


def test_an_mms_photo_becomes_an_attachment_kept_outside_the_web_root_and_deleted_at_twilio(client, store, twilio, tmp_path):
    sid = new_sid("MM")
    url = twilio.add_media("image/jpeg", JPEG, message_sid=sid)
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    response = post_signed(client, "/sms/inbound", inbound_form("", sid=sid, media=(("image/jpeg", url),)))
    assert response.status_code == 200
    with store.transaction() as session:
        [attachment] = session.scalars(select(AttachmentRow)).all()
        path = Path(attachment.stored_path)
        assert (attachment.content_type, attachment.size) == ("image/jpeg", len(JPEG))
    assert read_file(path, store.keys) == JPEG and path.is_relative_to(tmp_path / "uploads")
    assert JPEG not in path.read_bytes()  # kept encrypted
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert twilio.deleted_media == [url.removeprefix(twilio.base)]


def test_a_retried_mms_keeps_one_copy_of_its_photo(client, store, twilio, tmp_path):
    sid = new_sid("MM")
    form = inbound_form("", sid=sid, media=(("image/jpeg", twilio.add_media("image/jpeg", JPEG, message_sid=sid)),))
    post_signed(client, "/sms/inbound", form)
    post_signed(client, "/sms/inbound", form)
    assert count(store, AttachmentRow) == 1
    assert len(list((tmp_path / "uploads" / "sms").iterdir())) == 1


@pytest.mark.parametrize(
    "declared, data",
    [
        pytest.param("image/jpeg", b"MZ\x90\x00 an executable", id="a program that says it is a photo"),
        pytest.param("text/html", b"<script>alert(1)</script>", id="a web page"),
        pytest.param("image/jpeg", b"\xff\xd8\xff" + bytes(11 * 1024 * 1024), id="larger than the limit"),
    ],
)
def test_an_mms_file_that_is_not_an_acceptable_image_is_refused_but_the_text_still_counts(client, store, twilio, declared, data):
    sid = new_sid("MM")
    url = twilio.add_media(declared, data, message_sid=sid)
    response = post_signed(client, "/sms/inbound", inbound_form("hello", sid=sid, media=((declared, url),)))
    assert response.status_code == 200
    assert messages(response)[0].startswith("We could not keep that file")
    assert count(store, AttachmentRow) == 0 and count(store, InboundReceipt) == 1


def test_media_urls_outside_this_twilio_account_are_never_fetched(client, store, twilio):
    sid = new_sid("MM")
    elsewhere = f"http://127.0.0.1:{twilio.port}/2010-04-01/Accounts/AC{'e' * 32}/Messages/{sid}/Media/ME{'1' * 32}"
    post_signed(client, "/sms/inbound", inbound_form("hello", sid=sid, media=(("image/jpeg", elsewhere),)))
    assert twilio.requests == 0 and count(store, AttachmentRow) == 0


# ---- keywords -------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT"])
def test_every_twilio_opt_out_word_opts_out_until_start(client, store, word):
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    post_signed(client, "/sms/inbound", inbound_form(word))
    assert count(store, OptOutRow) == 1
    answer = messages(post_signed(client, "/sms/inbound", inbound_form("START")))
    assert answer and count(store, OptOutRow) == 0


def test_after_stop_nothing_is_sent_until_start_which_is_answered(client, store):
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    assert messages(post_signed(client, "/sms/inbound", inbound_form("STOP")))  # the one confirmation
    for text in ("hello", "He came back and shouted at me again", "STOP"):
        assert messages(post_signed(client, "/sms/inbound", inbound_form(text))) == []
    assert messages(post_signed(client, "/sms/inbound", inbound_form("START")))
    assert messages(post_signed(client, "/sms/inbound", inbound_form("hello")))


def test_exit_ends_the_conversation_at_once_without_opting_out(client, store):
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    assert messages(post_signed(client, "/sms/inbound", inbound_form("EXIT")))
    assert count(store, OptOutRow) == 0
    with store.transaction() as session:
        assert session.scalar(select(ConversationRow.status)) == "ended"


def test_yes_still_reaches_the_conversation_as_an_answer(client):
    post_signed(client, "/sms/inbound", inbound_form("hello"))
    reply = "\n".join(messages(post_signed(client, "/sms/inbound", inbound_form("YES"))))
    assert "999" in reply  # "Is anyone in danger right now?" answered yes


@pytest.mark.parametrize("word", ["HELP", "POMOC"])
def test_help_works_in_english_and_in_the_reporters_language(client, word):
    post_signed(client, "/sms/inbound", inbound_form("Dzień dobry, potrzebuję pomocy"))
    reply = "\n".join(messages(post_signed(client, "/sms/inbound", inbound_form(word))))
    assert "JĘZYK" in reply or "WSTECZ" in reply


# ---- whole reports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script, language, victims_code_words",
    [
        pytest.param(ANONYMOUS_ENGLISH, "en", "anonymous", id="English"),
        pytest.param(ANONYMOUS_POLISH, "pl", "anonimowe", id="Polish"),
    ],
)
def test_a_whole_report_by_text_ends_in_a_case_with_the_victims_code_sent_and_delivered(
    client, store, script, language, victims_code_words, caplog
):
    caplog.set_level("DEBUG")
    send_sid = new_sid()
    final = report_by_text(client, script, opening=script.get("opening", "hello"), last_sid=send_sid)
    bodies = messages(final)
    text = "\n".join(bodies)

    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        reference, case_id = case.reference, case.id
        assert (case.status, case.language, case.channel, case.anonymous) == ("submitted", language, "sms", True)
        assert case.victims_code_status == "sent" and case.victims_code_sent_at is not None
        assert case.strands == ["race"] and case.answers["description"]["raw"] == script["description"]
    assert reference in text and victims_code_words in text and f"/victims-code/mkcc?lang={language}" in text
    assert all(cost(body).segments <= 3 for body in bodies)
    assert REPORTER not in everything(store)  # anonymous: only the keyed hash was ever kept
    assert REPORTER not in caplog.text and script["description"] not in caplog.text

    # Twilio reports the reply carrying the Victims Code as delivered.
    root = ET.fromstring(final.get_data())
    action = root.find("Message").get("action")
    assert action == f"{PUBLIC_URL}/sms/status?reply_to={send_sid}"
    path = action.removeprefix(PUBLIC_URL)
    for status in ("sent", "delivered", "sent"):  # out of order: delivered never goes back
        response = post_signed(client, path, status_form(new_sid(), status), signed_url=action)
        assert response.status_code == 204
    with store.transaction() as session:
        case = session.get(CaseRow, case_id)
        assert case.victims_code_status == "delivered" and case.victims_code_delivered_at is not None


def test_a_named_reporter_who_asks_to_be_contacted_here_has_the_number_kept_on_the_case(client, store):
    from tests.harness import NAMED_VICTIM

    report_by_text(client, NAMED_VICTIM)
    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert case.contact["address"] == REPORTER and case.contact["name"] == "Amina Yusuf"


def test_status_callbacks_must_be_signed_and_well_formed(client):
    form = status_form(new_sid(), "delivered")
    assert client.post("/sms/status", data=form).status_code == 403
    assert post_signed(client, "/sms/status", {**form, "MessageStatus": "<b>"}).status_code == 400
    assert post_signed(client, "/sms/status", form).status_code == 204  # a message we never sent: nothing to do


# ---- the outbox, through the real twilio client to the fake ----------------------------------------


@pytest.fixture
def settings(tmp_path, store, twilio) -> Settings:
    return Settings.from_env(sms_config(tmp_path, database_url(store), twilio.base))


@pytest.fixture
def expired_named_report(app, client, store):
    """A named reporter, contacted on this number, who stopped after the description: its Victims Code is queued."""
    from tests.harness import NAMED_VICTIM

    report_by_text(client, NAMED_VICTIM, until="confirm_suggested")
    intake = app.extensions["intake"]
    assert housekeeping.expire_idle_conversations(intake, utcnow() + timedelta(days=1)) == 1
    with store.transaction() as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.purpose == "victims_code")).all()
        return row.id


class Clock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(days=1)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def deliver(store, settings, clock) -> int:  # type: ignore[no-untyped-def]
    from intake.orgs import load_profiles

    return outbox.deliver_due(store, {"sms": sms_door.sender(settings, load_profiles())}, "worker-1", clock)


def victims_code_rows(store) -> list[OutboxRow]:
    with store.transaction() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.purpose == "victims_code").order_by(OutboxRow.id)).all()
        session.expunge_all()
        return list(rows)


def test_a_queued_victims_code_is_sent_in_parts_that_each_fit_through_the_real_client(
    store, settings, twilio, expired_named_report
):
    clock = Clock()
    assert deliver(store, settings, clock) >= 2
    rows = victims_code_rows(store)
    assert len(rows) == len(twilio.sent) >= 2
    assert {r.status for r in rows} == {"sent"} and {r.recipient for r in rows} == {None}
    assert [r.provider_message_id for r in rows] == [s.sid for s in twilio.sent]
    assert {(s.to, s.from_) for s in twilio.sent} == {(REPORTER, MKCC_NUMBER)}
    assert all(cost(s.body).segments <= 3 for s in twilio.sent)
    assert all(s.status_callback == f"{PUBLIC_URL}/sms/status" for s in twilio.sent)
    assert "Your chat has closed" in twilio.sent[0].body
    with store.transaction() as session:
        assert session.scalars(select(CaseRow)).one().victims_code_status == "sent"


def test_a_delivery_report_for_an_outbox_message_marks_the_victims_code_delivered(
    client, store, settings, twilio, expired_named_report
):
    deliver(store, settings, Clock())
    first = twilio.sent[0].sid
    assert post_signed(client, "/sms/status", status_form(first, "delivered")).status_code == 204
    with store.transaction() as session:
        assert session.scalars(select(CaseRow)).one().victims_code_status == "delivered"


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param("500", id="Twilio 500 then success"),
        pytest.param("429", id="Twilio 429 then success"),
        pytest.param("timeout", id="no answer in time then success"),
    ],
)
def test_a_retryable_failure_is_retried_with_backoff_and_nothing_is_lost_or_sent_twice(
    store, settings, twilio, expired_named_report, failure
):
    clock = Clock()
    twilio.fail_next(failure)
    deliver(store, settings, clock)
    [failed] = [r for r in victims_code_rows(store) if r.status == "pending"]
    assert failed.attempts == 1 and failed.last_error and REPORTER not in failed.last_error
    assert failed.recipient == REPORTER
    sent_before = len(twilio.sent)

    assert deliver(store, settings, clock) == 0  # not due yet: backing off
    clock.later(3600)
    assert deliver(store, settings, clock) == 1
    rows = victims_code_rows(store)
    assert {r.status for r in rows} == {"sent"}
    assert len(twilio.sent) == sent_before + 1 == len(rows)
    assert len({s.body for s in twilio.sent}) == len(twilio.sent)  # every part exactly once


def test_twilios_retry_after_is_honoured_as_telegrams_is(store, settings, twilio, expired_named_report):
    clock = Clock()
    twilio.fail_next("429:20")
    deliver(store, settings, clock)
    [waiting] = [r for r in victims_code_rows(store) if r.status == "pending"]
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=20)
    sent_before = len(twilio.sent)

    clock.later(19)
    assert deliver(store, settings, clock) == 0 and len(twilio.sent) == sent_before
    clock.later(1)
    assert deliver(store, settings, clock) >= 1
    assert {r.status for r in victims_code_rows(store)} == {"sent"}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        pytest.param("20", 20.0, id="seconds"),
        pytest.param("Tue, 17 Nov 2026 10:31:00 GMT", 60.0, id="an HTTP date"),
        pytest.param("Tue, 17 Nov 2026 10:29:00 GMT", 0.0, id="a date already past"),
        pytest.param("soon", None, id="neither"),
    ],
)
def test_retry_after_is_read_as_seconds_or_as_a_date(header, seconds):
    from channels.sms.twilio_api import retry_after_seconds
    from tests.harness import FIXED_NOW

    assert retry_after_seconds(header, now=FIXED_NOW) == seconds


def test_a_permanent_error_marks_the_message_failed_on_the_case_and_is_not_retried(store, settings, twilio, expired_named_report):
    clock = Clock()
    twilio.fail_next(21610)
    deliver(store, settings, clock)
    clock.later(7 * 24 * 3600)
    deliver(store, settings, clock)
    rows = victims_code_rows(store)
    [failed] = [r for r in rows if r.status == "failed"]
    assert "21610" in failed.last_error and failed.recipient is None
    with store.transaction() as session:
        [event] = session.scalars(select(CaseEventRow).where(CaseEventRow.kind == "message_failed")).all()
        assert "21610" in event.data["reason"] and REPORTER not in event.data["reason"]
    assert len(twilio.sent) == len(rows) - 1


def test_nothing_queued_is_sent_to_a_number_that_opted_out(client, store, settings, twilio, expired_named_report):
    post_signed(client, "/sms/inbound", inbound_form("STOP"))
    deliver(store, settings, Clock())
    assert twilio.sent == []
    assert {r.status for r in victims_code_rows(store)} == {"failed"}


def test_the_twilio_client_logs_no_phone_number_or_body(store, settings, twilio, expired_named_report, caplog):
    caplog.set_level("DEBUG")
    deliver(store, settings, Clock())
    assert twilio.sent
    assert REPORTER not in caplog.text and "Your chat has closed" not in caplog.text
