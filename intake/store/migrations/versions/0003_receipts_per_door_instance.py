"""receipts per door instance: a provider id is unique within one bot or one account, not across all of a door

Telegram numbers updates per bot, so two landlords' bots can send the same update_id;
Twilio's MessageSid is unique within its account.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.add_column(sa.Column("instance", sa.String(length=64), nullable=False, server_default=""))
        batch.drop_constraint("uq_inbound_provider_id", type_="unique")
        batch.create_unique_constraint("uq_inbound_provider_id", ["channel", "instance", "provider_id"])


def downgrade() -> None:
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.drop_constraint("uq_inbound_provider_id", type_="unique")
        batch.create_unique_constraint("uq_inbound_provider_id", ["channel", "provider_id"])
        batch.drop_column("instance")
