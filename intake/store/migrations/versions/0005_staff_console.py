"""the case officers' console: staff accounts and sessions, the audit log, action plans, the officers' side of a case

The audit log is append-only in the database itself: a trigger refuses every UPDATE and
DELETE, so neither the console nor someone with SQL can quietly rewrite who looked at what.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
APPEND_ONLY = "the audit log is append-only"


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org", sa.String(32), nullable=False, index=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("totp_secret", sa.Text(), nullable=True),
        sa.Column("totp_enrolled_at", WHEN, nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("failed_since", WHEN, nullable=True),
        sa.Column("locked_until", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("password_changed_at", WHEN, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=False, index=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("reauth_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org", sa.String(32), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_audit_org_at", "audit_log", ["org", "at"])
    op.create_index("ix_audit_case", "audit_log", ["case_id"])
    op.create_index("ix_audit_account", "audit_log", ["account_id"])
    # Plain ADD COLUMN, not a batch copy: on SQLite a batch drops and recreates `cases`, which the
    # rows of case_events and attachments refer to, and foreign keys are on during migrations.
    op.add_column("cases", sa.Column("work_status", sa.String(16), nullable=False, server_default="new"))
    op.add_column("cases", sa.Column("outcome", sa.String(32), nullable=True))
    _add_reference("cases", "owner_id", "staff_accounts", "fk_cases_owner")
    op.add_column("cases", sa.Column("first_contacted_at", WHEN, nullable=True))
    op.add_column("cases", sa.Column("plan_agreed_at", WHEN, nullable=True))
    op.add_column("cases", sa.Column("closed_at", WHEN, nullable=True))
    _add_reference("cases", "linked_case_id", "cases", "fk_cases_linked")
    op.add_column("cases", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("ix_cases_queue", "cases", ["org", "work_status", "first_contact_due"])
    _add_reference("case_events", "actor_id", "staff_accounts", "fk_case_events_actor")
    _append_only()


def _add_reference(table: str, column: str, target: str, name: str) -> None:
    """A nullable column referring to `target`.id; SQLite takes the reference inline in ADD COLUMN."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target}(id)")
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id", name=name), nullable=True))


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"""
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("actor_id")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_queue")
        for column in (
            "version",
            "linked_case_id",
            "closed_at",
            "plan_agreed_at",
            "first_contacted_at",
            "owner_id",
            "outcome",
            "work_status",
        ):
            batch.drop_column(column)
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
    op.drop_table("action_items")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
