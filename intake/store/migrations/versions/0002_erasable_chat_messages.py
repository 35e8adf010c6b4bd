"""erasable chat messages: the reporter's message id on each receipt, the conversation on each outbox row

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.add_column(sa.Column("message_ref", sa.String(length=64), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_outbox_conversation_id", "conversations", ["conversation_id"], ["id"])
        batch.create_index("ix_outbox_conversation_id", ["conversation_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_conversation_id")
        batch.drop_constraint("fk_outbox_conversation_id", type_="foreignkey")
        batch.drop_column("conversation_id")
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.drop_column("message_ref")
