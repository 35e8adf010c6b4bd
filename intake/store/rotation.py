"""Re-encrypt every stored value and file under the first data key, while the service runs.

Put the new key first in INTAKE_DATA_KEYS and restart every process (each then writes
under it), then run `intake keys rotate`. It works a batch of rows at a time, one
transaction each. A row is rewritten only if its value is still the token that was read
(compare and set), so a value the service wrote meanwhile, under the new key already, is
never overwritten with an older one. On PostgreSQL a batch locks its rows with SKIP
LOCKED, so it never waits on, or deadlocks with, a reporter's turn; a row skipped as busy
is taken in the next pass. Running it again changes nothing and says so: values already
under the first key are counted and left alone. Once it reports nothing left, the old key
may be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Integer, Table, Text, column, func, select, table

from intake.store import crypto
from intake.store.db import Store
from intake.store.models import Base

BATCH = 500
PASSES = 5


@dataclass
class Count:
    rotated: int = 0
    current: int = 0
    busy: int = 0  # written or locked by the service meanwhile: the next pass takes it

    def __str__(self) -> str:
        return f"{self.rotated} re-encrypted, {self.current} already under the first key"


@dataclass
class Rotation:
    """What a rotation did, per `table.column` and for the files."""

    columns: dict[str, Count] = field(default_factory=dict)
    files: Count = field(default_factory=Count)
    left: int = 0  # values still under an older key after the last pass

    @property
    def rotated(self) -> int:
        return sum(c.rotated for c in self.columns.values()) + self.files.rotated

    def lines(self) -> list[str]:
        found = [f"{name}: {count}" for name, count in self.columns.items()]
        found.append(f"files: {self.files}")
        return found


def encrypted_columns() -> Iterator[tuple[Table, list[str]]]:
    """Every table with encrypted columns, and their names, from the models: a new one is rotated without a change here."""
    for model_table in Base.metadata.sorted_tables:
        names = [c.name for c in model_table.columns if isinstance(c.type, crypto.Encrypted)]
        if names:
            yield model_table, names


def rotate(
    store: Store, uploads_dir: Path | None, *, batch: int = BATCH, after_batch: Callable[[str], None] | None = None
) -> Rotation:
    """Re-encrypt every value and file not yet under the first key; return the counts.

    `after_batch(table)` is called after each committed batch (for progress, or a test
    that lets a reporter take a turn between batches).
    """
    keys = store.keys
    if keys is None:
        raise crypto.KeysMissing("keys rotate needs the data keys")
    result = Rotation()
    for model_table, names in encrypted_columns():
        for name in names:
            result.columns[f"{model_table.name}.{name}"] = Count()
    for attempt in range(PASSES):
        busy = 0
        for model_table, names in encrypted_columns():
            busy += _rotate_table(store, keys, model_table, names, batch, result, first_pass=attempt == 0, after=after_batch)
        if not busy:
            break
    result.left = busy
    if uploads_dir is not None and uploads_dir.exists():
        result.files = rotate_files(uploads_dir, keys)
    return result


def _rotate_table(
    store: Store,
    keys: crypto.DataKeys,
    model_table: Table,
    names: list[str],
    batch: int,
    result: Rotation,
    *,
    first_pass: bool,
    after: Callable[[str], None] | None,
) -> int:
    raw = table(model_table.name, column("id", Integer), *[column(n, Text) for n in names])
    busy, last = 0, 0
    with store.transaction() as session:
        # Rows written after this pass began are under the first key already (every process was restarted with it).
        ceiling = session.scalar(select(func.max(raw.c.id))) or 0
    while last < ceiling:
        with store.transaction() as session:
            span = (raw.c.id > last) & (raw.c.id <= ceiling)
            rows = session.execute(
                select(raw).where(span).order_by(raw.c.id).limit(batch).with_for_update(skip_locked=True)
            ).all()
            end = rows[-1].id if rows and len(rows) == batch else ceiling
            # Rows a turn holds locked are skipped (PostgreSQL): counted as busy, for the next pass.
            busy += (session.scalar(select(func.count()).select_from(raw).where(span, raw.c.id <= end)) or 0) - len(rows)
            for row in rows:
                for name in names:
                    token = getattr(row, name)
                    if token is None:
                        continue
                    count = result.columns[f"{model_table.name}.{name}"]
                    if keys.is_current(token.encode("ascii")):
                        count.current += first_pass
                        continue
                    fresh = keys.rotate(token.encode("ascii")).decode("ascii")
                    changed = session.execute(
                        raw.update().where(raw.c.id == row.id, raw.c[name] == token).values({name: fresh})
                    ).rowcount
                    if changed:
                        count.rotated += 1
                    else:
                        busy += 1
            last = end
        if after is not None:
            after(model_table.name)
    return busy


def rotate_files(folder: Path, keys: crypto.DataKeys) -> Count:
    """Every file under `folder` under the first key; a file kept in clear (before encryption) is encrypted now."""
    count = Count()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix == ".part":
            continue  # a .part file is being written right now, under the first key
        content = path.read_bytes()
        if crypto.is_token(content) and keys.is_current(content):
            count.current += 1
            continue
        fresh = keys.rotate(content) if crypto.is_token(content) else keys.encrypt(content)
        # A door rewrites a file only with the same bytes (a retried webhook), so replacing it cannot lose one.
        crypto.replace_file(path, fresh)
        count.rotated += 1
    return count
