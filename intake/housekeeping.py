"""Work the background worker does when it is due: close idle conversations, forget what is no longer needed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from intake import cases, outbox, surveys, victims_code
from intake.answers import Answers
from intake.conversation import OPENING, Conversation
from intake.digest import send_morning_digests
from intake.i18n import translator
from intake.messages import OutboundMessage
from intake.pipeline import Intake, notify_team, open_for
from intake.store.models import CaseRow, ConversationRow, InboundReceipt, OutboxRow

# Nothing a reporter says is lost: a first message this long becomes a case even if
# the reporter never reached the description question.
STORY_WORDS = 4
# Providers retry within minutes; after this the stored replies to a retry are dropped.
RECEIPT_REPLIES_KEPT = timedelta(days=2)


def expire_idle_conversations(intake: Intake, now: datetime) -> int:
    """Close conversations idle past their landlord's limit; an unfinished report becomes an incomplete case."""
    shortest = min(p.conversation_idle_minutes for p in intake.profiles.values())
    expired = 0
    with intake.store.transaction() as session:
        rows = session.scalars(
            select(ConversationRow)
            .where(ConversationRow.status != "ended", ConversationRow.updated_at < now - timedelta(minutes=shortest))
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            profile = intake.profiles.get(row.org)
            if profile is None or row.updated_at >= now - timedelta(minutes=profile.conversation_idle_minutes):
                continue
            conversation = Conversation.from_json(row.state)
            case = row.case
            if case is None and _tells_a_story(conversation):
                case = _open_incomplete(session, intake, row, conversation, now)
            if case is not None and case.status == "in_progress":
                case.status = "incomplete"
                cases.add_event(session, case, "conversation_expired", now)
                _send_victims_code_later(session, intake, row, conversation, case, now)
            conversation.status, conversation.ended_reason = "ended", "expired"
            row.state, row.status, row.ended_at, row.reply_address = conversation.to_json(), "ended", now, None
            expired += 1
    return expired


def _open_incomplete(session, intake: Intake, row: ConversationRow, conversation: Conversation, now: datetime) -> CaseRow:  # type: ignore[no-untyped-def]
    """The case a story told in a first message becomes, when the reporter went no further."""
    profile = intake.profiles[row.org]
    reference = intake.references(profile.reference_prefix)
    conversation.case_reference, conversation.case_opened_at = reference, now.isoformat()
    case = open_for(session, profile, row, conversation, conversation, reference, now)
    cases.sync(case, conversation, profile, intake.door(row.channel), row.reply_address)
    row.case = case
    session.flush()
    notify_team(session, intake, case, now)
    return case


def _tells_a_story(conversation: Conversation) -> bool:
    """A first message long enough to be a report in itself ("hi" is not)."""
    opening = conversation.value(OPENING)
    return conversation.status == "active" and isinstance(opening, str) and len(opening.split()) >= STORY_WORDS


def _send_victims_code_later(
    session, intake: Intake, row: ConversationRow, conversation: Conversation, case: CaseRow, now: datetime
) -> None:  # type: ignore[no-untyped-def]
    if conversation.no_messages or case.victims_code_sent_at is not None:
        return
    meaning = Answers(conversation.answers)
    if meaning.no_messages:
        # "Do not leave voicemails or messages": a text arriving unprompted could be read by
        # the person they fear, just as after STOP.
        cases.add_event(session, case, "victims_code_not_sent", now, reason="the reporter asked for no messages")
        return
    if not row.reply_address:
        reason = (
            "no address to send to on this door"
            if meaning.contact_here
            else "the reporter did not ask to be contacted here, so their address was not kept"
        )
        cases.add_event(session, case, "victims_code_not_sent", now, reason=reason)
        return
    profile = intake.profiles[row.org]
    t = translator(conversation.language)
    messages = [
        OutboundMessage(
            t("Your chat has closed, but we have kept what you told us as report %(reference)s.", reference=case.reference)
        ),
        *victims_code.messages(
            profile=profile,
            t=t,
            reference=case.reference,
            first_contact_due=case.first_contact_due,
            identity=meaning.identity,
            public_url=intake.public_url,
        ),
    ]
    outbox.enqueue(
        session,
        org=row.org,
        channel=row.channel,
        purpose="victims_code",
        recipient=row.reply_address,
        case_id=case.id,
        at=now,
        payload={"messages": [m.to_dict() for m in messages], "sender_key": row.sender_key, "language": conversation.language},
    )


def forget_old_replies(intake: Intake, now: datetime) -> int:
    """Drop stored replies to old inbound messages: they echo what the reporter said."""
    with intake.store.transaction() as session:
        # conversation_id doubles as "not yet forgotten", so each receipt is rewritten once.
        done = session.execute(
            update(InboundReceipt)
            .where(InboundReceipt.received_at < now - RECEIPT_REPLIES_KEPT, InboundReceipt.conversation_id.is_not(None))
            .values(replies=[], conversation_id=None)
        )
        return done.rowcount or 0  # type: ignore[attr-defined]


FINAL = ("sent", "delivered", "failed", "cancelled")
CLEARED_SENDER = "cleared:"


def forget_finished_messages(intake: Intake, now: datetime) -> int:
    """Empty the payload of every message whose delivery is final, once the retry window has passed."""
    with intake.store.transaction() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.status.in_(FINAL), OutboxRow.cleared_at.is_(None),
                   OutboxRow.created_at < now - RECEIPT_REPLIES_KEPT)
            .limit(500)
        ).all()  # fmt: skip
        for row in rows:
            row.payload, row.recipient, row.cleared_at = {}, None, now
        return len(rows)


def forget_uncontactable_senders(intake: Intake, now: datetime) -> int:
    """Clear the sender key of an ended chat whose reporter did not agree to be contacted on it.

    Two days after the chat ends (providers' retries are over by then), nothing links the case
    to the number or account it came from: this is what the identity question promises. Only a
    reporter who asked to be contacted here keeps theirs, so a reply or a survey finds their case.
    The opt-out table keeps its own hash, linked to no case.
    """
    cleared = 0
    with intake.store.transaction() as session:
        rows = session.scalars(
            select(ConversationRow)
            .where(ConversationRow.status == "ended", ConversationRow.ended_at < now - RECEIPT_REPLIES_KEPT,
                   ~ConversationRow.sender_key.startswith(CLEARED_SENDER))
            .limit(500)
        ).all()  # fmt: skip
        for row in rows:
            contact = (row.case.contact or {}) if row.case is not None else {}
            if contact.get("channel") == row.channel and contact.get("address"):
                continue  # they asked to be contacted here
            row.sender_key, row.reply_address = f"{CLEARED_SENDER}{row.id}", None
            cleared += 1
    return cleared


def checkpoint(intake: Intake) -> None:
    """On SQLite, fold the write-ahead log into the database so cleared values leave the -wal file too."""
    if intake.store.engine.dialect.name == "sqlite":
        # Outside any transaction (a checkpoint cannot run inside one); a busy reader only delays it.
        raw = intake.store.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def run_due(intake: Intake, now: datetime) -> int:
    expired = expire_idle_conversations(intake, now)
    cleared = forget_old_replies(intake, now)
    cleared += forget_uncontactable_senders(intake, now) + forget_finished_messages(intake, now)
    if cleared:
        checkpoint(intake)
    send_morning_digests(intake, now)
    surveys.send_due(intake, now)
    return expired
