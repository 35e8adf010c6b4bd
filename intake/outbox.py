"""The durable outbound queue: written in the same transaction as its cause, delivered with retries.

Any number of workers may run: a row is claimed with a conditional UPDATE, so only
one worker holds it, and a claim that outlives its lease (a worker that died) is
taken over. A retried provider callback never doubles anything: provider message
ids are unique.

A send whose outcome is unknown (the provider took the request but its answer timed
out, or the worker died mid-send) is reconciled before it is sent again: a sender
that can ask its provider (`sent_since`) looks the message up and sends it only if
it is not there; one that cannot waits longer and sends it once more at most, and
the row records that the reporter may have it twice.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from intake.cases import reporter_left
from intake.errors import SendError
from intake.message_outcomes import settle_messages
from intake.messages import OutboundMessage, utcnow
from intake.orgs import load_profiles
from intake.store.crypto import keys_for
from intake.store.db import Store
from intake.store.models import CaseEventRow, CaseRow, ConversationRow, InboundReceipt, OptOutRow, OutboxRow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10
FIRST_RETRY_SECONDS = 5
LONGEST_WAIT_SECONDS = 3600
# How long a send whose outcome is unknown waits before it is looked up or tried again
# (INTAKE_OUTBOX_RECHECK_SECONDS): long enough for a slow provider to have finished with it.
RECHECK_SECONDS = 60.0
# With no way to ask the provider, a send in doubt is tried once more and no more:
# a reporter may get a message twice, never three times.
BLIND_RETRIES = 1


@dataclass(frozen=True)
class Outgoing:
    """One queued message as a sender sees it."""

    id: int
    org: str
    channel: str
    purpose: str
    recipient: str | None
    payload: Mapping[str, Any]
    attempts: int
    # Set when an earlier attempt may have reached the provider: the start of the first such attempt.
    in_doubt_since: datetime | None = None
    unknown_outcomes: int = 0


class Sender(Protocol):
    """A door's way out. It may also define:
    - `parts(message) -> list[payload] | None`: how to cut a payload into what the provider sends
      one at a time (SMS bodies); the outbox then queues each part as its own row, so a retry
      repeats only the part that failed;
    - `sent_since(message, since) -> list[str]`: the provider's ids of messages it already holds
      that are this one (same recipient, sender and content) created since `since`, newest first,
      or SendError when it cannot tell. With it, a send in doubt is looked up before it is retried.
    """

    def send(self, message: Outgoing) -> str:
        """Hand the message to the provider and return its message id, or raise SendError."""


def enqueue(
    session: Session,
    *,
    org: str,
    channel: str,
    purpose: str,
    recipient: str | None,
    payload: dict[str, Any],
    at: datetime,
    case_id: int | None = None,
    conversation_id: int | None = None,
    once_key: str | None = None,
) -> OutboxRow:
    row = OutboxRow(
        org=org,
        channel=channel,
        purpose=purpose,
        recipient=recipient,
        recipient_key=recipient_key(session, channel, recipient),
        payload=payload,
        case_id=case_id,
        conversation_id=conversation_id,
        status="pending",
        attempts=0,
        next_attempt_at=at,
        created_at=at,
        once_key=once_key,
    )
    session.add(row)
    return row


def enqueue_once(session: Session, *, once_key: str, **message: Any) -> OutboxRow | None:
    """Queue a message unless one with this key was ever queued, by this worker or any other; None when it was."""
    if session.scalar(select(OutboxRow.id).where(OutboxRow.once_key == once_key)) is not None:
        return None
    try:
        with session.begin_nested():
            row = enqueue(session, once_key=once_key, **message)
            session.flush()
    except IntegrityError:
        return None  # another worker queued it between our look and our insert
    return row


def recipient_key(session: Session, channel: str, recipient: str | None) -> str | None:
    """The keyed hash a recipient is found by: its address is encrypted, and so never compared."""
    if recipient is None:
        return None
    return keys_for(session.get_bind().dialect).lookup(f"outbox.recipient:{channel}", recipient)


class Waker:
    """Wakes this process's delivery worker as soon as a transaction has queued something for it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Sleep until woken or `timeout` seconds pass; True when woken."""
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken


def queue_replies(
    session: Session,
    *,
    org: str,
    channel: str,
    recipient: str,
    conversation_id: int,
    case_id: int | None,
    replies: list[OutboundMessage],
    at: datetime,
    ended_reason: str | None = None,
    in_reply_to: str | None = None,
    door_effects: tuple[dict[str, Any], ...] = (),
) -> int:
    """Queue a turn's replies to a chat, in order: the door's own effects, then one row per reply,
    the Victims Code's lines together as one row. Return how many rows were queued."""
    if ended_reason is not None:
        # Nothing more goes to someone who stopped or left, not even what was still queued.
        cancel_pending(session, conversation_id, f"cancelled: the reporter {ended_reason} the chat")
    rows: list[tuple[str, dict[str, Any], int | None]] = [("door_effect", dict(effect), None) for effect in door_effects]
    if ended_reason == "exited" and replies:
        # The quick exit: the door erases what it can of the chat (this very message too), then says its last line.
        erase = erasable(session, conversation_id)
        if in_reply_to:
            erase["received"].append([in_reply_to, at.isoformat()])
        rows.append(("erase", {"erase": erase, "messages": [r.to_dict() for r in replies]}, None))
    else:
        code = [r for r in replies if r.kind == "victims_code"]
        for reply in replies:
            if reply.kind != "victims_code":
                rows.append(("reply", {"messages": [reply.to_dict()], "in_reply_to": in_reply_to}, None))
            elif reply is code[0]:
                # One row, one delivery: the case records the Victims Code sent when all of it is.
                rows.append(("victims_code", {"messages": [r.to_dict() for r in code]}, case_id))
    for purpose, payload, case in rows:
        enqueue(session, org=org, channel=channel, purpose=purpose, recipient=recipient, payload=payload, at=at,
                case_id=case, conversation_id=conversation_id)  # fmt: skip
    return len(rows)


def erasable(session: Session, conversation_id: int) -> dict[str, list[list[str]]]:
    """The provider ids (and times) of the messages a conversation exchanged, as far as they are known."""
    received = session.execute(
        select(InboundReceipt.message_ref, InboundReceipt.received_at).where(
            InboundReceipt.conversation_id == conversation_id, InboundReceipt.message_ref.is_not(None)
        )
    ).all()
    sent = session.execute(
        select(OutboxRow.provider_message_id, OutboxRow.sent_at).where(
            OutboxRow.conversation_id == conversation_id, OutboxRow.provider_message_id.is_not(None)
        )
    ).all()
    return {
        "received": [[ref, at.isoformat()] for ref, at in received],
        "sent": [[ref, at.isoformat()] for ref, at in sent if at is not None],
    }


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait before the next try: the provider's own wait, or exponential with jitter."""
    if retry_after is not None:
        return max(float(retry_after), 1.0)
    wait = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_WAIT_SECONDS)
    return wait * random.uniform(0.8, 1.2)


def claim(store: Store, worker: str, now: datetime, limit: int = 20, channels: Collection[str] | None = None) -> list[Outgoing]:
    """Take up to `limit` due messages for this worker alone (only on `channels`, when given)."""
    earlier = aliased(OutboxRow)
    due = or_(
        (OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now),
        (OutboxRow.status == "sending") & (OutboxRow.claimed_until < now),
    ) & ~exists().where(
        # A conversation's replies arrive in the order they were written: a message waits
        # while an earlier one to the same chat is unsent (retrying after a 429, say).
        earlier.channel == OutboxRow.channel,
        earlier.recipient_key == OutboxRow.recipient_key,
        earlier.conversation_id.is_not(None),
        earlier.status.in_(("pending", "sending")),
        earlier.id < OutboxRow.id,
    )
    if channels is not None:
        due = due & OutboxRow.channel.in_(tuple(channels))
    claimed: list[Outgoing] = []
    with store.transaction() as session:
        # SKIP LOCKED (PostgreSQL): workers never wait on, or deadlock over, each other's rows.
        rows = session.scalars(
            select(OutboxRow)
            .where(due)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            taking_over = row.status == "sending"
            if taking_over and row.attempts >= MAX_ATTEMPTS:
                # Every claim of it ended with its worker dying: stop trying.
                row.status, row.recipient, row.claimed_by, row.claimed_until = "failed", None, None, None
                row.last_error = "abandoned: the worker stopped mid-send on every attempt"
                continue
            values: dict[str, Any] = {"status": "sending", "claimed_by": worker, "claimed_until": now + LEASE,
                                      "attempts": OutboxRow.attempts + 1, "attempted_at": now}  # fmt: skip
            if taking_over:
                # Its worker died mid-send, so what it was sending may have gone.
                values["unknown_outcomes"] = OutboxRow.unknown_outcomes + 1
                values["in_doubt_since"] = func.coalesce(OutboxRow.in_doubt_since, OutboxRow.attempted_at, OutboxRow.created_at)
            taken = session.execute(
                update(OutboxRow).where(OutboxRow.id == row.id, due).values(values).execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:
                session.refresh(row)
                claimed.append(_outgoing(row))
    return claimed


def _outgoing(row: OutboxRow) -> Outgoing:
    return Outgoing(row.id, row.org, row.channel, row.purpose, row.recipient, dict(row.payload), row.attempts,
                    row.in_doubt_since, row.unknown_outcomes)  # fmt: skip


# A message cut into parts queues them behind itself; a few more rounds send them now.
ROUNDS = 5


def deliver_due(
    store: Store,
    senders: Mapping[str, Sender],
    worker: str,
    clock: Callable[[], datetime] = utcnow,
    channels: Collection[str] | None = None,
    recheck_seconds: float = RECHECK_SECONDS,
) -> int:
    """Deliver what is due now (only on `channels`, when given); return how many were handed to a provider.

    A send whose outcome is unknown waits at least `recheck_seconds` before it is reconciled."""
    delivered = 0
    for _ in range(ROUNDS):
        sent, split = _deliver_claimed(store, senders, worker, clock, channels, recheck_seconds)
        delivered += sent
        if not split:
            break
    return delivered


def _deliver_claimed(
    store: Store,
    senders: Mapping[str, Sender],
    worker: str,
    clock: Callable[[], datetime],
    channels: Collection[str] | None,
    recheck_seconds: float,
) -> tuple[int, bool]:
    delivered, split = 0, False
    for message in claim(store, worker, clock(), channels=channels):
        sender = senders.get(message.channel)
        if sender is None:
            _finish(store, message, worker, clock(), error=SendError(f"no sender for channel {message.channel}", retryable=True))
            continue
        if _opted_out(store, message):
            _finish(store, message, worker, clock(), error=SendError("recipient opted out", retryable=False))
            continue
        if _reporter_left(store, message):
            # An officer's message held for its window must not reach someone who has since left.
            _finish(store, message, worker, clock(), error=SendError("the reporter sent STOP or left", retryable=False))
            continue
        cut = getattr(sender, "parts", None)
        parts = cut(message) if cut is not None else None
        if parts is not None:
            first = _split(store, message, worker, parts, clock())
            if first is None:
                continue
            split = split or len(parts) > 1
            message = first
        if message.in_doubt_since is not None:
            settled = _reconcile(store, sender, message, message.in_doubt_since, worker, clock)
            if settled is not None:
                delivered += settled
                continue
        try:
            provider_id = sender.send(message)
        except SendError as error:
            log.warning("outbox %s: %s attempt %d failed: %s", message.id, message.channel, message.attempts, error.reason)
            if error.outcome_unknown and not _can_look_up(sender) and message.unknown_outcomes >= BLIND_RETRIES:
                error = SendError(f"{error.reason}: {UNKNOWN_AGAIN}", retryable=False)
            _finish(store, message, worker, clock(), error=error, recheck_seconds=recheck_seconds)
            continue
        except Exception as crash:
            # Only the type, no traceback: a provider library's message may quote the recipient.
            log.error("outbox %s: %s sender crashed (%s)", message.id, message.channel, type(crash).__name__)
            _finish(store, message, worker, clock(), error=SendError(f"sender crashed: {type(crash).__name__}", retryable=True))
            continue
        _finish(store, message, worker, clock(), provider_id=provider_id)
        delivered += 1
    return delivered, split


UNKNOWN_AGAIN = "its outcome was unknown again, and it is never sent a third time"


def _can_look_up(sender: Sender) -> bool:
    return callable(getattr(sender, "sent_since", None))


def _reconcile(
    store: Store, sender: Sender, message: Outgoing, since: datetime, worker: str, clock: Callable[[], datetime]
) -> int | None:
    """Settle a send that may already have gone (an attempt since `since`) before sending it again.

    Returns None when it should be sent now, else how many messages it settled as sent (1 or 0).
    """
    if not _can_look_up(sender):
        if message.unknown_outcomes > BLIND_RETRIES:
            _finish(
                store, message, worker, clock(), error=SendError(f"a worker stopped mid-send: {UNKNOWN_AGAIN}", retryable=False)
            )
            return 0
        log.warning("outbox %s: %s: the last attempt's outcome is unknown and cannot be looked up: sending it once more",
                    message.id, message.channel)  # fmt: skip
        _mark_possible_duplicate(store, message, worker)
        return None
    try:
        found = sender.sent_since(message, since)  # type: ignore[attr-defined]
    except SendError as error:
        log.warning("outbox %s: %s: could not look up the last attempt: %s", message.id, message.channel, error.reason)
        _finish(store, message, worker, clock(), error=error)
        return 0
    provider_id = _unrecorded(store, found)
    if provider_id is None:
        log.info("outbox %s: %s: the provider does not have the last attempt: sending it again", message.id, message.channel)
        return None
    log.info("outbox %s: %s: the provider already has it: not sent again", message.id, message.channel)
    _finish(store, message, worker, clock(), provider_id=provider_id)
    return 1


def _unrecorded(store: Store, provider_ids: list[str]) -> str | None:
    """The first of these ids that no other row sent: a message with the same words may have gone before this one."""
    if not provider_ids:
        return None
    with store.transaction() as session:
        known = set(session.scalars(select(OutboxRow.provider_message_id).where(OutboxRow.provider_message_id.in_(provider_ids))))
    return next((i for i in provider_ids if i not in known), None)


def _mark_possible_duplicate(store: Store, message: Outgoing, worker: str) -> None:
    # Recorded before the send, so a worker that dies during it still leaves the mark.
    with store.transaction() as session:
        row = session.get(OutboxRow, message.id)
        if row is not None and row.claimed_by == worker and row.status == "sending":
            row.possible_duplicate = True


def _split(store: Store, message: Outgoing, worker: str, parts: list[dict[str, Any]], now: datetime) -> Outgoing | None:
    """Keep the first part on the claimed row and queue the rest behind it, in order, in one transaction."""
    with store.transaction() as session:
        row = session.get(OutboxRow, message.id)
        if row is None or row.claimed_by != worker or row.status != "sending":
            return None
        if not parts:
            row.status, row.recipient, row.claimed_by, row.claimed_until = "failed", None, None, None
            row.last_error = "nothing to send"
            return None
        row.payload = parts[0]
        for part in parts[1:]:
            enqueue(
                session, org=row.org, channel=row.channel, purpose=row.purpose, recipient=row.recipient,
                payload=part, at=now, case_id=row.case_id, conversation_id=row.conversation_id,
            )  # fmt: skip
    return replace(message, payload=parts[0])


def _opted_out(store: Store, message: Outgoing) -> bool:
    key = message.payload.get("sender_key")
    if not key:
        return False
    with store.transaction() as session:
        return (
            session.scalar(select(OptOutRow.id).where(OptOutRow.channel == message.channel, OptOutRow.sender_key == key))
            is not None
        )


def _reporter_left(store: Store, message: Outgoing) -> bool:
    if message.purpose != "officer_message":
        return False
    with store.transaction() as session:
        row = session.get(OutboxRow, message.id)
        if row is None or row.case_id is None:
            return False
        chat = select(CaseEventRow).where(
            CaseEventRow.case_id == row.case_id, CaseEventRow.kind.in_(("conversation_ended", "conversation_resumed"))
        )
        return reporter_left(session.scalars(chat.order_by(CaseEventRow.id)).all())


def _finish(
    store: Store,
    message: Outgoing,
    worker: str,
    now: datetime,
    *,
    provider_id: str | None = None,
    error: SendError | None = None,
    recheck_seconds: float = RECHECK_SECONDS,
) -> None:
    with store.transaction() as session:
        row = session.get(OutboxRow, message.id)
        if row is None or row.claimed_by != worker or row.status != "sending":
            return  # our lease ran out and another worker took the row over
        row.claimed_by, row.claimed_until = None, None
        if error is None:
            row.status, row.sent_at, row.recipient, row.last_error = "sent", now, None, None
            row.provider_message_id, row.in_doubt_since = provider_id, None
            if row.purpose == "victims_code" and row.case_id is not None:
                _victims_code_sent(session, row.case_id, now)
            elif row.purpose == "officer_message":
                _settle(session, row, now)
        elif error.outcome_unknown and row.attempts < MAX_ATTEMPTS:
            row.status, row.unknown_outcomes = "pending", row.unknown_outcomes + 1
            row.in_doubt_since = row.in_doubt_since or row.attempted_at or now
            wait = max(backoff(row.attempts, error.retry_after), recheck_seconds)
            row.next_attempt_at = now + timedelta(seconds=wait)
            row.last_error = f"outcome unknown: {error.reason}"[:500]
        elif error.retryable and row.attempts < MAX_ATTEMPTS:
            row.status = "pending"
            row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, error.retry_after))
            row.last_error = error.reason[:500]
        else:
            row.status, row.recipient, row.last_error = "failed", None, error.reason[:500]
            if row.case_id is not None:
                session.add(
                    CaseEventRow(
                        case_id=row.case_id,
                        at=now,
                        kind="message_failed",
                        data={"purpose": row.purpose, "reason": error.reason[:200]},
                    )
                )


def cancel_pending(session: Session, conversation_id: int, reason: str) -> int:
    """Stop the conversation's replies that have not gone yet (after STOP or the quick exit); return how many."""
    rows = session.scalars(
        select(OutboxRow).where(OutboxRow.conversation_id == conversation_id, OutboxRow.status == "pending")
    ).all()
    for row in rows:
        row.status, row.recipient, row.last_error = "cancelled", None, reason
    return len(rows)


def _victims_code_sent(session: Session, case_id: int, now: datetime) -> None:
    case = session.get(CaseRow, case_id)
    if case is not None and case.victims_code_sent_at is None:
        case.victims_code_sent_at = now
        case.victims_code_status = "sent"
        session.add(CaseEventRow(case_id=case_id, at=now, kind="victims_code_sent", data={"via": "outbox"}))


# Providers report a message's progress out of order; a later stage never goes back.
DELIVERY_STAGES = {"accepted": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5, "undelivered": 4, "failed": 4}


def record_delivery(session: Session, provider_message_id: str, status: str, at: datetime) -> bool:
    """A provider's delivery report; True when it matched a message we sent."""
    row = session.scalar(select(OutboxRow).where(OutboxRow.provider_message_id == provider_message_id))
    if row is None:
        return False
    if not _moves_forward(row.delivery_status, status):
        return True
    row.delivery_status = status
    if row.purpose == "victims_code" and row.case_id is not None:
        case = session.get(CaseRow, row.case_id)
        if case is not None:
            victims_code_delivery(case, status, at)
    elif row.purpose == "officer_message":
        _settle(session, row, at)
    return True


def _settle(session: Session, row: OutboxRow, at: datetime) -> None:
    """An officer's message may now count as a message left (or, answered already, a contact)."""
    case = session.get(CaseRow, row.case_id) if row.case_id is not None else None
    profile = load_profiles().get(row.org)
    if case is not None and profile is not None:
        session.flush()
        settle_messages(session, case, profile, at)


def record_reply_delivery(
    session: Session, channel: str, inbound_provider_id: str, status: str, at: datetime, instance: str = ""
) -> bool:
    """A delivery report for a reply handed back in a webhook's response (not sent through the outbox).

    The door names the inbound message the reply answered; if that reply carried the
    Victims Code, its case records how far it got. True when it matched a case.
    """
    receipt = session.scalar(
        select(InboundReceipt).where(
            InboundReceipt.channel == channel,
            InboundReceipt.instance == instance,
            InboundReceipt.provider_id == inbound_provider_id,
        )
    )
    if receipt is None or receipt.conversation_id is None:
        return False
    conversation = session.get(ConversationRow, receipt.conversation_id)
    case = session.get(CaseRow, conversation.case_id) if conversation and conversation.case_id else None
    if case is None or case.victims_code_sent_at is None:
        return False
    victims_code_delivery(case, status, at)
    return True


def victims_code_delivery(case: CaseRow, status: str, at: datetime) -> None:
    if not _moves_forward(case.victims_code_status, status):
        return
    case.victims_code_status = status
    if status == "delivered" and case.victims_code_delivered_at is None:
        case.victims_code_delivered_at = at


def _moves_forward(current: str | None, reported: str) -> bool:
    return DELIVERY_STAGES.get(reported, 0) >= DELIVERY_STAGES.get(current or "", -1)
