"""the queue's indexes: open cases for the tab badges and for the list (carrying what it filters, sorts and shows), closed cases newest first

A case row is wide (what the reporter said is stored encrypted in it), so sorting a
landlord's open cases from the table read most of it. The open indexes hold only open
cases, which a team works through rather than keeps, so they stay small while closed
cases pile up over the years. The narrow one counts the Mine, Unassigned and All open
badges (its repeated keys compress, so a count reads a few pages). The wide one, on
PostgreSQL only, carries the columns the queue filters, sorts and shows, so a page of
25 is found in the index alone. The closed index lists a landlord's closed cases newest
first, as the Closed tab does.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = sa.text("work_status <> 'closed'")
CLOSED = sa.text("work_status = 'closed'")
# As in intake.store.models.OPEN_QUEUE_COLUMNS, frozen here as this revision made them.
OPEN_QUEUE_COLUMNS = [
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


def upgrade() -> None:
    op.create_index("ix_cases_open_owner", "cases", ["org", "owner_id"], postgresql_where=OPEN, sqlite_where=OPEN)
    if op.get_bind().dialect.name == "postgresql":
        # SQLite has no INCLUDE: there this would be the narrow index again.
        op.create_index(
            "ix_cases_open_queue", "cases", ["org", "owner_id"], postgresql_include=OPEN_QUEUE_COLUMNS, postgresql_where=OPEN
        )
    op.create_index("ix_cases_closed_queue", "cases", ["org", "closed_at", "id"], postgresql_where=CLOSED, sqlite_where=CLOSED)


def downgrade() -> None:
    op.drop_index("ix_cases_closed_queue", table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_open_queue", table_name="cases")
    op.drop_index("ix_cases_open_owner", table_name="cases")
