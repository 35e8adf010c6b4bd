"""Shared fixtures: landlord profiles, real databases (SQLite file, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from intake.orgs import load_profiles
from intake.pipeline import Intake
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import Base


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own database on the server (test_gw0, test_gw1...), made if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("INTAKE_TEST_DATABASE_URL"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden transcripts in tests/data")


@pytest.fixture(scope="session")
def profiles():
    return load_profiles()


def _keys():  # type: ignore[no-untyped-def]
    from tests.harness import suite_keys

    return suite_keys()


def _fresh_postgres(url: str) -> Store:
    store = Store(url, keys=_keys())
    with store.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(store.engine)
    return store


@pytest.fixture(scope="session")
def postgres_store():
    if not POSTGRES_URL:
        pytest.skip("INTAKE_TEST_DATABASE_URL is not set")
    store = _fresh_postgres(POSTGRES_URL)
    yield store
    store.dispose()


def _empty(store: Store) -> None:
    with store.engine.begin() as connection:
        # The audit log's trigger refuses every DELETE; between tests, the superuser sets it aside.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path: Path):
    """A migrated, empty database: a real SQLite file, or the PostgreSQL server when configured."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'intake.db'}", keys=_keys())
        migrate.upgrade(store.engine)
        yield store
        store.dispose()
    else:
        if not POSTGRES_URL:
            pytest.skip("INTAKE_TEST_DATABASE_URL is not set")
        pg = request.getfixturevalue("postgres_store")
        _empty(pg)
        yield pg


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _empty_database_url(request: pytest.FixtureRequest, folder: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'intake.db'}"
        made = Store(url)
        migrate.upgrade(made.engine)
        made.dispose()
        return url
    if not POSTGRES_URL:
        pytest.skip("INTAKE_TEST_DATABASE_URL is not set")
    pg = request.getfixturevalue("postgres_store")
    _empty(pg)
    return pg.url


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path: Path) -> str:
    """A migrated, empty database for an app the test makes itself, as `store`: a SQLite file, or the PostgreSQL server."""
    return _empty_database_url(request, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request, tmp_path_factory: pytest.TempPathFactory) -> str:
    """As `database_url`, for a module's tests to share."""
    return _empty_database_url(request, tmp_path_factory.mktemp("database"))


@pytest.fixture
def redis_url() -> str:
    """A Redis the suite may write to (INTAKE_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/5), for state shared by processes."""
    url = os.environ.get("INTAKE_TEST_REDIS_URL")
    if not url:
        pytest.skip("INTAKE_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
def sqlite_store(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'intake.db'}", keys=_keys())
    migrate.upgrade(store.engine)
    yield store
    store.dispose()


@pytest.fixture
def intake(store, profiles) -> Intake:
    from tests.harness import DOORS

    return Intake(store=store, profiles=profiles, public_url="https://report.example.org", team_emails={}, doors=DOORS)


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0: it connects to its own port to check it is up.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start a real SMTP server on loopback with the given aiosmtpd handler; stop it after the test."""
    controllers = []

    def start(handler, **kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        return controller

    yield start
    for controller in controllers:
        controller.stop()
