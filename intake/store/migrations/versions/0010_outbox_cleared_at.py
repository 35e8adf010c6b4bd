"""outbox.cleared_at: when a finished message's payload was cleared (intake.housekeeping.forget_finished_messages)

Once a message's delivery is final and the providers' retry window has passed, nothing needs
its words or its recipient: the payload is emptied, and this says when.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("cleared_at")
