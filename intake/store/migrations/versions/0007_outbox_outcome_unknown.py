"""outbox sends whose outcome is unknown: when each attempt began, since when a send is in doubt, and a possible duplicate

A provider that takes a message but answers too late (or a worker killed mid-send)
leaves the row not knowing whether the message went. The worker looks it up before
sending again where the provider can be asked (Twilio), and otherwise sends it once
more at most, and says so on the row (Telegram).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempted_at", WHEN, nullable=True))
        batch.add_column(sa.Column("in_doubt_since", WHEN, nullable=True))
        batch.add_column(sa.Column("unknown_outcomes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("possible_duplicate", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("possible_duplicate")
        batch.drop_column("unknown_outcomes")
        batch.drop_column("in_doubt_since")
        batch.drop_column("attempted_at")
