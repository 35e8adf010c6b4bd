"""handle(inbound) -> replies: one message, one transaction, whichever door it came through."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import cases, nlp, outbox
from intake import events as ev
from intake.conversation import Conversation
from intake.engine import EngineContext, advance, current_question
from intake.messages import InboundMessage, OutboundMessage
from intake.orgs.schema import Profile
from intake.store.db import Store
from intake.store.models import AttachmentRow, CaseRow, ConversationRow, InboundReceipt, OptOutRow, OutboxRow

log = logging.getLogger(__name__)
ATTEMPTS = 3


@dataclass(frozen=True)
class Intake:
    """Everything the pipeline needs that is not in the message."""

    store: Store
    profiles: Mapping[str, Profile]
    public_url: str
    team_emails: Mapping[str, str]

    def team_email(self, org: str) -> str:
        profile = self.profiles[org]
        return self.team_emails.get(org) or profile.notifications.team_email or f"case-team@{org}.localhost"


def handle(intake: Intake, inbound: InboundMessage, *, reply_by_outbox: bool = False) -> list[OutboundMessage]:
    """Record, understand and answer one message; a provider's retry gets the same answer and changes nothing.

    With `reply_by_outbox` (a door whose replies cannot ride on the webhook's response),
    the replies are also queued in the outbox to `inbound.reply_address`, in this same
    transaction, so a redelivered message queues nothing again.
    """
    if inbound.org not in intake.profiles:
        raise KeyError(f"unknown org {inbound.org!r}")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with intake.store.transaction() as session:
                return _handle(session, intake, inbound, reply_by_outbox)
        except IntegrityError:
            # Another worker took the same provider id or opened this sender's conversation
            # at the same moment, or a reference collided: start again and see its result.
            if attempt == ATTEMPTS:
                raise
            log.info("pipeline: concurrent write on %s, retrying", inbound.channel)
    raise AssertionError("unreachable")


def _handle(session: Session, intake: Intake, inbound: InboundMessage, reply_by_outbox: bool = False) -> list[OutboundMessage]:
    receipt = None
    if inbound.provider_id:
        seen = session.scalar(
            select(InboundReceipt).where(
                InboundReceipt.channel == inbound.channel, InboundReceipt.provider_id == inbound.provider_id
            )
        )
        if seen is not None:
            return [OutboundMessage.from_dict(r) for r in seen.replies]
        receipt = InboundReceipt(
            channel=inbound.channel,
            provider_id=inbound.provider_id,
            replies=[],
            received_at=inbound.received_at,
            message_ref=inbound.message_ref,
        )
        session.add(receipt)
        session.flush()

    profile = intake.profiles[inbound.org]
    row = _live_conversation(session, inbound)
    if inbound.answers_question and (row is None or _asking(Conversation.from_json(row.state)) != inbound.answers_question):
        # A button left on a question already answered: it changes nothing and says nothing.
        if receipt is not None and row is not None:
            receipt.conversation_id = row.id
        return []
    if row is None:
        conversation = Conversation(org=inbound.org, channel=inbound.channel, language=profile.default_language)
        row = ConversationRow(
            org=inbound.org,
            channel=inbound.channel,
            sender_key=inbound.sender_key,
            status="new",
            state=conversation.to_json(),
            created_at=inbound.received_at,
            updated_at=inbound.received_at,
        )
        session.add(row)
        session.flush()
    else:
        conversation = Conversation.from_json(row.state)
    if receipt is not None:
        receipt.conversation_id = row.id
    case = session.get(CaseRow, row.case_id) if row.case_id else None

    analysis = nlp.analyse(inbound.text, conversation.language)
    if conversation.status == "new":
        # Only the first message chooses the language; after that the reporter does.
        analysis = replace(analysis, languages=nlp.detect_language(inbound.text))
    context = EngineContext(
        profile=profile,
        channel=inbound.channel,
        public_url=intake.public_url,
        fresh_reference=cases.new_reference(profile.reference_prefix),
        case_status=case.status if case else None,
        first_contact_due=case.first_contact_due if case else None,
    )
    step = advance(conversation, inbound, analysis, context)
    conversation = step.conversation
    row.reply_address = _address_to_keep(conversation, inbound, row.reply_address)
    replies = [replace(r, language=r.language or conversation.language) for r in step.replies]
    if not any(isinstance(e, ev.OptedIn) for e in step.events) and _opted_out(session, inbound):
        # After STOP nothing goes to this sender until START. What they write is still
        # kept (a first message that tells the story becomes a case when it times out).
        replies = []

    for attachment in inbound.attachments:
        session.add(
            AttachmentRow(
                conversation_id=row.id,
                case_id=case.id if case else None,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                stored_path=attachment.stored_path,
                received_at=inbound.received_at,
            )
        )
    address = inbound.reply_address or row.reply_address
    case = _apply(session, intake, profile, inbound, row, case, conversation, step.events, reply_by_outbox)
    if reply_by_outbox:
        _queue_replies(session, inbound, row, case, address, replies, step.events)

    row.state = conversation.to_json()
    row.status = conversation.status
    row.updated_at = inbound.received_at
    if conversation.status == "ended":
        row.ended_at, row.reply_address = inbound.received_at, None
    if receipt is not None:
        receipt.replies = [r.to_dict() for r in replies]
        receipt.conversation_id = row.id
    return replies


def _opted_out(session: Session, inbound: InboundMessage) -> bool:
    query = select(OptOutRow.id).where(OptOutRow.channel == inbound.channel, OptOutRow.sender_key == inbound.sender_key)
    return session.scalar(query) is not None


def _address_to_keep(conversation: Conversation, inbound: InboundMessage, kept: str | None) -> str | None:
    """The raw address (a phone number, a chat id) is kept only for a reporter who asked to be
    contacted on it; everyone else is known by the keyed hash of it alone. A door that answers
    in its webhook's response needs nothing more; a door that replies later gets the address
    with each message."""
    if conversation.value("identity") != "named_here":
        return None
    return inbound.reply_address or kept


def _live_conversation_query(org: str, channel: str, sender_key: str) -> Select[tuple[ConversationRow]]:
    return select(ConversationRow).where(
        ConversationRow.org == org,
        ConversationRow.channel == channel,
        ConversationRow.sender_key == sender_key,
        ConversationRow.status != "ended",
    )


def _live_conversation(session: Session, inbound: InboundMessage) -> ConversationRow | None:
    query = _live_conversation_query(inbound.org, inbound.channel, inbound.sender_key)
    # On PostgreSQL, lock the row so two messages from one reporter take turns;
    # SQLite's BEGIN IMMEDIATE already serialises writers.
    return session.scalar(query.with_for_update())


def _apply(
    session: Session,
    intake: Intake,
    profile: Profile,
    inbound: InboundMessage,
    row: ConversationRow,
    case: CaseRow | None,
    conversation: Conversation,
    events: list[Any],
    reply_by_outbox: bool = False,
) -> CaseRow | None:
    at = inbound.received_at
    # The engine reports danger before the answer that opens the case; open the case first
    # so that a description which also signals danger puts that on the case's timeline.
    for event in sorted(events, key=lambda e: not isinstance(e, ev.CaseOpened)):
        if isinstance(event, ev.CaseOpened):
            said_now = any(isinstance(e, ev.DangerSignalled) for e in events)
            case = open_conversation_case(session, intake, row, conversation, event.reference, at, danger_said_now=said_now)
        elif isinstance(event, ev.NewReportStarted):
            row.case_id, case = None, None
        elif isinstance(event, ev.OptedOut):
            if not _opted_out(session, inbound):
                session.add(OptOutRow(channel=inbound.channel, sender_key=inbound.sender_key, at=at))
        elif isinstance(event, ev.OptedIn):
            for opt_out in session.scalars(
                select(OptOutRow).where(OptOutRow.channel == inbound.channel, OptOutRow.sender_key == inbound.sender_key)
            ):
                session.delete(opt_out)
        elif case is not None:
            _record_on_case(session, case, event, at, queued=reply_by_outbox)
    if case is not None and case.status in ("in_progress", "submitted", "incomplete"):
        raised_to_high = cases.sync_case(case, conversation, profile, row.reply_address)
        # A case opened by this message was just announced, at its present risk.
        if raised_to_high and not any(isinstance(e, ev.CaseOpened) for e in events):
            notify_team(session, intake, case, at, escalated=True)
    return case


def open_conversation_case(
    session: Session,
    intake: Intake,
    row: ConversationRow,
    conversation: Conversation,
    reference: str,
    at: datetime,
    *,
    danger_said_now: bool = False,
) -> CaseRow:
    """Open the case a conversation becomes, with what it already holds, and tell the team."""
    profile = intake.profiles[row.org]
    case = cases.open_case(
        session, reference=reference, profile=profile, channel=row.channel, language=conversation.language, at=at
    )
    row.case_id = case.id
    conversation.case_reference = reference
    conversation.case_opened_at = conversation.case_opened_at or at.isoformat()
    orphans = select(AttachmentRow).where(AttachmentRow.conversation_id == row.id, AttachmentRow.case_id.is_(None))
    for attachment in session.scalars(orphans):
        attachment.case_id = case.id
    if conversation.danger_evidence and not danger_said_now:
        # Danger said before there was a case to put it on.
        cases.add_event(session, case, "danger_signalled", at, evidence=list(conversation.danger_evidence), earlier=True)
    cases.sync_case(case, conversation, profile, row.reply_address)
    notify_team(session, intake, case, at, escalated=False)
    return case


def _record_on_case(session: Session, case: CaseRow, event: Any, at: Any, *, queued: bool = False) -> None:
    if isinstance(event, ev.ReportSubmitted):
        case.status, case.submitted_at = "submitted", at
        cases.add_event(session, case, "submitted", at)
    elif isinstance(event, ev.VictimsCodeSent) and queued:
        # It is sent when the outbox delivers it, which records the time then.
        case.victims_code_status = "queued"
        cases.add_event(session, case, "victims_code_queued", at)
    elif isinstance(event, ev.VictimsCodeSent):
        # The reply carrying the Victims Code is handed to the door in this very response.
        case.victims_code_sent_at, case.victims_code_status = at, "sent"
        cases.add_event(session, case, "victims_code_sent", at, via="reply")
    elif isinstance(event, ev.FurtherInformation):
        cases.add_event(session, case, "further_information", at, text=event.text)
    elif isinstance(event, ev.DangerSignalled):
        cases.add_event(session, case, "danger_signalled", at, evidence=list(event.evidence))
    elif isinstance(event, ev.ConversationEnded):
        if case.status == "in_progress":
            case.status = "incomplete"
        cases.add_event(session, case, "conversation_ended", at, reason=event.reason)
    elif isinstance(event, ev.LanguageChanged):
        cases.add_event(session, case, "language_changed", at, language=event.language)


def _asking(conversation: Conversation) -> str | None:
    """The id of the question the reporter is on, as a button names it."""
    if conversation.status not in ("new", "active"):
        return None
    return "language" if conversation.menu == "language" else conversation.step


def _queue_replies(
    session: Session,
    inbound: InboundMessage,
    row: ConversationRow,
    case: CaseRow | None,
    address: str | None,
    replies: list[OutboundMessage],
    events: list[Any],
) -> None:
    """Queue this turn's replies in order: one row per reply, the Victims Code's lines together as one."""
    if not address or not replies:
        return
    at = inbound.received_at
    ended = next((e for e in events if isinstance(e, ev.ConversationEnded)), None)
    if ended is not None:
        # Nothing more goes to someone who stopped or left, not even what was still queued.
        outbox.cancel_pending(session, row.id, f"cancelled: the reporter {ended.reason} the chat")

    def put(purpose: str, payload: dict[str, Any], case_id: int | None = None) -> None:
        outbox.enqueue(
            session,
            org=row.org,
            channel=row.channel,
            purpose=purpose,
            recipient=address,
            payload=payload,
            at=at,
            case_id=case_id,
            conversation_id=row.id,
        )

    if ended is not None and ended.reason == "exited":
        # The quick exit: the door erases what it can of the chat, then says its last line.
        put("erase", {"erase": _erasable(session, row), "messages": [r.to_dict() for r in replies]})
        return
    code = [r for r in replies if r.kind == "victims_code"]
    for reply in replies:
        if reply.kind != "victims_code":
            put("reply", {"messages": [reply.to_dict()]})
        elif reply is code[0]:
            # One row, one delivery: the case records the Victims Code sent when all of it is.
            put("victims_code", {"messages": [r.to_dict() for r in code]}, case.id if case else None)


def _erasable(session: Session, row: ConversationRow) -> dict[str, list[list[str]]]:
    """The provider ids (and times) of the messages this conversation exchanged, as far as they are known."""
    received = session.execute(
        select(InboundReceipt.message_ref, InboundReceipt.received_at).where(
            InboundReceipt.conversation_id == row.id, InboundReceipt.message_ref.is_not(None)
        )
    ).all()
    sent = session.execute(
        select(OutboxRow.provider_message_id, OutboxRow.sent_at).where(
            OutboxRow.conversation_id == row.id, OutboxRow.provider_message_id.is_not(None)
        )
    ).all()
    return {
        "received": [[ref, at.isoformat()] for ref, at in received],
        "sent": [[ref, at.isoformat()] for ref, at in sent if at is not None],
    }


def notify_team(session: Session, intake: Intake, case: CaseRow, at: Any, *, escalated: bool) -> None:
    """Tell the landlord's team at once, through the outbox: the reference and risk, never the report's words."""
    profile = intake.profiles[case.org]
    outbox.enqueue(
        session,
        org=case.org,
        channel="email",
        purpose="team_notice",
        recipient=intake.team_email(case.org),
        case_id=case.id,
        at=at,
        payload={
            "reference": case.reference,
            "org_name": profile.name,
            "channel": case.channel,
            "risk_level": case.risk_level,
            "risk_reasons": list(case.risk_reasons),
            "first_contact_due": case.first_contact_due.isoformat(),
            "status": case.status,
            "escalated": escalated,
        },
    )


def current_replies(intake: Intake, org: str, channel: str, sender_key: str) -> list[OutboundMessage] | None:
    """What the reporter was last asked, without changing anything; None when no conversation is live."""
    found = live_conversation(intake, org, channel, sender_key)
    return None if found is None else current_question(*found)


def live_conversation(intake: Intake, org: str, channel: str, sender_key: str) -> tuple[Conversation, EngineContext] | None:
    """A sender's live conversation and the context to read it with, changing nothing; None when there is none."""
    with intake.store.transaction() as session:
        row = session.scalar(_live_conversation_query(org, channel, sender_key))
        if row is None:
            return None
        conversation = Conversation.from_json(row.state)
        case = session.get(CaseRow, row.case_id) if row.case_id else None
        context = EngineContext(
            profile=intake.profiles[org],
            channel=channel,
            public_url=intake.public_url,
            fresh_reference="",
            case_status=case.status if case else None,
            first_contact_due=case.first_contact_due if case else None,
        )
    return conversation, context
