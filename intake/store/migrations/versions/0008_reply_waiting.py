"""cases.reply_waiting_since: a reporter wrote after their report and no officer has dealt with it yet

Set by the first message a reporter sends after submitting while none is waiting, and
cleared when an officer marks it read, writes back or records a contact with them. The
queue shows and filters on it, so the open-queue index (0006) carries it too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = sa.text("work_status <> 'closed'")
# As in intake.store.models.OPEN_QUEUE_COLUMNS, frozen here as this revision made them.
BEFORE = [
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
]
AFTER = [*BEFORE, "reply_waiting_since"]


def _open_queue(columns: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_open_queue", table_name="cases")
        op.create_index("ix_cases_open_queue", "cases", ["org", "owner_id"], postgresql_include=columns, postgresql_where=OPEN)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("reply_waiting_since", sa.DateTime(timezone=True), nullable=True))
    _open_queue(AFTER)


def downgrade() -> None:
    _open_queue(BEFORE)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("reply_waiting_since")
