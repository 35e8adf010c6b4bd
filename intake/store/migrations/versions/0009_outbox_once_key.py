"""outbox.once_key: a message that must be queued once whatever runs it, such as an officer's morning email

The key (for example "digest:mkcc:12:2026-12-07") is unique, so when two workers both decide
the 08:00 email is due, the second one's insert fails and it queues nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("once_key", sa.String(160), nullable=True))
        batch.create_unique_constraint("uq_outbox_once_key", ["once_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_once_key", type_="unique")
        batch.drop_column("once_key")
