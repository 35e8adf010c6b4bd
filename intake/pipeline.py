"""handle(inbound) -> replies: one message, one transaction, whichever door it came through.

dedupe       a provider's retry gets the stored replies and changes nothing
load         the sender's live conversation (locked on PostgreSQL), its case, what the engine may know
understand   danger and language read from the words; a keyword, or the answer they give
advance      the pure engine: replies and events
apply        each event's effect on the case, opt-outs, the case team told
persist      conversation, case, files, outbox and receipt, each row written once
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import cases, metrics, nlp, optouts, outbox, survey, surveys
from intake import events as ev
from intake.answers import Answers
from intake.conversation import RESUME, Conversation
from intake.engine import EngineContext, Step, Understood, advance, current_question, read
from intake.engine.reading import answer_words, keyword
from intake.engine.wording import Wording
from intake.evidence import MAX_FILES_PER_REPORT
from intake.i18n import translator
from intake.message_outcomes import settle_messages
from intake.messages import STAFF, DoorTraits, InboundMessage, OutboundMessage
from intake.orgs.schema import Profile
from intake.questions import today_in
from intake.store.db import Store
from intake.store.models import AttachmentRow, CaseRow, ConversationRow, InboundReceipt

log = logging.getLogger(__name__)
ATTEMPTS = 3


@dataclass(frozen=True)
class Intake:
    """Everything the pipeline needs that is not in the message."""

    store: Store
    profiles: Mapping[str, Profile]
    public_url: str
    team_emails: Mapping[str, str]
    # What the conversation may know of each door, by channel (channels/registry.py supplies them).
    doors: Mapping[str, DoorTraits] = field(default_factory=dict)
    references: Callable[[str], str] = cases.new_reference  # prefix -> a fresh case reference
    waker: outbox.Waker = field(default_factory=outbox.Waker)

    def team_email(self, org: str) -> str:
        profile = self.profiles[org]
        return self.team_emails.get(org) or profile.notifications.team_email or f"case-team@{org}.localhost"

    def door(self, channel: str) -> DoorTraits:
        return self.doors.get(channel) or (STAFF if channel == STAFF.name else DoorTraits(channel))


@dataclass
class Loaded:
    """What the turn starts from."""

    row: ConversationRow | None  # the live conversation; None when this message starts one
    conversation: Conversation
    case: CaseRow | None
    context: EngineContext
    opted_out: bool
    stopped_row: ConversationRow | None = None  # a report stopped lately, when START may carry it on


@dataclass
class Applied:
    case: CaseRow | None
    reply_address: str | None  # the raw address kept on the conversation, only where the reporter agreed
    opened: bool = False
    escalated: bool = False
    replied: bool = False  # the reporter wrote after their report, and nothing else of theirs was waiting
    danger_after_report: bool = False


def handle(intake: Intake, inbound: InboundMessage, *, reply_by_outbox: bool = False) -> list[OutboundMessage]:
    """Record, understand and answer one message; a provider's retry gets the same answer and changes nothing.

    With `reply_by_outbox` (a door whose replies cannot ride on the webhook's response),
    the replies are also queued in the outbox to `inbound.reply_address`, in this same
    transaction, so a redelivered message queues nothing again.
    """
    if inbound.org not in intake.profiles:
        raise KeyError(f"unknown org {inbound.org!r}")
    counted = metrics.MESSAGES.labels(inbound.org, inbound.channel, "error")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with intake.store.transaction() as session, session.no_autoflush:
                replies, queued, outcome = _turn(session, intake, inbound, reply_by_outbox)
        except IntegrityError:
            # Another worker took the same provider id or opened this sender's conversation
            # at the same moment, or a reference collided: start again and see its result.
            if attempt == ATTEMPTS:
                counted.inc()
                raise
            log.info("pipeline: concurrent write on %s, retrying", inbound.channel)
            continue
        except Exception:
            counted.inc()
            raise
        metrics.MESSAGES.labels(inbound.org, inbound.channel, outcome).inc()
        if queued:
            intake.waker.wake()
        return replies
    raise AssertionError("unreachable")


def _turn(
    session: Session, intake: Intake, inbound: InboundMessage, reply_by_outbox: bool
) -> tuple[list[OutboundMessage], bool, str]:
    """The turn's replies, whether it queued anything, and its outcome: handled, or duplicate (a provider's retry)."""
    stored = dedupe(session, inbound)
    if stored is not None:
        return stored, False, "duplicate"
    # On PostgreSQL, lock the row so two messages from one reporter take turns;
    # SQLite's BEGIN IMMEDIATE already serialises writers.
    live = _live_conversation(session, inbound.org, inbound.channel, inbound.sender_key, lock=True)
    if live is None or _on_a_closed_case(live):
        # Only then can a survey be waiting: a report under way, or an open case, has the message.
        answered = _survey_turn(session, intake, inbound, reply_by_outbox)
        if answered is not None:
            return (*answered, "handled")
    loaded = load(session, intake, inbound, live)
    inbound = within_file_limit(session, loaded, inbound)
    understood = understand(loaded, inbound)
    find_stopped(session, intake, loaded, inbound, understood)
    step = advance(loaded.conversation, inbound, understood, loaded.context)
    applied = apply(session, intake, loaded, step, inbound, reply_by_outbox)
    return (*persist(session, intake, loaded, step, applied, inbound, reply_by_outbox), "handled")


# ---- dedupe ---------------------------------------------------------------------------------------
# Built once: a statement made anew for every message costs SQLAlchemy more than running it.
_SEEN = select(InboundReceipt).where(
    InboundReceipt.channel == bindparam("channel"),
    InboundReceipt.instance == bindparam("instance"),
    InboundReceipt.provider_id == bindparam("provider_id"),
)
_LIVE = select(ConversationRow).where(
    ConversationRow.org == bindparam("org"),
    ConversationRow.channel == bindparam("channel"),
    ConversationRow.sender_key == bindparam("sender_key"),
    ConversationRow.status != "ended",
)


def seen(session: Session, inbound: InboundMessage) -> InboundReceipt | None:
    if not inbound.provider_id:
        return None
    where = {"channel": inbound.channel, "instance": inbound.instance, "provider_id": inbound.provider_id}
    return session.scalar(_SEEN, where)


def dedupe(session: Session, inbound: InboundMessage) -> list[OutboundMessage] | None:
    """The replies a message already got, when this is a provider's retry of it; None for a new message."""
    receipt = seen(session, inbound)
    return None if receipt is None else [OutboundMessage.from_dict(r) for r in receipt.replies]


def already_handled(intake: Intake, inbound: InboundMessage) -> bool:
    """Whether the pipeline has this message already: a door checks before it calls its provider."""
    with intake.store.transaction() as session:
        return seen(session, inbound) is not None


# ---- a survey waiting for an answer ----------------------------------------------------------------
def _survey_turn(
    session: Session, intake: Intake, inbound: InboundMessage, reply_by_outbox: bool
) -> tuple[list[OutboundMessage], bool] | None:
    """A reply to the satisfaction survey (intake.surveys): survey answers first, and anything else goes to the case.

    None hands the message to the conversation: there is no survey waiting, or the reporter
    wrote STOP, EXIT or NEW (which end the survey too), or words that signal danger, which
    get the 999 advice and a report of their own.
    """
    found = surveys.waiting(session, intake.profiles, inbound)
    if found is None or optouts.opted_out(session, inbound.channel, inbound.sender_key):
        return None
    case, row = found
    at, t = inbound.received_at, translator(case.language)
    ctx = context_for(intake, case.org, inbound.channel, case)
    current = survey.state(surveys.since_closure(case))
    command = inbound.command.name if inbound.command else keyword(inbound.text.strip(), case.language, ctx)
    if command in ("stop", "exit", "new"):
        cases.add_event(
            session, case, "survey_ended", at, reason={"stop": "stopped", "exit": "exited"}.get(command, "new_report")
        )
        return None
    if nlp.analyse(inbound.words, case.language).danger:
        return None
    pressed = inbound.answer
    # A button from an earlier question of the survey answers nothing now.
    picked = pressed.options if pressed is not None and pressed.question_id == survey.QUESTION_IDS.get(current.next or "") else ()
    reply = survey.take(current, inbound.text, picked, command, t, answer_words(case.language, ctx.keywords))
    replies = list(reply.replies)
    queued = False
    if reply.taken:
        for kind, data in reply.events:
            cases.add_event(session, case, kind, at, **data)
    elif inbound.text.strip() or inbound.attachments:
        # Not an answer: it joins the case, and the question stays.
        cases.apply(session, case, ev.FurtherInformation(case.reference, inbound.text.strip()), at)
        if case.reply_waiting_since == at:
            notify_team(session, intake, case, at, kind="reply")
            queued = True
        wording = Wording(Conversation(org=case.org, channel=inbound.channel, language=case.language), ctx)
        replies = [wording.notice("further_information", reference=case.reference), survey.asked(current.next or "outcome", t)]
    else:
        replies = [survey.asked(current.next or "outcome", t)]
    for attachment in inbound.attachments:
        session.add(AttachmentRow(conversation_id=row.id, case_id=case.id, filename=attachment.filename,
                                  content_type=attachment.content_type, size=attachment.size,
                                  stored_path=attachment.stored_path, received_at=at))  # fmt: skip
    row.updated_at = at
    if reply_by_outbox and inbound.reply_address:
        queued = outbox.queue_replies(session, org=case.org, channel=inbound.channel, recipient=inbound.reply_address,
                                      conversation_id=row.id, case_id=case.id, replies=replies, at=at,
                                      in_reply_to=inbound.message_ref, door_effects=inbound.door_effects) > 0 or queued  # fmt: skip
    if inbound.provider_id:
        session.add(InboundReceipt(channel=inbound.channel, instance=inbound.instance, provider_id=inbound.provider_id,
                                   replies=[r.to_dict() for r in replies], received_at=at, conversation_id=row.id,
                                   message_ref=inbound.message_ref))  # fmt: skip
    return replies, queued


# ---- load ---------------------------------------------------------------------------------------
def _live_conversation(
    session: Session, org: str, channel: str, sender_key: str, *, lock: bool = False
) -> ConversationRow | None:
    statement = _LIVE.with_for_update() if lock else _LIVE
    return session.scalar(statement, {"org": org, "channel": channel, "sender_key": sender_key})


def context_for(intake: Intake, org: str, channel: str, case: CaseRow | None, at: datetime | None = None) -> EngineContext:
    profile = intake.profiles[org]
    return EngineContext(
        profile=profile,
        door=intake.door(channel),
        public_url=intake.public_url,
        fresh_reference=intake.references(profile.reference_prefix) if at is not None else "",
        case_status=case.status if case else None,
        first_contact_due=case.first_contact_due if case else None,
        today=today_in(at, profile.timezone) if at is not None else None,
    )


def _on_a_closed_case(row: ConversationRow) -> bool:
    """A chat still open after its report was sent, whose case an officer has since closed."""
    return row.status == "submitted" and row.case is not None and row.case.work_status == "closed"


def load(session: Session, intake: Intake, inbound: InboundMessage, row: ConversationRow | None) -> Loaded:
    """What the turn starts from; `row` is the sender's live conversation, locked, or None."""
    profile = intake.profiles[inbound.org]
    if row is not None and _on_a_closed_case(row):
        _end(session, row, "case_closed", inbound.received_at)
        row = None
    case = row.case if row is not None else None
    if row is not None:
        conversation = Conversation.from_json(row.state)
    else:
        conversation, case = _returning(session, inbound) or (
            Conversation(org=inbound.org, channel=inbound.channel, language=profile.default_language),
            None,
        )
    return Loaded(
        row=row,
        conversation=conversation,
        case=case,
        context=context_for(intake, inbound.org, inbound.channel, case, inbound.received_at),
        opted_out=optouts.opted_out(session, inbound.channel, inbound.sender_key),
    )


# The sender's latest chat on this door that became a case still open: a reporter writing after
# their chat timed out is writing about that case (routing: a new report only when they say NEW).
_LAST_OPEN_CASE = (
    select(ConversationRow)
    .join(CaseRow, ConversationRow.case_id == CaseRow.id)
    .where(
        ConversationRow.org == bindparam("org"),
        ConversationRow.channel == bindparam("channel"),
        ConversationRow.sender_key == bindparam("sender_key"),
        ConversationRow.status == "ended",
        CaseRow.work_status != "closed",
    )
    .order_by(ConversationRow.updated_at.desc(), ConversationRow.id.desc())
    .limit(1)
)


def _returning(session: Session, inbound: InboundMessage) -> tuple[Conversation, CaseRow] | None:
    """The conversation a returning reporter picks up, already sent, when their chat timed out on an open case.

    Only a chat that timed out: after STOP or the quick exit, someone else may hold the phone.
    Only a named reporter's: an anonymous one was told we keep their number's scrambled form
    only while the chat is open, so a closed chat never links them to what they write next.
    """
    where = {"org": inbound.org, "channel": inbound.channel, "sender_key": inbound.sender_key}
    previous = session.scalar(_LAST_OPEN_CASE, where)
    if previous is None or previous.case is None or previous.case.anonymous is not False:
        return None
    conversation = Conversation.from_json(previous.state)
    if conversation.ended_reason != "expired" or not conversation.case_reference:
        return None
    conversation.status, conversation.step, conversation.menu, conversation.ended_reason = "submitted", None, None, None
    conversation.editing = False
    return conversation, previous.case


def _end(session: Session, row: ConversationRow, reason: str, at: datetime) -> None:
    """Close a live conversation before another takes its place (one live conversation per sender)."""
    conversation = Conversation.from_json(row.state)
    conversation.status, conversation.ended_reason = "ended", reason
    row.state, row.status, row.ended_at, row.updated_at, row.reply_address = conversation.to_json(), "ended", at, at, None
    session.flush()


_ENDED = (
    select(ConversationRow)
    .where(
        ConversationRow.org == bindparam("org"),
        ConversationRow.channel == bindparam("channel"),
        ConversationRow.sender_key == bindparam("sender_key"),
        ConversationRow.status == "ended",
        ConversationRow.ended_at >= bindparam("since"),
    )
    .order_by(ConversationRow.ended_at.desc(), ConversationRow.id.desc())
    .limit(1)
)


def find_stopped(session: Session, intake: Intake, loaded: Loaded, inbound: InboundMessage, understood: Understood) -> None:
    """For START (or an answer to its offer), the sender's last report if they stopped it within the idle limit."""
    command = understood.command.name if understood.command else None
    if command != "start" and loaded.conversation.menu != RESUME:
        return
    profile = intake.profiles[inbound.org]
    since = inbound.received_at - timedelta(minutes=profile.conversation_idle_minutes)
    where = {"org": inbound.org, "channel": inbound.channel, "sender_key": inbound.sender_key, "since": since}
    row = session.scalar(_ENDED, where)
    stopped = Conversation.from_json(row.state) if row is not None else None
    if row is None or stopped is None or not stopped.resumable:
        return
    loaded.stopped_row, loaded.context = row, replace(loaded.context, stopped=stopped)


def within_file_limit(session: Session, loaded: Loaded, inbound: InboundMessage) -> InboundMessage:
    """Keep files up to the report's limit; refuse the rest, and delete what the door stored of them."""
    if not inbound.attachments:
        return inbound
    kept = 0
    if loaded.case is not None:
        # Files sent after the report join its case, whichever chat they came in.
        kept = session.scalar(select(func.count()).where(AttachmentRow.case_id == loaded.case.id)) or 0
    elif loaded.row is not None:
        kept = session.scalar(select(func.count()).where(AttachmentRow.conversation_id == loaded.row.id)) or 0
    room = max(MAX_FILES_PER_REPORT - kept, 0)
    if len(inbound.attachments) <= room:
        return inbound
    for extra in inbound.attachments[room:]:
        Path(extra.stored_path).unlink(missing_ok=True)
    refused = (*inbound.refused_files, *["too_many"] * (len(inbound.attachments) - room))
    return replace(inbound, attachments=inbound.attachments[:room], refused_files=refused)


# ---- understand ----------------------------------------------------------------------------------
def understand(loaded: Loaded, inbound: InboundMessage) -> Understood:
    conversation = loaded.conversation
    analysis = nlp.analyse(inbound.words, conversation.language)
    if conversation.status == "new":
        # Only the first message chooses the language; after that the reporter does.
        analysis = replace(analysis, languages=nlp.detect_language(inbound.text))
    return read(conversation, inbound, analysis, loaded.context)


# ---- apply ----------------------------------------------------------------------------------------
def apply(
    session: Session, intake: Intake, loaded: Loaded, step: Step, inbound: InboundMessage, reply_by_outbox: bool
) -> Applied:
    at, conversation = inbound.received_at, step.conversation
    kept = loaded.row.reply_address if loaded.row else None
    applied = Applied(case=loaded.case, reply_address=_address_to_keep(conversation, inbound, kept, loaded.context))
    waiting = loaded.case.reply_waiting_since if loaded.case is not None else None
    # The engine says danger before the answer that opens the case: open it first, so the
    # danger in a description goes on the case's timeline.
    for event in sorted(step.events, key=lambda e: not isinstance(e, ev.CaseOpened)):
        if isinstance(event, ev.CaseOpened):
            applied.case, applied.opened = _open(session, intake, loaded, conversation, event.reference, at), True
        elif isinstance(event, ev.NewReportStarted):
            applied.case = None
        elif isinstance(event, ev.ReportResumed):
            applied.case = _resumed(session, loaded, event, at)
        elif isinstance(event, ev.OptedOut):
            optouts.opt_out(session, inbound.channel, inbound.sender_key, at, already=loaded.opted_out)
        elif isinstance(event, ev.OptedIn):
            optouts.opt_in(session, inbound.channel, inbound.sender_key)
        elif applied.case is not None:
            delivery = "hand" if loaded.context.door.by_hand else "outbox" if reply_by_outbox else "reply"
            cases.apply(session, applied.case, event, at, delivery=delivery)
    case, ctx = applied.case, loaded.context
    if case is not None and case.status in cases.SYNCED_STATUSES:
        danger = any(isinstance(e, ev.DangerSignalled) for e in step.events)
        raised = cases.sync(case, conversation, ctx.profile, ctx.door, applied.reply_address, ctx.flow,
                            after_report=loaded.conversation.status == "submitted", danger_now=danger)  # fmt: skip
        applied.escalated = raised and not applied.opened
    if case is not None and any(isinstance(e, ev.FurtherInformation) for e in step.events):
        applied.replied = waiting is None and case.reply_waiting_since is not None
        # A reply may answer an officer's message: that makes it a contact (intake.message_outcomes).
        settle_messages(session, case, ctx.profile, at)
    applied.danger_after_report = (
        case is not None
        and loaded.conversation.status == "submitted"
        and any(isinstance(e, ev.DangerSignalled) for e in step.events)
    )
    return applied


def _resumed(session: Session, loaded: Loaded, event: ev.ReportResumed, at: datetime) -> CaseRow | None:
    """The stopped report's case and files come with it to the conversation that carries it on."""
    stopped = loaded.stopped_row
    assert stopped is not None
    if loaded.row is not None:
        files = select(AttachmentRow).where(AttachmentRow.conversation_id == stopped.id, AttachmentRow.case_id.is_(None))
        for attachment in session.scalars(files):
            attachment.conversation_id = loaded.row.id
    case = stopped.case
    if case is not None:
        if case.status == "incomplete":
            case.status = "in_progress"
        cases.add_event(session, case, "conversation_resumed", at)
    return case


def _open(session: Session, intake: Intake, loaded: Loaded, conversation: Conversation, reference: str, at: datetime) -> CaseRow:
    return open_for(session, loaded.context.profile, loaded.row, loaded.conversation, conversation, reference, at)


def open_for(
    session: Session,
    profile: Profile,
    row: ConversationRow | None,
    before: Conversation,
    conversation: Conversation,
    reference: str,
    at: datetime,
) -> CaseRow:
    """The case a conversation becomes: its files, and the danger it told of before there was a case."""
    case = cases.open_case(session, reference=reference, profile=profile, channel=conversation.channel,
                           language=conversation.language, at=at)  # fmt: skip
    if row is not None:
        orphans = select(AttachmentRow).where(AttachmentRow.conversation_id == row.id, AttachmentRow.case_id.is_(None))
        for attachment in session.scalars(orphans):
            attachment.case = case
    if before.danger_evidence:
        cases.add_event(session, case, "danger_signalled", at, evidence=list(before.danger_evidence), earlier=True)
    return case


def _address_to_keep(conversation: Conversation, inbound: InboundMessage, kept: str | None, ctx: EngineContext) -> str | None:
    """The raw address (a phone number, a chat id) is kept only for a reporter who asked to be
    contacted on it; everyone else is known by the keyed hash of it alone."""
    if not Answers(conversation.answers, ctx.flow).contact_here:
        return None
    return inbound.reply_address or kept


# ---- persist ------------------------------------------------------------------------------------------
def persist(
    session: Session,
    intake: Intake,
    loaded: Loaded,
    step: Step,
    applied: Applied,
    inbound: InboundMessage,
    reply_by_outbox: bool,
) -> tuple[list[OutboundMessage], bool]:
    at, conversation, case = inbound.received_at, step.conversation, applied.case
    replies = [replace(r, language=r.language or conversation.language) for r in step.replies]
    if loaded.opted_out and not any(isinstance(e, ev.OptedIn) for e in step.events):
        # After STOP nothing goes to this sender until START. What they write is still
        # kept (a first message that tells the story becomes a case when it times out).
        replies = []
    row = loaded.row or ConversationRow(org=inbound.org, channel=inbound.channel, sender_key=inbound.sender_key, created_at=at)
    kept_address = row.reply_address
    row.state, row.status, row.updated_at, row.case = conversation.to_json(), conversation.status, at, case
    row.reply_address = applied.reply_address
    if conversation.status == "ended":
        row.ended_at, row.reply_address = at, None
    session.add(row)
    session.flush()  # the case, its events and the conversation, each once; later rows need their ids

    for attachment in inbound.attachments:
        session.add(AttachmentRow(conversation_id=row.id, case_id=case.id if case else None, filename=attachment.filename,
                                  content_type=attachment.content_type, size=attachment.size,
                                  stored_path=attachment.stored_path, received_at=at))  # fmt: skip
    if case is not None:
        if applied.danger_after_report:
            notify_team(session, intake, case, at, kind="danger")
        elif applied.opened or applied.escalated:
            notify_team(session, intake, case, at, kind="escalated" if applied.escalated else "opened")
        if applied.replied and not applied.danger_after_report:
            notify_team(session, intake, case, at, kind="reply")
    queued = applied.opened or applied.escalated or applied.danger_after_report or applied.replied
    address = inbound.reply_address or kept_address
    if reply_by_outbox and address:
        ended = next((e.reason for e in step.events if isinstance(e, ev.ConversationEnded)), None)
        queued = outbox.queue_replies(
            session, org=row.org, channel=row.channel, recipient=address, conversation_id=row.id,
            case_id=case.id if case else None, replies=replies, at=at, ended_reason=ended,
            in_reply_to=inbound.message_ref, door_effects=inbound.door_effects,
        ) > 0 or queued  # fmt: skip
    if inbound.provider_id:
        session.add(InboundReceipt(channel=inbound.channel, instance=inbound.instance, provider_id=inbound.provider_id,
                                   replies=[r.to_dict() for r in replies], received_at=at, conversation_id=row.id,
                                   message_ref=inbound.message_ref))  # fmt: skip
    return replies, queued


def notify_team(session: Session, intake: Intake, case: CaseRow, at: Any, *, kind: str = "opened") -> None:
    """Tell the landlord's team at once, through the outbox: the reference and risk, never the reporter's words.

    `kind` (intake.notify.NOTICE_KINDS): a new case, one raised to high risk, a reporter's later
    message that signals danger, or one that waits to be read. A reply goes to the case's
    officer when it has one; danger goes to the team, and to the case's officer as well.
    """
    profile = intake.profiles[case.org]
    team = intake.team_email(case.org)
    owner = case.owner.email if case.owner is not None and not case.owner.disabled else None
    recipients = {"reply": [owner or team], "danger": [team, owner]}.get(kind, [team])
    payload = {
        "reference": case.reference,
        "org_name": profile.name,
        "channel": case.channel,
        "risk_level": case.risk_level,
        "first_contact_due": case.first_contact_due.isoformat(),
        "case_url": f"{intake.public_url.rstrip('/')}/staff/cases/{case.reference}",
        "status": case.status,
        "kind": kind,
    }
    for recipient in dict.fromkeys(r for r in recipients if r):
        outbox.enqueue(session, org=case.org, channel="email", purpose="team_notice", recipient=recipient, case_id=case.id,
                       at=at, payload=payload)  # fmt: skip


# ---- reading without changing ------------------------------------------------------------------------
def current_replies(intake: Intake, org: str, channel: str, sender_key: str) -> list[OutboundMessage] | None:
    """What the reporter was last asked, without changing anything; None when no conversation is live."""
    found = live_conversation(intake, org, channel, sender_key)
    return None if found is None else current_question(*found)


def live_conversation(intake: Intake, org: str, channel: str, sender_key: str) -> tuple[Conversation, EngineContext] | None:
    """A sender's live conversation and the context to read it with, changing nothing; None when there is none."""
    with intake.store.transaction() as session:
        row = _live_conversation(session, org, channel, sender_key)
        if row is None:
            return None
        conversation = Conversation.from_json(row.state)
        context = context_for(intake, org, channel, row.case)
    return conversation, context
