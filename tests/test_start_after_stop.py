"""START after STOP replies at once, on every door, and offers back a report stopped a little while ago."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from intake import casework
from intake.store.models import CaseRow, ConversationRow, OptOutRow
from tests.console_support import talk
from tests.harness import FIXED_NOW, PipelineChat
from tests.sms_support import fake_twilio, inbound_form, post_signed, sms_app

DESCRIPTION = "The man upstairs shouted racist abuse at me on the stairs"
UP_TO_WHEN = [("danger_now", "2"), ("role", "1"), ("identity", "3"), ("scope", "1"), ("description", DESCRIPTION),
              ("confirm_suggested", "2")]  # fmt: skip
OFFER = "You stopped a report a little while ago"


def _case(store) -> CaseRow:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        session.expunge(case)
        return case


# ---- the console door ------------------------------------------------------------------------


def test_on_the_console_start_after_stop_offers_the_stopped_report_and_carries_it_on(intake, store):
    first = talk(intake, [*UP_TO_WHEN, ("when", "STOP")])
    assert "You will not get any more messages from us" in first
    assert _case(store).status == "incomplete"

    again = talk(intake, ["START", "1", ("when", "yesterday"), ("where", "Saxon Court"), ("summary", "1")])
    assert OFFER in again
    assert "Here is the question you stopped at.\nWhen did it happen?" in again
    assert "Your reference is" in again
    case = _case(store)
    assert case.status == "submitted" and case.answers["description"]["value"] == DESCRIPTION
    with store.transaction() as session:
        assert session.scalar(select(OptOutRow)) is None
        assert not casework.reporter_stopped(session, session.get(CaseRow, case.id))


def test_on_the_console_start_after_stop_shows_the_first_question_when_nothing_was_said(intake):
    talk(intake, [("danger_now", "STOP")])
    again = talk(intake, ["START"])
    assert OFFER not in again
    assert "This is Milton Keynes City Council's service" in again and "Is anyone in danger right now?" in again


def test_on_the_console_start_after_the_idle_limit_starts_a_new_report(intake, store, profiles):
    talk(intake, [*UP_TO_WHEN, ("when", "STOP")])
    idle = timedelta(minutes=profiles["mkcc"].conversation_idle_minutes + 1)
    with store.transaction() as session:
        for row in session.scalars(select(ConversationRow)):
            row.ended_at -= idle  # it stopped longer ago than the landlord keeps a chat open
    again = talk(intake, ["START"])
    assert OFFER not in again
    assert "Is anyone in danger right now?" in again
    assert _case(store).status == "incomplete"


# ---- through the pipeline: the offer declined, and an SMS reporter who wrote in between ---------------


def test_saying_no_to_the_offer_starts_a_new_report_and_leaves_the_stopped_one_as_it_was(intake, store):
    chat = PipelineChat(intake, channel="sms")
    chat.report({"danger_now": "no", "role": "victim", "identity": "anonymous", "scope": "yes",
                 "description": DESCRIPTION}, until="when", at=FIXED_NOW)  # fmt: skip
    chat.send("STOP", at=FIXED_NOW)
    offered = chat.send("START", at=FIXED_NOW + timedelta(minutes=5))
    assert offered[-1].question_id == "resume_stopped"
    fresh = chat.send("no", at=FIXED_NOW + timedelta(minutes=6))
    assert [r.question_id for r in fresh if r.question_id] == ["danger_now"]
    assert _case(store).status == "incomplete"


@pytest.fixture
def sms_client(tmp_path, store):
    with fake_twilio() as serving:
        yield sms_app(tmp_path, store, serving.fake.base).test_client()


def _texts(response) -> str:  # type: ignore[no-untyped-def]
    import xml.etree.ElementTree as ET

    return "\n".join(m.text or "" for m in ET.fromstring(response.get_data()).findall("Message"))


def test_on_sms_stop_then_another_message_then_start_gets_a_reply(sms_client):
    for body in ("hello", "STOP", "hello again"):
        post_signed(sms_client, "/sms/inbound", inbound_form(body))
    answer = _texts(post_signed(sms_client, "/sms/inbound", inbound_form("START")))
    assert "This is Milton Keynes City Council's service" in answer and "Is anyone in danger right now?" in answer


def test_on_sms_start_carries_on_a_report_stopped_after_its_description(sms_client, store):
    for body in ("hello", "2", "1", "3", "1", DESCRIPTION, "2", "STOP", "sorry"):
        post_signed(sms_client, "/sms/inbound", inbound_form(body))
    assert OFFER in _texts(post_signed(sms_client, "/sms/inbound", inbound_form("START")))
    carried = _texts(post_signed(sms_client, "/sms/inbound", inbound_form("YES")))
    assert "Here is the question you stopped at." in carried and "When did it happen?" in carried
    case = _case(store)
    assert case.status == "in_progress"
    # What they wrote while stopped is on the case they carried on.
    with store.transaction() as session:
        events = session.get(CaseRow, case.id).events
        assert [e.data.get("text") for e in events if e.kind == "reporter_message"] == ["sorry"]
