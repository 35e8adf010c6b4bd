"""SQLAlchemy models: conversations, cases and their timeline, inbound receipts, the outbox.

What a reporter said, who they are and how to reach them is encrypted at rest
(`intake.store.crypto`): answers, contact details, conversation state, stored replies,
message payloads and addresses, the timeline's data and file names. Ids, times,
statuses, risk, strands, incident types, door, language and the postcode district stay
in clear: the queues filter on them and the returns count them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from intake.store.crypto import EncryptedJSON, EncryptedText


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class ConversationRow(Base):
    """One reporter's conversation on one door. `sender_key` is a keyed hash, never a raw address."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    sender_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    # The raw address, only while the conversation may still need to reply through the outbox.
    reply_address: Mapped[str | None] = mapped_column(EncryptedText)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    case: Mapped[CaseRow | None] = relationship()

    __table_args__ = (
        # At most one live conversation per sender on a door: the second message of a
        # reporter always finds the first's state.
        Index(
            "uq_conversations_live_sender",
            "org",
            "channel",
            "sender_key",
            unique=True,
            sqlite_where=text("status != 'ended'"),
            postgresql_where=text("status != 'ended'"),
        ),
        Index("ix_conversations_idle", "status", "updated_at"),
    )


class InboundReceipt(Base):
    """A provider message id seen once: a retry finds it and gets the same replies, changing nothing.

    `instance` is the door instance the id is unique within: a landlord's Telegram bot,
    a Twilio account; empty for a door whose ids are unique on their own.
    """

    __tablename__ = "inbound_receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    instance: Mapped[str] = mapped_column(String(64), default="", server_default="")
    provider_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    replies: Mapped[list[Any]] = mapped_column(EncryptedJSON)
    received_at: Mapped[datetime]
    # The message's id in the reporter's chat, kept so a quick exit can erase it (Telegram).
    message_ref: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("channel", "instance", "provider_id", name="uq_inbound_provider_id"),)


# What the queue filters and sorts open cases on, and shows of them: carried by the open-queue
# index on PostgreSQL, so a page of the queue is found without reading the wide case rows.
OPEN_QUEUE_COLUMNS = (
    "id",
    "work_status",
    "risk_level",
    "first_contacted_at",
    "first_contact_due",
    "next_contact_due",
    "status",
    "channel",
    "language",
    "postcode_district",
    "strands",
    "incident_types",
    "reference",
    "created_at",
    "reply_waiting_since",
)


class CaseRow(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    org: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reporter_role: Mapped[str | None] = mapped_column(String(16))
    anonymous: Mapped[bool | None]
    language: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    strands: Mapped[list[Any]]
    incident_types: Mapped[list[Any]]
    risk_score: Mapped[int] = mapped_column(Integer, default=0)
    risk_level: Mapped[str] = mapped_column(String(16))
    risk_reasons: Mapped[list[Any]]
    # Only where the reporter gave their name and agreed to be contacted.
    contact: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    # The outward code of the postcode where it happened ("MK9"), in clear for the returns and maps.
    postcode_district: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    first_contact_due: Mapped[datetime]
    next_contact_due: Mapped[datetime | None]
    victims_code_sent_at: Mapped[datetime | None]
    victims_code_delivered_at: Mapped[datetime | None]
    victims_code_status: Mapped[str | None] = mapped_column(String(16))
    no_messages: Mapped[bool] = mapped_column(default=False)
    # The officers' side, apart from the reporter-side `status`: new -> open -> closed.
    work_status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    outcome: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    first_contacted_at: Mapped[datetime | None]
    plan_agreed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Since when a message the reporter sent after their report has waited for an officer.
    reply_waiting_since: Mapped[datetime | None]
    linked_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # Bumped by every write, so two officers saving at once cannot both win (see intake.casework).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    events: Mapped[list[CaseEventRow]] = relationship(back_populates="case", order_by="CaseEventRow.id")
    attachments: Mapped[list[AttachmentRow]] = relationship(back_populates="case", order_by="AttachmentRow.id")
    action_items: Mapped[list[ActionItemRow]] = relationship(back_populates="case", order_by="ActionItemRow.id")
    owner: Mapped[StaffAccountRow | None] = relationship(foreign_keys=[owner_id])

    __mapper_args__: ClassVar = {"version_id_col": version}
    __table_args__ = (
        Index("ix_cases_queue", "org", "work_status", "first_contact_due"),
        # Open cases only: they stay few as closed ones pile up (migration 0006 says more).
        Index(
            "ix_cases_open_owner",
            "org",
            "owner_id",
            postgresql_where=text("work_status <> 'closed'"),
            sqlite_where=text("work_status <> 'closed'"),
        ),
        Index(
            "ix_cases_open_queue",
            "org",
            "owner_id",
            postgresql_include=list(OPEN_QUEUE_COLUMNS),
            postgresql_where=text("work_status <> 'closed'"),
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_cases_closed_queue",
            "org",
            "closed_at",
            "id",
            postgresql_where=text("work_status = 'closed'"),
            sqlite_where=text("work_status = 'closed'"),
        ),
    )


class CaseEventRow(Base):
    """One line of a case's timeline."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    # Further information, what was disclosed, officer notes: always encrypted, so a fact the
    # returns count goes in a column of its own, as `kind` does.
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    # The staff account that did it; none for what the reporter or the pipeline did.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    case: Mapped[CaseRow] = relationship(back_populates="events")
    actor: Mapped[StaffAccountRow | None] = relationship()


class AttachmentRow(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # The name the reporter's device gave the file ("amina-front-door.jpg"): encrypted, as the file is.
    filename: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int]
    stored_path: Mapped[str] = mapped_column(String(512))
    received_at: Mapped[datetime]
    case: Mapped[CaseRow | None] = relationship(back_populates="attachments")


class OutboxRow(Base):
    """A message waiting to be delivered, written in the same transaction as what caused it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))  # victims_code | team_notice | reply | officer_message
    recipient: Mapped[str | None] = mapped_column(EncryptedText)  # cleared once delivered or failed
    # A keyed hash of (channel, recipient), so a chat's messages are found and kept in order
    # without comparing addresses, which are encrypted; cleared with the recipient.
    recipient_key: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The conversation a reply belongs to, so a quick exit can find and erase what was sent.
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | sent | delivered | failed | cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(256), unique=True)
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # When the latest attempt was claimed: where a lookup starts if its outcome is never known.
    attempted_at: Mapped[datetime | None]
    # Set while an attempt may have reached the provider unanswered (a timeout, a worker killed
    # mid-send): the start of the first such attempt. The row is reconciled before it is sent again.
    in_doubt_since: Mapped[datetime | None]
    unknown_outcomes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Sent again without a way to ask the provider whether the first went: the reporter may have it twice.
    possible_duplicate: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set on a message that must be queued once however many workers decide it is due (outbox.enqueue_once).
    once_key: Mapped[str | None] = mapped_column(String(160))
    # When the payload was emptied: its delivery was final and the retry window had passed.
    cleared_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        UniqueConstraint("once_key", name="uq_outbox_once_key"),
    )

    @validates("recipient")
    def _forget_recipient_key(self, _name: str, recipient: str | None) -> str | None:
        # Clearing the address clears its hash too; a new address gets its hash from outbox.enqueue.
        if recipient is None:
            self.recipient_key = None
        return recipient


class OptOutRow(Base):
    """A sender who said STOP: nothing is sent to them on that door until they say START."""

    __tablename__ = "opt_outs"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("channel", "sender_key", name="uq_opt_out_sender"),)


class ActionItemRow(Base):
    """One item of a case's action plan: what, who, by when, and how far it has got."""

    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # an id from the profile's action_kinds
    what: Mapped[str] = mapped_column(EncryptedText)
    who: Mapped[str] = mapped_column(EncryptedText)
    due: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))  # planned | in_progress | done | dropped
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    case: Mapped[CaseRow] = relationship(back_populates="action_items")


class StaffAccountRow(Base):
    """A case officer, team leader or admin of one landlord. The email is unique across landlords."""

    __tablename__ = "staff_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(String(32), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # kept lower-case
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # officer | team_leader | admin
    password_hash: Mapped[str] = mapped_column(String(256))
    # The authenticator's key: set at enrolment, encrypted like every other secret we hold.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_enrolled_at: Mapped[datetime | None]
    # The last time step whose code was accepted, so a code seen once is never accepted again.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_since: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class StaffSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # When the password was last asked again, for downloads.
    reauth_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    account: Mapped[StaffAccountRow] = relationship()


class AuditRow(Base):
    """One look or change by staff: who, what, which case, when, from where. Append-only (a trigger refuses the rest)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    action: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    account: Mapped[StaffAccountRow | None] = relationship()
    case: Mapped[CaseRow | None] = relationship()

    __table_args__ = (
        Index("ix_audit_org_at", "org", "at"),
        Index("ix_audit_case", "case_id"),
        Index("ix_audit_account", "account_id"),
    )
