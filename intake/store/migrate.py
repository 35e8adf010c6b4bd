"""Bring a database up to the newest schema with Alembic."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied."""
    # SQLite's BEGIN IMMEDIATE hook needs a plain connection; Alembic runs its own transaction.
    with engine.connect() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def heads() -> frozenset[str]:
    """The newest revisions the code knows (one, while the migrations have one head)."""
    return frozenset(_scripts().get_heads())


def not_ready(engine: Engine) -> str | None:
    """Why this database cannot serve the code (it does not answer, or its schema is behind or ahead), or None."""
    try:
        # Alembic's version table read directly: a MigrationContext would log two lines at every probe.
        with engine.connect() as connection:
            current = frozenset()
            if inspect(connection).has_table(VERSION_TABLE):
                current = frozenset(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))
    except Exception as error:
        return f"database: no answer ({type(error).__name__})"
    if current == heads():
        return None
    at, code = ", ".join(sorted(current)) or "no migration", ", ".join(sorted(heads()))
    known = {script.revision for script in _scripts().walk_revisions()}
    if current - known:
        return f"migrations: the database is at {at}, newer than this code ({code})"
    return f"migrations: the database is at {at}, the code at {code}: run intake db upgrade"
