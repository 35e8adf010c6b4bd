"""Housekeeping on a real database: idle conversations become incomplete cases, old replies are forgotten."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import housekeeping
from intake.conversation import CONFIRM, SUMMARY
from intake.messages import Attachment
from intake.store.models import (
    Base,
    CaseEventRow,
    CaseRow,
    ConversationRow,
    InboundReceipt,
    OutboxRow,
)
from tests.harness import ANONYMOUS_VICTIM, FIXED_NOW, NAMED_VICTIM, PipelineChat

PHONE = "+447700900913"
IDLE = timedelta(minutes=360)  # both landlords' conversation_idle_minutes


def up_to_description(chat: PipelineChat, answers: dict = ANONYMOUS_VICTIM, at: datetime = FIXED_NOW) -> list:
    """Answer until the description is given (what was read from it is being offered)."""
    return chat.report(answers, until=CONFIRM, at=at)


def rows(session: Session, model, **where) -> list:
    query = select(model).order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(session.scalars(query))


def snapshot(store) -> dict[str, list]:
    with store.engine.connect() as connection:
        return {
            table.name: [tuple(r) for r in connection.execute(table.select().order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def victims_code_rows(session: Session) -> list[OutboxRow]:
    return rows(session, OutboxRow, purpose="victims_code")


def event_kinds(session: Session, case_id: int) -> list[str]:
    return list(session.scalars(select(CaseEventRow.kind).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)))


def test_the_profiles_idle_limit_is_what_these_tests_assume(profiles):
    assert {p.conversation_idle_minutes for p in profiles.values()} == {IDLE.total_seconds() / 60}


def test_an_idle_unfinished_report_becomes_an_incomplete_case_and_the_victims_code_is_queued(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.report({**NAMED_VICTIM, "when": "last night"}, until="where", at=FIXED_NOW)  # not what was read from it
    closing = FIXED_NOW + IDLE + timedelta(minutes=1)

    assert housekeeping.expire_idle_conversations(intake, closing) == 1

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        [conversation] = rows(session, ConversationRow)
        [message] = victims_code_rows(session)
        assert case.status == "incomplete"
        assert event_kinds(session, case.id)[-1] == "conversation_expired"
        assert case.answers["when"]["raw"] == "last night"
        assert (conversation.status, conversation.ended_at, conversation.reply_address) == ("ended", closing, None)
        assert conversation.state["status"] == "ended" and conversation.state["ended_reason"] == "expired"
        assert (message.channel, message.recipient, message.case_id, message.status) == ("sms", PHONE, case.id, "pending")
        assert message.next_attempt_at == closing
        assert message.payload["language"] == conversation.state["language"] == case.language == "en"
        assert message.payload["sender_key"] == "reporter-1"
        texts = [m["text"] for m in message.payload["messages"]]
        assert texts[0] == f"Your chat has closed, but we have kept what you told us as report {case.reference}."
        assert any(case.reference in text for text in texts)
        # Sent later through the outbox; the case is marked when the message actually goes.
        assert case.victims_code_sent_at is None


def test_an_anonymous_reporters_number_is_never_kept_so_an_idle_report_records_why_nothing_was_sent(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.report(ANONYMOUS_VICTIM, until="where", at=FIXED_NOW)
    with intake.store.transaction() as session:
        [live] = rows(session, ConversationRow)
        assert live.reply_address is None

    housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1))

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        assert case.status == "incomplete" and case.anonymous
        assert victims_code_rows(session) == []
        [not_sent] = rows(session, CaseEventRow, kind="victims_code_not_sent")
        assert "not kept" in not_sent.data["reason"]
    assert PHONE not in repr(snapshot(intake.store))


def test_an_idle_report_with_no_address_to_write_to_records_that_the_victims_code_was_not_sent(intake):
    chat = PipelineChat(intake, address=None)  # a door that cannot write to the reporter later
    up_to_description(chat)

    housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1))

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        assert case.status == "incomplete"
        assert victims_code_rows(session) == []
        [not_sent] = rows(session, CaseEventRow, kind="victims_code_not_sent")
        assert not_sent.case_id == case.id and not_sent.data["reason"]


@pytest.mark.parametrize("word", [pytest.param("STOP", id="after STOP"), pytest.param("EXIT", id="after the quick exit")])
def test_a_reporter_who_stopped_or_left_gets_no_victims_code_message(intake, word):
    chat = PipelineChat(intake, address=PHONE)
    up_to_description(chat)
    chat.send(word, at=FIXED_NOW)

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + timedelta(days=2)) == 0

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        assert case.status == "incomplete"
        assert victims_code_rows(session) == []
        assert "victims_code_not_sent" not in event_kinds(session, case.id)


def test_a_named_reporter_who_asked_for_no_messages_gets_no_victims_code_message(intake):
    chat = PipelineChat(intake, address=PHONE)
    # The named victim, but asking for no voicemails or messages.
    chat.report({**NAMED_VICTIM, "contact_safety": ["no_messages"]}, until=SUMMARY, at=FIXED_NOW)  # ... and leaves

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        assert case.status == "incomplete"
        assert case.contact["safety"] == ["no_messages"]
        assert victims_code_rows(session) == []
        [not_sent] = rows(session, CaseEventRow, kind="victims_code_not_sent")
        assert "no messages" in not_sent.data["reason"]


def test_an_idle_conversation_that_never_reached_a_description_is_just_ended(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.report(ANONYMOUS_VICTIM, until="identity", at=FIXED_NOW)

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1

    with intake.store.transaction() as session:
        [conversation] = rows(session, ConversationRow)
        assert (conversation.status, conversation.case_id, conversation.reply_address) == ("ended", None, None)
        assert rows(session, CaseRow) == [] and rows(session, OutboxRow) == []
    # The reporter writing again starts afresh.
    assert chat.send("hello")[-1].question_id == "danger_now"


@pytest.mark.parametrize(
    "idle_for",
    [
        pytest.param(IDLE - timedelta(minutes=1), id="a minute short of the limit"),
        pytest.param(IDLE, id="exactly at the limit"),
    ],
)
def test_a_conversation_not_yet_idle_long_enough_is_left_alone(intake, idle_for):
    chat = PipelineChat(intake, address=PHONE)
    up_to_description(chat)
    before = snapshot(intake.store)

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + idle_for) == 0

    assert snapshot(intake.store) == before


def test_the_idle_clock_runs_from_the_last_message_not_the_first(intake):
    chat = PipelineChat(intake, address=PHONE)
    up_to_description(chat)
    chat.send("last night", at=FIXED_NOW + timedelta(hours=5))

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 0
    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + timedelta(hours=5) + IDLE + timedelta(minutes=1)) == 1


def test_a_submitted_report_is_ended_without_a_second_victims_code(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.report(ANONYMOUS_VICTIM, at=FIXED_NOW)

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        [conversation] = rows(session, ConversationRow)
        assert case.status == "submitted"
        assert case.victims_code_sent_at == FIXED_NOW
        assert (conversation.status, conversation.reply_address) == ("ended", None)
        assert victims_code_rows(session) == []
        assert event_kinds(session, case.id) == ["opened", "submitted", "victims_code_sent"]


def test_running_housekeeping_twice_closes_a_conversation_once(intake):
    up_to_description(PipelineChat(intake, address=PHONE), NAMED_VICTIM)
    closing = FIXED_NOW + IDLE + timedelta(minutes=1)

    assert housekeeping.expire_idle_conversations(intake, closing) == 1
    assert housekeeping.expire_idle_conversations(intake, closing + timedelta(hours=1)) == 0

    with intake.store.transaction() as session:
        assert len(victims_code_rows(session)) == 1


def test_only_the_idle_reporters_conversation_is_closed(intake):
    idle = PipelineChat(intake, sender="idle", address=PHONE)
    busy = PipelineChat(intake, sender="busy", address="+447700900914")
    up_to_description(idle, NAMED_VICTIM)
    up_to_description(busy, NAMED_VICTIM, at=FIXED_NOW + timedelta(hours=5))

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1

    with intake.store.transaction() as session:
        assert {c.sender_key: c.status for c in rows(session, ConversationRow)} == {"idle": "ended", "busy": "active"}
        assert [m.recipient for m in victims_code_rows(session)] == [PHONE]


# --- old replies --------------------------------------------------------------------------------


def test_old_replies_are_forgotten_but_the_provider_id_is_kept_so_a_late_retry_changes_nothing(intake):
    chat = PipelineChat(intake, address=PHONE)
    sent = len(chat.report(ANONYMOUS_VICTIM, until="description", at=FIXED_NOW) and [1])
    chat.send(ANONYMOUS_VICTIM["description"], provider_id="SM-old", at=FIXED_NOW)
    chat.send("yes", provider_id="SM-recent", at=FIXED_NOW + timedelta(days=2))

    housekeeping.forget_old_replies(intake, FIXED_NOW + timedelta(days=2, minutes=1))

    with intake.store.transaction() as session:
        receipts = {r.provider_id: r for r in rows(session, InboundReceipt)}
        assert (receipts["SM-old"].replies, receipts["SM-old"].conversation_id) == ([], None)
        assert receipts["SM-recent"].replies and receipts["SM-recent"].conversation_id is not None
        assert "SM-old" in receipts and sent
    before = snapshot(intake.store)

    assert chat.send(ANONYMOUS_VICTIM["description"], provider_id="SM-old") == []

    assert snapshot(intake.store) == before


def test_run_due_closes_idle_conversations_and_forgets_old_replies_in_one_pass(intake):
    up_to_description(PipelineChat(intake, address=PHONE), NAMED_VICTIM)

    assert housekeeping.run_due(intake, FIXED_NOW + timedelta(days=3)) == 1

    with intake.store.transaction() as session:
        assert {tuple(r.replies) for r in rows(session, InboundReceipt)} == {()}
        assert len(victims_code_rows(session)) == 1


def test_a_first_message_that_tells_the_story_becomes_a_case_with_its_photo_and_its_danger(intake, tmp_path):
    photo = tmp_path / "door.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    story = "They wrote on my door again and he is outside my flat now"
    chat = PipelineChat(intake, address=PHONE)
    chat.send(story, at=FIXED_NOW, attachments=(Attachment("door.jpg", "image/jpeg", photo.stat().st_size, str(photo)),))

    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1

    with intake.store.transaction() as session:
        [case] = rows(session, CaseRow)
        assert case.status == "incomplete"
        assert case.answers["opening"]["raw"] == story
        assert [a.filename for a in case.attachments] == ["door.jpg"]
        assert "danger_signalled" in event_kinds(session, case.id)
        assert case.risk_level == "high"
        # The team hears at once; the reporter never said they may be contacted, so no number was kept.
        assert [r.purpose for r in rows(session, OutboxRow)] == ["team_notice"]
        assert "victims_code_not_sent" in event_kinds(session, case.id)


def test_a_greeting_alone_does_not_become_a_case(intake):
    PipelineChat(intake, address=PHONE).send("hello there", at=FIXED_NOW)
    assert housekeeping.expire_idle_conversations(intake, FIXED_NOW + IDLE + timedelta(minutes=1)) == 1
    with intake.store.transaction() as session:
        assert rows(session, CaseRow) == []
