"""encrypt personal data at rest: what reporters said, who they are and how to reach them, and their files

Every value below is encrypted in place under the first of INTAKE_DATA_KEYS (the keys the
migrating engine is bound to), and each attachment's file too. Added in clear: a keyed
hash of each outbox recipient (addresses are no longer compared) and the postcode
district of each case.

On PostgreSQL the columns become text (a token is no JSON, and is longer than 256
characters for a long address). SQLite keeps any text in any column, so its columns keep
their declared types: changing one would rebuild the table, and with it the partial index
that keeps one live conversation per sender.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from intake.store import crypto

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# table -> its encrypted columns, with the type each had before
ENCRYPTED: dict[str, dict[str, sa.types.TypeEngine]] = {
    "cases": {"answers": sa.JSON(), "contact": sa.JSON()},
    "conversations": {"state": sa.JSON(), "reply_address": sa.String(length=256)},
    "inbound_receipts": {"replies": sa.JSON()},
    "outbox": {"payload": sa.JSON(), "recipient": sa.String(length=256)},
    "case_events": {"data": sa.JSON()},
    "attachments": {"filename": sa.String(length=256)},
}
BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Zero the cells the plaintext values leave behind, so the file keeps no copy of them in its free pages.
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("recipient_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("postcode_district", sa.String(length=8), nullable=True))
    if bind.dialect.name == "postgresql":
        for table, columns in ENCRYPTED.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Text(), postgresql_using=f"{column}::text")
    for table, columns in ENCRYPTED.items():
        _rewrite(bind, table, list(columns), _encrypt)
    _derive(bind)
    _encrypt_files(bind)


def downgrade() -> None:
    bind = op.get_bind()
    _decrypt_files(bind)
    for table, columns in ENCRYPTED.items():
        _rewrite(bind, table, list(columns), _decrypt)
    if bind.dialect.name == "postgresql":
        for table, columns in ENCRYPTED.items():
            for column, before in columns.items():
                cast = "json" if isinstance(before, sa.JSON) else "varchar(256)"
                op.alter_column(table, column, type_=before, postgresql_using=f"{column}::{cast}")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("postcode_district")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("recipient_key")


def _keys(bind: sa.Connection) -> crypto.DataKeys:
    try:
        return crypto.keys_for(bind.dialect)
    except crypto.KeysMissing:
        raise RuntimeError(
            "migration 0004 encrypts what is stored, so it needs the data keys: run it with `intake db upgrade`, "
            "which reads INTAKE_DATA_KEYS"
        ) from None


def _encrypt(keys: crypto.DataKeys, raw: str) -> str | None:
    if raw == "null":  # JSON's null, as the JSON type wrote a None: NULL now
        return None
    if crypto.is_token(raw.encode("ascii", "replace")):
        return raw  # encrypted already: a run that stopped half way
    return keys.encrypt(raw.encode("utf-8")).decode("ascii")


def _decrypt(keys: crypto.DataKeys, raw: str) -> str | None:
    return keys.decrypt(raw.encode("ascii")).decode("utf-8")


def _rewrite(bind: sa.Connection, name: str, columns: list[str], change) -> None:  # type: ignore[no-untyped-def]
    """Apply `change` to every non-NULL value of `columns`, a batch of rows at a time, in id order."""
    table = sa.table(name, sa.column("id", sa.Integer), *[sa.column(c, sa.Text) for c in columns])
    last, keys = 0, None
    while True:
        rows = bind.execute(sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            # str(): SQLite's declared JSON columns may hand back a number for a JSON number.
            values = {c: str(getattr(row, c)) for c in columns if getattr(row, c) is not None}
            if values:
                keys = keys or _keys(bind)
                bind.execute(table.update().where(table.c.id == row.id).values({c: change(keys, v) for c, v in values.items()}))
        last = rows[-1].id


def _derive(bind: sa.Connection) -> None:
    """The outbox's recipient hashes and each case's postcode district, read from the values now encrypted."""
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("channel", sa.String), sa.column("recipient", sa.Text),
                      sa.column("recipient_key", sa.String))  # fmt: skip
    for row in bind.execute(sa.select(outbox).where(outbox.c.recipient.is_not(None))).all():
        keys = _keys(bind)
        recipient = keys.decrypt(row.recipient.encode("ascii")).decode("utf-8")
        key = keys.lookup(f"outbox.recipient:{row.channel}", recipient)  # as intake.outbox.recipient_key makes it
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(recipient_key=key))
    cases = sa.table(
        "cases", sa.column("id", sa.Integer), sa.column("answers", sa.Text), sa.column("postcode_district", sa.String)
    )
    from intake.answers import Answers

    for row in bind.execute(sa.select(cases.c.id, cases.c.answers).where(cases.c.answers.is_not(None))).all():
        answers = json.loads(_keys(bind).decrypt(row.answers.encode("ascii")))
        district = Answers(answers or {}).postcode_district
        if district:
            bind.execute(cases.update().where(cases.c.id == row.id).values(postcode_district=district))


def _encrypt_files(bind: sa.Connection) -> None:
    """Each attachment's file, encrypted in place (a file encrypted already is left as it is)."""
    attachments = sa.table("attachments", sa.column("stored_path", sa.String))
    for (stored,) in bind.execute(sa.select(attachments.c.stored_path)).all():
        path = Path(stored)
        if path.is_file() and not crypto.is_token(path.read_bytes()[:8]):
            crypto.replace_file(path, _keys(bind).encrypt(path.read_bytes()))


def _decrypt_files(bind: sa.Connection) -> None:
    attachments = sa.table("attachments", sa.column("stored_path", sa.String))
    for (stored,) in bind.execute(sa.select(attachments.c.stored_path)).all():
        path = Path(stored)
        if path.is_file() and crypto.is_token(path.read_bytes()[:8]):
            crypto.replace_file(path, _keys(bind).decrypt(path.read_bytes()))
