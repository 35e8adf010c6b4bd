"""Whole reports through intake.pipeline.handle, on a real database: cases, the outbox, retries, races."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from intake.conversation import CONFIRM
from intake.flow import load_flow
from intake.messages import InboundMessage
from intake.pipeline import Intake, current_replies, handle
from intake.store.db import Store
from intake.store.models import (
    Base,
    CaseRow,
    ConversationRow,
    InboundReceipt,
    OptOutRow,
    OutboxRow,
)
from tests.harness import ANONYMOUS_VICTIM, DOORS, FIXED_NOW, NAMED_VICTIM, PipelineChat, asked, question_ids, typed, wanted

REFERENCE = re.compile(r"^MK-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$")
# Distinctive enough that finding it anywhere can only mean it leaked.
PHONE = "+447700900913"
STORY = "Zephaniah Quillfeather painted a slur on flat 14B and spat at my daughter"


def before_description(chat: PipelineChat, at: datetime | None = None) -> list:
    return chat.report(ANONYMOUS_VICTIM, until="description", at=at)


def describe(chat: PipelineChat, story: str = STORY, at: datetime | None = None) -> list:
    before_description(chat, at)
    return chat.send(story, at=at)


def one(session: Session, model):
    return session.scalars(select(model)).one()


def rows(session: Session, model, **where) -> list:
    query = select(model).order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(session.scalars(query))


def snapshot(store: Store) -> dict[str, list]:
    """Every row of every table, to show that something changed nothing."""
    with store.engine.connect() as connection:
        return {
            table.name: [tuple(r) for r in connection.execute(table.select().order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {t.name: connection.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def run_together(*jobs):
    """Start every job at the same moment on its own thread; return results, re-raising any error."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


# --- a whole report -----------------------------------------------------------------


def test_a_whole_anonymous_report_ends_in_a_submitted_case(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.report(ANONYMOUS_VICTIM, until="summary", at=FIXED_NOW)
    replies = chat.send("1", at=FIXED_NOW + timedelta(minutes=5))  # Send my report

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert REFERENCE.match(case.reference)
        assert case.status == "submitted"
        assert case.org == "mkcc" and case.channel == "sms" and case.language == "en"
        assert case.reporter_role == "victim" and case.anonymous is True
        assert case.strands == ["race"]
        assert case.incident_types == ["verbal_abuse", "graffiti"]  # read from the description, confirmed
        assert case.risk_level == "high"
        assert set(case.risk_reasons) == {"threats_violence", "perpetrator_nearby", "worried_worse"}
        assert case.submitted_at == FIXED_NOW + timedelta(minutes=5)
        assert case.victims_code_sent_at == FIXED_NOW + timedelta(minutes=5)
        assert case.victims_code_status == "sent"
        assert case.answers["description"]["value"] == ANONYMOUS_VICTIM["description"]
        assert [e.kind for e in case.events] == ["opened", "submitted", "victims_code_sent"]
    assert case.reference in replies[0].text
    assert any(r.kind == "victims_code" for r in replies)


@pytest.mark.parametrize(
    "opened_at, due",
    [
        pytest.param(
            datetime(2026, 11, 17, 10, 30, tzinfo=UTC),
            datetime(2026, 11, 18, 10, 30, tzinfo=UTC),
            id="a Tuesday morning is due on Wednesday morning",
        ),
        pytest.param(
            datetime(2026, 11, 20, 16, 45, tzinfo=UTC),
            datetime(2026, 11, 23, 16, 45, tzinfo=UTC),
            id="a Friday afternoon is due on Monday afternoon",
        ),
        pytest.param(
            datetime(2026, 7, 3, 14, 0, tzinfo=UTC),
            datetime(2026, 7, 6, 14, 0, tzinfo=UTC),
            id="a summer Friday at 15:00 BST is due at 15:00 BST on Monday",
        ),
        pytest.param(
            datetime(2026, 12, 24, 11, 0, tzinfo=UTC),
            datetime(2026, 12, 29, 11, 0, tzinfo=UTC),
            id="Christmas Eve is due after the Christmas and Boxing Day bank holidays",
        ),
        pytest.param(
            datetime(2026, 10, 23, 9, 0, tzinfo=UTC),
            datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
            id="a Friday at 10:00 BST is due at 10:00 GMT after the clocks go back",
        ),
    ],
)
def test_first_contact_is_due_the_next_business_day_at_the_same_london_time(intake, opened_at, due):
    chat = PipelineChat(intake)
    describe(chat, "They shouted abuse at me", at=opened_at)
    chat.report(ANONYMOUS_VICTIM, until="motivation", at=opened_at + timedelta(minutes=3))

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.created_at == opened_at
        assert case.first_contact_due == due


def test_describing_what_happened_opens_the_case_so_an_abandoned_chat_is_not_lost(intake):
    chat = PipelineChat(intake, address=PHONE)
    before_description(chat, at=FIXED_NOW)
    with intake.store.transaction() as session:
        assert rows(session, CaseRow) == []

    replies = chat.send(STORY, at=FIXED_NOW)

    assert question_ids(replies) == [CONFIRM]
    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        conversation = one(session, ConversationRow)
        assert case.status == "in_progress"
        assert conversation.case_id == case.id
        assert conversation.state["case_reference"] == case.reference
        assert case.answers["description"]["raw"] == STORY


def test_opening_a_case_queues_a_team_notice_that_carries_none_of_the_report(intake):
    chat = PipelineChat(intake, address=PHONE)
    describe(chat, at=FIXED_NOW)

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        notice = one(session, OutboxRow)
        assert (notice.channel, notice.purpose, notice.status) == ("email", "team_notice", "pending")
        assert notice.case_id == case.id
        assert notice.recipient == "ASB@milton-keynes.gov.uk"
        assert notice.created_at == notice.next_attempt_at == case.created_at
        assert notice.payload == {
            "reference": case.reference,
            "org_name": "Milton Keynes City Council",
            "channel": "sms",
            "risk_level": case.risk_level,
            "first_contact_due": case.first_contact_due.isoformat(),
            "case_url": f"https://report.example.org/staff/cases/{case.reference}",
            "status": "in_progress",
            "kind": "opened",
        }
    written = json.dumps(notice.payload)
    for secret in (STORY, "Zephaniah", "slur", PHONE):
        assert secret not in written


def test_a_team_address_from_the_environment_wins_over_the_profile(store, profiles):
    intake = Intake(
        store=store, profiles=profiles, public_url="https://report.example.org", team_emails={"mkcc": "hate-team@mkcc.example"},
        doors=DOORS,
    )  # fmt: skip
    describe(PipelineChat(intake))
    with intake.store.transaction() as session:
        assert one(session, OutboxRow).recipient == "hate-team@mkcc.example"


def test_a_failure_writing_the_outbox_rolls_back_the_case_it_belongs_to(intake):
    chat = PipelineChat(intake)
    before_description(chat)
    before = snapshot(intake.store)

    def refuse_outbox_rows(session, flush_context, instances):
        if any(isinstance(obj, OutboxRow) for obj in session.new):
            raise RuntimeError("outbox table unavailable")

    event.listen(Session, "before_flush", refuse_outbox_rows)
    try:
        with pytest.raises(RuntimeError, match="outbox table unavailable"):
            chat.send(STORY, provider_id="SM-description")
    finally:
        event.remove(Session, "before_flush", refuse_outbox_rows)

    assert snapshot(intake.store) == before
    # The provider retries the message it got no answer for, and this time it all lands.
    assert question_ids(chat.send(STORY, provider_id="SM-description")) == [CONFIRM]
    with intake.store.transaction() as session:
        assert one(session, CaseRow).status == "in_progress"
        assert one(session, OutboxRow).purpose == "team_notice"


# --- provider retries and races ---------------------------------------------------------


def test_a_provider_retry_gets_the_same_replies_and_changes_nothing(intake):
    chat = PipelineChat(intake)
    before_description(chat)
    first = chat.send(STORY, provider_id="SM-retried")
    before = snapshot(intake.store)

    again = chat.send(STORY, provider_id="SM-retried", at=datetime.now(UTC) + timedelta(minutes=1))

    assert again == first
    assert snapshot(intake.store) == before
    assert counts(intake.store)["cases"] == 1 and counts(intake.store)["outbox"] == 1


def test_the_same_provider_id_on_another_door_is_a_different_message(intake):
    PipelineChat(intake, channel="sms").send("hello", provider_id="42")
    PipelineChat(intake, channel="telegram").send("hello", provider_id="42")
    assert counts(intake.store)["inbound_receipts"] == 2
    assert counts(intake.store)["conversations"] == 2


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param([], id="as the first message of a conversation"),
        pytest.param(["hello", "2"], id="in the middle of a conversation"),
    ],
)
def test_the_same_provider_id_sent_twice_at_once_is_received_once_and_advances_once(intake, earlier):
    chat = PipelineChat(intake)
    chat.say_all(*earlier)
    text = "1" if earlier else "hello"

    replies = run_together(*[lambda: chat.send(text, provider_id="SM-twice")] * 2)

    assert replies[0] == replies[1]
    with intake.store.transaction() as session:
        [receipt] = rows(session, InboundReceipt, provider_id="SM-twice")
        conversation = one(session, ConversationRow)
        assert receipt.conversation_id == conversation.id
        if earlier:
            # One "1" answered the role question; a second would have answered identity.
            assert conversation.state["step"] == "identity"
            assert conversation.state["answers"]["role"]["value"] == "victim"
            assert "identity" not in conversation.state["answers"]
        else:
            assert conversation.state["step"] == "danger_now"
            assert conversation.state["unclear"] == 0


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param([], id="before the reporter has a conversation"),
        pytest.param(["hello"], id="once the reporter has a conversation"),
    ],
)
def test_different_messages_from_one_reporter_at_once_are_all_taken_into_one_conversation(intake, earlier):
    chat = PipelineChat(intake)
    chat.say_all(*earlier)
    texts = ["purple", "orange", "green", "blue"]

    run_together(*[lambda t=t: chat.send(t) for t in texts])

    with intake.store.transaction() as session:
        [conversation] = rows(session, ConversationRow)
        receipts = rows(session, InboundReceipt)
        assert conversation.status == "active"
        assert len(receipts) == len(earlier) + len(texts)
        assert {r.conversation_id for r in receipts} == {conversation.id}
        # Each colour is one unclear answer to "is anyone in danger?": two and the flow moves on.
        answers = conversation.state["answers"]
        assert answers["danger_now"]["value"] is None
        assert answers["danger_now"]["raw"] in texts
        assert conversation.state["step"] in ("role", "identity")


# --- who the reporter is -----------------------------------------------------------------


def test_a_named_reporter_who_wants_contact_here_has_their_number_on_the_case(intake):
    chat = PipelineChat(intake, address=PHONE)
    replies = chat.report(NAMED_VICTIM, until="summary")
    assert question_ids(replies) == ["summary"]
    chat.send("1")

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.anonymous is False
        assert case.contact == {
            "name": "Amina Yusuf",
            "channel": "sms",
            "address": PHONE,
            "other": None,
            "safety": ["daytime"],
            "victim": None,
        }
        # Contact details live only in `contact`, never among the answers.
        assert "name" not in case.answers


def test_an_anonymous_reporters_number_and_words_never_reach_the_case_row_or_the_logs(intake, caplog):
    caplog.set_level(logging.DEBUG)
    chat = PipelineChat(intake, address=PHONE)
    chat.report({**ANONYMOUS_VICTIM, "description": STORY})
    chat.send("He came back this morning, Zephaniah again")

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.contact is None
        assert case.answers["description"]["value"] == STORY  # kept, where it belongs
        on_case = json.dumps(
            [
                {c.name: getattr(case, c.key, None) for c in CaseRow.__table__.columns},
                [e.data for e in case.events],
                [(o.recipient, o.payload) for o in rows(session, OutboxRow)],
            ],
            default=str,
        )
    assert PHONE not in on_case
    assert PHONE.lstrip("+") not in on_case
    logged = "\n".join([r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records] + [caplog.text])
    for secret in (PHONE, PHONE.lstrip("+"), STORY, "Zephaniah"):
        assert secret not in logged


# --- state between messages --------------------------------------------------------------


def test_every_message_is_saved_so_a_restarted_service_carries_on_from_the_same_question(intake):
    said: dict[str, str] = {}
    question, text = None, "hi"
    for _ in range(40):
        # A new process every time: a fresh Intake and engine on the same database.
        fresh = Store(intake.store.url, keys=intake.store.keys)
        try:
            restarted = Intake(store=fresh, profiles=intake.profiles, public_url=intake.public_url, team_emails={}, doors=DOORS)
            if question is not None:
                waiting = current_replies(restarted, "mkcc", "sms", "reporter-1")
                assert question_ids(waiting) == [question.id]
                said[question.id] = text
            replies = PipelineChat(restarted).send(text)
        finally:
            fresh.dispose()
        question = asked(replies)
        if question is None:
            break
        text = typed(question, wanted(question, ANONYMOUS_VICTIM))

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.status == "submitted"
        kept = {qid: a["raw"] for qid, a in case.answers.items()}
    flow_order = [q.id for q in load_flow().questions]
    assert list(kept) == ["opening", *sorted(set(kept) - {"opening"}, key=flow_order.index)]
    # Incident types were read from the description and confirmed: no words of their own.
    assert kept.pop("incident_types") is None
    assert kept.pop("opening") == "hi"
    # Every answer typed, across every restart, is on the case as typed (a skip keeps no words).
    assert set(kept) == {qid for qid in said if qid in flow_order}
    assert {qid: raw for qid, raw in kept.items() if raw is not None} == {
        qid: text for qid, text in said.items() if qid in kept and text != "SKIP"
    }


def test_nothing_is_waiting_for_a_reporter_who_has_not_written(intake):
    assert current_replies(intake, "mkcc", "sms", "nobody") is None


# --- commands and what follows a case -------------------------------------------------------


def test_stop_records_an_opt_out_and_start_removes_it(intake):
    chat = PipelineChat(intake, address=PHONE)
    chat.say_all("hello", "2")

    stopped = chat.send("STOP")

    assert "START" in stopped[-1].text
    with intake.store.transaction() as session:
        opt_out = one(session, OptOutRow)
        assert (opt_out.channel, opt_out.sender_key) == ("sms", "reporter-1")
        conversation = one(session, ConversationRow)
        assert conversation.status == "ended" and conversation.reply_address is None

    chat.send("STOP")  # a second STOP on the new conversation is not a second row
    with intake.store.transaction() as session:
        assert len(rows(session, OptOutRow)) == 1

    started = chat.send("START")

    assert question_ids(started) == ["danger_now"]
    with intake.store.transaction() as session:
        assert rows(session, OptOutRow) == []
        assert len(rows(session, ConversationRow, status="active")) == 1


def test_stop_after_the_description_leaves_the_case_incomplete_and_sends_nothing_more(intake):
    chat = PipelineChat(intake, address=PHONE)
    describe(chat)
    chat.send("STOP")

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.status == "incomplete" and case.no_messages is True
        assert case.victims_code_sent_at is None
        assert [o.purpose for o in rows(session, OutboxRow)] == ["team_notice"]
        assert case.events[-1].data == {"reason": "stopped"}


def test_the_quick_exit_leaves_the_case_incomplete_without_opting_out(intake):
    chat = PipelineChat(intake, address=PHONE)
    describe(chat)
    chat.say_all("no", "last night")

    replies = chat.send("EXIT")

    assert [r.text for r in replies] == ["Chat ended."]
    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.status == "incomplete"
        assert (case.events[-1].kind, case.events[-1].data) == ("conversation_ended", {"reason": "exited"})
        assert case.answers["when"]["raw"] == "last night"
        assert case.no_messages is True and case.victims_code_sent_at is None
        conversation = one(session, ConversationRow)
        assert conversation.status == "ended" and conversation.reply_address is None
        assert rows(session, OptOutRow) == []
        assert [o.purpose for o in rows(session, OutboxRow)] == ["team_notice"]


def test_a_high_risk_answer_after_the_case_opened_sends_the_team_a_second_notice_marked_escalated(intake):
    chat = PipelineChat(intake)
    question = asked(chat.report(ANONYMOUS_VICTIM, until="risk_incident"))
    with intake.store.transaction() as session:
        [first] = rows(session, OutboxRow)
        assert first.payload["risk_level"] == "standard" and first.payload["kind"] == "opened"

    chat.send(typed(question, ["threats_violence", "perpetrator_nearby"]))

    with intake.store.transaction() as session:
        first, second = rows(session, OutboxRow)
        assert second.purpose == "team_notice" and second.case_id == first.case_id
        assert second.payload["kind"] == "escalated"
        assert second.payload["risk_level"] == "high"
        assert "risk_reasons" not in second.payload  # health data, and the email goes to a shared inbox
        assert second.payload["case_url"].endswith(f"/staff/cases/{second.payload['reference']}")

    chat.report(ANONYMOUS_VICTIM)  # still high: no third notice
    with intake.store.transaction() as session:
        assert len(rows(session, OutboxRow, purpose="team_notice")) == 2


def test_danger_in_the_description_opens_a_high_risk_case_with_one_notice_not_marked_escalated(intake):
    chat = PipelineChat(intake)
    describe(chat, "He is outside my door with a knife")

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        [notice] = rows(session, OutboxRow)
        assert case.risk_level == "high"
        assert notice.payload["risk_level"] == "high" and notice.payload["kind"] == "opened"
        assert [e.kind for e in case.events] == ["opened", "danger_signalled"]
        assert case.events[1].data["evidence"]


def test_a_message_after_submission_is_added_to_the_case(intake):
    chat = PipelineChat(intake)
    chat.report(ANONYMOUS_VICTIM)

    replies = chat.send("He came back and did it again this morning")

    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        assert case.status == "submitted"
        assert (case.events[-1].kind, case.events[-1].data) == (
            "reporter_message",
            {"text": "He came back and did it again this morning"},
        )
        assert len(rows(session, CaseRow)) == 1
    assert case.reference in replies[-1].text


def test_an_unknown_landlord_is_refused_before_anything_is_written(intake):
    with pytest.raises(KeyError):
        handle(intake, InboundMessage(org="nobody", channel="sms", sender_key="k", text="hi", provider_id="x"))
    assert set(counts(intake.store).values()) == {0}


def test_a_2_mib_description_with_danger_in_it_gets_the_999_advice_and_is_redacted_in_exports(intake):
    from intake import cases

    filler = "They keep coming to my door at night and shouting names through the letterbox. "
    story = (
        filler * (2 * 1024 * 1024 // len(filler)) + "Ring me on 07700 900123. He is outside my door with a knife. " + filler * 10
    )
    chat = PipelineChat(intake, channel="console")
    chat.report(ANONYMOUS_VICTIM, until="description")

    replies = chat.send(story)

    assert replies[0].kind == "danger" and "999" in replies[0].text
    with intake.store.transaction() as session:
        case = one(session, CaseRow)
        exported = cases.case_json(case, detail=True)
        assert case.risk_level == "high" and case.answers["description"]["value"] == story.strip()  # kept whole
    assert "07700 900123" not in exported["description"] and "[phone]" in exported["description"]
    assert len(exported["description"]) > 2 * 1024 * 1024


def test_no_row_is_written_twice_in_one_turn(intake):
    """Each message writes each row once: the case is synced once, the conversation saved once, the receipt inserted whole."""
    writes: list[tuple[str, int]] = []

    def record(session, flush_context, instances):
        for obj in [*session.new, *session.dirty]:
            if obj in session.new or session.is_modified(obj):
                writes.append((type(obj).__name__, id(obj)))

    chat = PipelineChat(intake, address=PHONE)
    event.listen(Session, "before_flush", record)
    try:
        for text in ["hello", "2", "1", "3", "1", STORY, "He is outside my door with a knife", "yes", "last night"]:
            writes.clear()
            chat.send(text)
            assert len(writes) == len(set(writes)), (text, sorted(writes))
        chat.report(ANONYMOUS_VICTIM, until="summary")
        writes.clear()
        chat.send("1")  # sent: submitted, Victims Code, the team told
        assert len(writes) == len(set(writes)) and writes
        writes.clear()
        chat.send("EXIT")
        assert len(writes) == len(set(writes))
    finally:
        event.remove(Session, "before_flush", record)
