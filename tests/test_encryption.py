"""Encryption at rest: what reporters say, who they are and their files are readable only with INTAKE_DATA_KEYS.

The keys are checked at start-up; values and files round-trip; `intake keys rotate` moves
everything to a new first key while a reporter carries on; and a report made on each door
leaves none of its words, the reporter's name or number in the raw database files (or a
`pg_dump`) or the uploads folder.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from flask_app import create_app
from intake.errors import ConfigError
from intake.pipeline import Intake
from intake.settings import Settings
from intake.store import crypto, migrate, rotation
from intake.store.db import Store
from intake.store.models import AttachmentRow, Base, CaseEventRow, CaseRow, ConversationRow, InboundReceipt, OutboxRow
from tests.harness import DOORS, FIXED_NOW, NAMED_VICTIM, TEST_DATA_KEYS, TEST_SECRET, PipelineChat, suite_keys
from tests.sms_support import REPORTER, database_url, fake_twilio, inbound_form, new_sid, post_signed, report_by_text, sms_app

NEW_KEY = "3ZUTcrzOomMsPn-IomcrlT_BJBbFZ3MUX_NMDH5CLCM="
STRANGER_KEY = "RCSxsy2aBuYVi2nkaqvu2RySYaW80M8hfrlM_2hq8pQ="
INTAKE = str(Path(sys.executable).with_name("intake"))

# Words no ciphertext will spell by chance: what happened, where, the reporter's name and number.
DESCRIPTION = "Quillon Marchbanks sprayed a slur across the stairwell wall outside my flat"
WHERE = "Fennymere Court, MK9 3EJ"
NAME = "Ottoline Brightwater"
PHONE_TYPED = "07700 900913"
NEEDLES = [DESCRIPTION, "Marchbanks", "Fennymere", "Ottoline", "Brightwater", "7700900913", "7700 900913"]
EVIDENCE = b"%PDF-1.7\n% a letter: " + DESCRIPTION.encode() + b"\n1 0 obj\n<<>>\nendobj\n"
REPORT = {**NAMED_VICTIM, "name": NAME, "description": DESCRIPTION, "where": WHERE, "perpetrator": "Quillon Marchbanks"}


def keys(*which: str, secret: str = TEST_SECRET) -> crypto.DataKeys:
    return crypto.DataKeys(list(which), secret)


# ---- the keys ------------------------------------------------------------------------------------
def test_a_value_is_read_under_any_key_and_written_under_the_first():
    old, both = keys(TEST_DATA_KEYS), keys(NEW_KEY, TEST_DATA_KEYS)
    written_before = old.encrypt(b"what happened")
    assert both.decrypt(written_before) == b"what happened" and not both.is_current(written_before)
    rotated = both.rotate(written_before)
    assert both.is_current(rotated) and keys(NEW_KEY).decrypt(rotated) == b"what happened"
    assert both.is_current(both.encrypt(b"new"))


def test_a_value_no_key_opens_is_refused_saying_a_key_is_missing_and_not_what_it_holds():
    token = keys(STRANGER_KEY).encrypt(b"Ottoline")
    with pytest.raises(crypto.UnreadableValue, match="none of INTAKE_DATA_KEYS"):
        keys(TEST_DATA_KEYS).decrypt(token)


def test_the_lookup_hash_is_the_same_under_any_data_keys_but_not_under_another_secret():
    assert keys(TEST_DATA_KEYS).lookup("p", REPORTER) == keys(NEW_KEY).lookup("p", REPORTER)
    assert keys(TEST_DATA_KEYS).lookup("p", REPORTER) != keys(TEST_DATA_KEYS, secret="other").lookup("p", REPORTER)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not-a-key", id="not base64"),
        pytest.param(TEST_DATA_KEYS[:-4], id="too short"),
        pytest.param(f"{NEW_KEY},", id="an empty entry"),
        pytest.param(f"{NEW_KEY},{NEW_KEY}", id="one key twice"),
    ],
)
def test_a_bad_data_key_stops_start_up_naming_the_variable_and_never_repeating_a_key(value, tmp_path):
    with pytest.raises(ConfigError, match=r"^INTAKE_DATA_KEYS: ") as error:
        Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATA_KEYS": value})
    assert NEW_KEY not in str(error.value) and TEST_DATA_KEYS[:-4] not in str(error.value)


def test_on_sqlite_without_keys_one_is_made_under_the_instance_folder_once_readable_only_by_this_user(tmp_path):
    first = Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path)})
    path = tmp_path / crypto.LOCAL_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and first.keys.local
    assert Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path)}).data_keys == first.data_keys == path.read_text()
    assert crypto.parse_keys(first.data_keys)


POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/anything"


def test_postgresql_start_up_refuses_a_generated_local_key(tmp_path):
    with pytest.raises(ConfigError, match="INTAKE_DATA_KEYS: is required on a database other than SQLite"):
        create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": POSTGRES, "INTAKE_DATA_KEYS": ""})
    assert not (tmp_path / crypto.LOCAL_KEY_FILE).exists()  # none is made for it either
    # Nor the key a SQLite run made beside the data, copied into the variable.
    local = Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path)}).data_keys
    with pytest.raises(ConfigError, match="a key kept beside the data protects nothing"):
        Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": POSTGRES, "INTAKE_DATA_KEYS": local})
    given = Settings.from_env(
        {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": POSTGRES, "INTAKE_DATA_KEYS": NEW_KEY}
    )
    assert given.keys.count == 1 and not given.keys.local


def _intake_cli(instance: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TWILIO_", "TELEGRAM_"))}
    clean.update(INTAKE_INSTANCE_PATH=str(instance), INTAKE_SECRET_KEY=TEST_SECRET, **env)
    return subprocess.run([INTAKE, *args], capture_output=True, text=True, env=clean, cwd=instance, timeout=120, check=False)


@pytest.mark.slow
def test_the_command_line_on_postgresql_without_keys_stops_naming_the_variable_but_keys_new_still_prints_one(tmp_path):
    refused = _intake_cli(tmp_path, "db", "upgrade", INTAKE_DATABASE_URL=POSTGRES)
    assert refused.returncode == 2 and "INTAKE_DATA_KEYS: is required" in refused.stderr
    made = _intake_cli(tmp_path, "keys", "new", INTAKE_DATABASE_URL=POSTGRES)
    assert made.returncode == 0 and crypto.parse_keys(made.stdout.strip())


# ---- columns and files ---------------------------------------------------------------------------
def test_a_text_and_a_json_value_come_back_as_written_and_are_stored_as_ciphertext(store):
    state = {"answers": {"description": {"value": "Ще раз: they spat at me ☹", "raw": None}}, "step": "when", "n": 3}
    with store.transaction() as session:
        row = ConversationRow(org="mkcc", channel="sms", sender_key="k", status="in_progress", state=state,
                              reply_address=REPORTER, created_at=FIXED_NOW, updated_at=FIXED_NOW)  # fmt: skip
        session.add(row)
    with store.transaction() as session:
        found = session.get(ConversationRow, row.id)
        assert (found.state, found.reply_address) == (state, REPORTER)
        raw = session.execute(text("SELECT state, reply_address FROM conversations")).one()
    assert all(value.startswith("gAAAAA") for value in raw)
    assert "spat" not in raw.state and REPORTER not in raw.reply_address


def test_none_stays_null_so_a_missing_contact_is_still_found_as_missing(store):
    with store.transaction() as session:
        session.add(ConversationRow(org="mkcc", channel="sms", sender_key="k", status="new", state={},
                                    reply_address=None, created_at=FIXED_NOW, updated_at=FIXED_NOW))  # fmt: skip
    with store.transaction() as session:
        assert session.scalar(select(ConversationRow.id).where(ConversationRow.reply_address.is_(None))) is not None


def test_an_encrypted_column_cannot_be_searched_by_value():
    with pytest.raises(TypeError, match=r"outbox\.recipient is encrypted"):
        select(OutboxRow).where(OutboxRow.recipient == REPORTER)
    with pytest.raises(TypeError, match=r"cases\.answers is encrypted"):
        select(CaseRow).where(CaseRow.answers.contains("slur"))


def test_an_uploaded_file_is_kept_encrypted_and_read_back_whole(tmp_path):
    from channels import uploads

    path = uploads.write(tmp_path / "web", "application/pdf", EVIDENCE, suite_keys())
    assert DESCRIPTION.encode() not in path.read_bytes() and crypto.is_token(path.read_bytes())
    assert crypto.read_file(path, suite_keys()) == EVIDENCE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ---- rotation ------------------------------------------------------------------------------------
def _core(store: Store, profiles) -> Intake:  # type: ignore[no-untyped-def]
    return Intake(store=store, profiles=profiles, public_url="https://report.example.org", team_emails={}, doors=DOORS)


def _reopen(store: Store, *data_keys: str) -> Store:
    """The same database, opened as a process started with these INTAKE_DATA_KEYS would."""
    return Store(store.url, keys=keys(*data_keys))


def _read_everything(store: Store) -> int:
    """Load every encrypted value of every row through the models, so any a key cannot open fails; return how many."""
    read = 0
    with store.transaction() as session:
        for model in (CaseRow, ConversationRow, InboundReceipt, OutboxRow, CaseEventRow, AttachmentRow):
            for row in session.scalars(select(model)):
                read += sum(
                    1 for c in model.__table__.columns if isinstance(c.type, crypto.Encrypted) and getattr(row, c.key) is not None
                )
    return read


def test_rotation_moves_every_value_and_file_to_the_first_key_and_a_second_run_changes_nothing(store, profiles, tmp_path):
    chat = PipelineChat(_core(store, profiles), address=REPORTER)
    chat.report(REPORT)
    uploads = tmp_path / "uploads"
    (uploads / "sms").mkdir(parents=True)
    crypto.write_file(uploads / "sms" / "letter.pdf", EVIDENCE, store.keys)
    (uploads / "sms" / "before.pdf").write_bytes(EVIDENCE)  # kept in clear before encryption came in
    rotating = _reopen(store, NEW_KEY, TEST_DATA_KEYS)
    try:
        done = rotation.rotate(rotating, uploads, batch=7)
        again = rotation.rotate(rotating, uploads, batch=7)
    finally:
        rotating.dispose()
    values = sum(c.rotated for c in done.columns.values())
    assert values > 20 and done.columns["cases.answers"].rotated == 1 and done.left == 0
    assert (done.files.rotated, again.files.current) == (2, 2)
    assert again.rotated == 0 and sum(c.current for c in again.columns.values()) == values
    only_new = _reopen(store, NEW_KEY)
    try:
        assert _read_everything(only_new) == values
        with only_new.transaction() as session:
            case = session.scalars(select(CaseRow)).one()
            assert case.answers["description"]["value"] == DESCRIPTION and case.contact["address"] == REPORTER
        for name in ("letter.pdf", "before.pdf"):
            assert crypto.read_file(uploads / "sms" / name, only_new.keys) == EVIDENCE
    finally:
        only_new.dispose()


def test_a_reporter_walks_through_a_whole_report_while_keys_rotate_and_nothing_is_lost(store, profiles, tmp_path):
    # Reports made under the old key: the data there is to rotate.
    for n in range(4):
        PipelineChat(_core(store, profiles), sender=f"earlier-{n}", address=f"+4477009000{n:02d}").report(REPORT)
    # Every process restarts with the new key first; then `intake keys rotate` runs beside them.
    service, rotating = _reopen(store, NEW_KEY, TEST_DATA_KEYS), _reopen(store, NEW_KEY, TEST_DATA_KEYS)
    walking = PipelineChat(_core(service, profiles), sender="walking", address=REPORTER)
    # Rotation and reporter take turns: a batch commits, the reporter sends a message, the next batch...
    turn, batch_done, walked, rotated = threading.Semaphore(0), threading.Semaphore(0), threading.Event(), threading.Event()
    results, failures, interleaved = [], [], []

    def between_batches(table: str) -> None:
        batch_done.release()
        if not walked.is_set():
            interleaved.append(turn.acquire(timeout=5))

    def rotate() -> None:
        try:
            results.append(rotation.rotate(rotating, None, batch=3, after_batch=between_batches))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            rotated.set()
            batch_done.release()

    send = walking.send

    def send_then_let_a_batch_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        replies = send(*args, **kwargs)
        turn.release()
        if not rotated.is_set():
            batch_done.acquire(timeout=5)
        return replies

    walking.send = send_then_let_a_batch_run  # type: ignore[method-assign]
    worker = threading.Thread(target=rotate)
    worker.start()
    walking.report(REPORT)
    walked.set()
    turn.release()  # the rest of the rotation runs on its own
    worker.join(timeout=300)
    assert not failures and not worker.is_alive()
    [first] = results
    assert first.rotated > 50 and sum(interleaved) >= 10  # at least ten turns came between batches
    settled = rotation.rotate(rotating, None)
    assert settled.rotated == 0 and settled.left == 0  # the walker wrote under the new key all along
    for opened in (service, rotating):
        opened.dispose()
    only_new = _reopen(store, NEW_KEY)
    try:
        _read_everything(only_new)
        with only_new.transaction() as session:
            cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
            assert [c.status for c in cases] == ["submitted"] * 5
            for case in cases:
                assert case.answers["description"]["value"] == DESCRIPTION and case.contact["name"] == NAME
                assert case.postcode_district == "MK9"
            assert cases[-1].contact["address"] == REPORTER
    finally:
        only_new.dispose()


@pytest.mark.slow
def test_keys_rotate_on_the_command_line_prints_what_it_did(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'intake.db'}", keys=suite_keys())
    migrate.upgrade(store.engine)
    from intake.orgs import load_profiles

    PipelineChat(_core(store, load_profiles()), address=REPORTER).report(REPORT)
    store.dispose()
    run = _intake_cli(tmp_path, "keys", "rotate", "--batch", "5", INTAKE_DATA_KEYS=f"{NEW_KEY},{TEST_DATA_KEYS}")
    assert run.returncode == 0, run.stderr
    assert "cases.answers: 1 re-encrypted, 0 already under the first key" in run.stderr
    assert "every value is under the first key" in run.stderr
    again = _intake_cli(tmp_path, "keys", "rotate", INTAKE_DATA_KEYS=NEW_KEY)
    assert again.returncode == 0 and "cases.answers: 0 re-encrypted, 1 already under the first key" in again.stderr


# ---- the migration -------------------------------------------------------------------------------
def test_alembic_has_one_head():
    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1


def test_the_migration_encrypts_what_was_stored_in_clear_and_derives_what_is_kept_in_clear(store, tmp_path):
    config = migrate.alembic_config(store.url)
    evidence = tmp_path / "photo.pdf"
    evidence.write_bytes(EVIDENCE)
    with store.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        connection.commit()
    try:
        with store.engine.begin() as connection:
            _insert_plaintext_rows(connection, evidence)
        _checkpoint(store)  # the rows written long ago: in the database file itself, not only its log
    finally:
        migrate.upgrade(store.engine)
    _checkpoint(store)
    if not store.is_postgres:
        # The values the migration replaced leave no copy in the file's free pages (secure_delete).
        assert _hits(Path(store.url.removeprefix("sqlite:///")).read_bytes()) == {}
    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert case.answers["where"]["value"] == WHERE and case.postcode_district == "MK9"
        assert case.answers["description"]["value"].startswith(DESCRIPTION)
        assert case.contact is None  # JSON's null became NULL
        outbox = session.scalars(select(OutboxRow)).one()
        assert outbox.recipient == REPORTER and outbox.payload == {"body": DESCRIPTION}
        assert outbox.recipient_key == crypto.DataKeys([TEST_DATA_KEYS], TEST_SECRET).lookup("outbox.recipient:sms", REPORTER)
        assert session.scalars(select(AttachmentRow)).one().filename == "Ottoline.pdf"
        raw = session.execute(text("SELECT answers FROM cases")).scalar_one()
    assert raw.startswith("gAAAAA")
    assert crypto.is_token(evidence.read_bytes()) and crypto.read_file(evidence, store.keys) == EVIDENCE


def _checkpoint(store: Store) -> None:
    if not store.is_postgres:
        import sqlite3

        with sqlite3.connect(store.url.removeprefix("sqlite:///")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert_plaintext_rows(connection, evidence: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    now = "2026-11-17 10:30:00.000000"  # as SQLAlchemy writes a time on SQLite; PostgreSQL reads it too
    # Long enough to spill onto overflow pages, which the longer ciphertext replaces and frees.
    told = " ".join([DESCRIPTION] * 80)
    answers = json.dumps({"description": {"value": told}, "where": {"value": WHERE, "postcode": "MK9 3EJ"}})
    connection.execute(
        text(
            "INSERT INTO cases (id, reference, org, channel, status, language, answers, strands, incident_types, risk_score,"
            " risk_level, risk_reasons, contact, created_at, first_contact_due, no_messages) VALUES (1, 'MK-ABCDEF', 'mkcc',"
            " 'sms', 'submitted', 'en', :answers, '[]', '[]', 0, 'standard', '[]', 'null', :now, :now, false)"
        ),
        {"answers": answers, "now": now},
    )
    connection.execute(
        text(
            "INSERT INTO outbox (id, org, channel, purpose, recipient, payload, status, attempts, next_attempt_at, created_at)"
            " VALUES (1, 'mkcc', 'sms', 'reply', :to, :payload, 'pending', 0, :now, :now)"
        ),
        {"to": REPORTER, "payload": json.dumps({"body": DESCRIPTION}), "now": now},
    )
    connection.execute(
        text(
            "INSERT INTO attachments (id, case_id, filename, content_type, size, stored_path, received_at)"
            " VALUES (1, 1, 'Ottoline.pdf', 'application/pdf', 10, :path, :now)"
        ),
        {"path": str(evidence), "now": now},
    )


# ---- no plaintext anywhere -----------------------------------------------------------------------
def _hits(haystack: bytes) -> dict[str, int]:
    folded = haystack.lower()
    found = {needle: folded.count(needle.lower().encode()) for needle in NEEDLES}
    return {needle: n for needle, n in found.items() if n}


def _files_hits(folder: Path) -> dict[str, dict[str, int]]:
    """Every file under the folder: the SQLite database with its -wal and -shm files, uploads, mail, keys."""
    return {
        str(p.relative_to(folder)): hits for p in sorted(folder.rglob("*")) if p.is_file() and (hits := _hits(p.read_bytes()))
    }


def _pg_dump_hits(store: Store) -> dict[str, int]:
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed: the PostgreSQL search cannot run")
    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(["pg_dump", "--data-only", url], capture_output=True, check=True, timeout=120).stdout
    assert b"COPY public.cases" in dump
    return _hits(dump)


def _sms_report(store: Store, instance: Path) -> None:
    with fake_twilio() as twilio:
        client = sms_app(instance, store, twilio.fake.base).test_client()
        report_by_text(client, REPORT)
        sid = new_sid("MM")
        url = twilio.fake.add_media("application/pdf", EVIDENCE, message_sid=sid)
        form = inbound_form("Here is the letter they sent", sid=sid, media=(("application/pdf", url),))
        assert post_signed(client, "/sms/inbound", form).status_code == 200


def _web_report(store: Store, instance: Path) -> None:
    from tests.test_web import _file
    from tests.web_client import WebReporter

    config = {"INTAKE_INSTANCE_PATH": str(instance), "INTAKE_DATABASE_URL": database_url(store),
              "INTAKE_SECRET_KEY": TEST_SECRET, "INTAKE_DATA_KEYS": TEST_DATA_KEYS}  # fmt: skip
    reporter = WebReporter(create_app(config).test_client())
    reporter.start()
    answers = {**REPORT, "identity": "named_here", "contact_other": PHONE_TYPED}
    reporter.report(answers, until="description")
    reporter.answer(DESCRIPTION, evidence=[(_file(EVIDENCE), "Ottoline-letter.pdf")], content_type="multipart/form-data")
    reporter.report(answers)


def _telegram_report(store: Store, instance: Path) -> None:
    from channels.telegram.runner import RUNNER
    from tests.telegram_fake import FakeTelegram
    from tests.test_telegram import SECRET, TOKEN, Reporter, recorded, webhook

    fake = FakeTelegram(TOKEN).start()
    try:
        config = {"INTAKE_DATABASE_URL": database_url(store), "INTAKE_INSTANCE_PATH": str(instance),
                  "INTAKE_SECRET_KEY": TEST_SECRET, "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
                  "INTAKE_PUBLIC_URL": "https://report.example.org", "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
                  "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET, "TELEGRAM_API_BASE": fake.url}  # fmt: skip
        app = create_app(config)
        reporter = Reporter(fake, app, webhook(app.test_client()), chat_id=7700900913)  # a chat id that is the number
        reporter.say("/start")
        reporter.report({**REPORT, "identity": "named_other", "contact_other": PHONE_TYPED, "support": ["interpreter"]})
        fake.files["BQACAgQAAxkBAAIBletter"] = EVIDENCE
        document = recorded("document")
        message = document["message"]
        message["chat"]["id"] = message["from"]["id"] = reporter.chat_id
        message["from"]["first_name"] = message["chat"]["first_name"] = "Ottoline"
        message["caption"] = "The letter they pushed under my door"
        reporter.deliver(document)
    finally:
        fake.stop()
        RUNNER.forget_bots()


DOOR_REPORTS = {"sms": _sms_report, "web": _web_report, "telegram": _telegram_report}


@pytest.mark.parametrize("door", sorted(DOOR_REPORTS))
def test_a_report_on_each_door_leaves_no_words_name_or_number_in_the_database_files_or_uploads(door, store, tmp_path):
    DOOR_REPORTS[door](store, tmp_path)
    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert case.answers["description"]["value"] == DESCRIPTION and case.contact["name"] == NAME  # it was all kept
        assert case.postcode_district == "MK9" and case.strands == ["religion"]  # what the returns count, in clear
        [attachment] = session.scalars(select(AttachmentRow)).all()
    assert crypto.read_file(Path(attachment.stored_path), store.keys) == EVIDENCE
    assert _hits(EVIDENCE) == {DESCRIPTION: 1, "Marchbanks": 1}  # the search finds what is there in clear
    if store.is_postgres:
        assert _pg_dump_hits(store) == {}
    else:
        assert {p.name for p in tmp_path.iterdir()} >= {"intake.db", "intake.db-wal"}  # the log is searched too
    assert list((tmp_path / "uploads").rglob("*.pdf"))
    assert _files_hits(tmp_path) == {}


def test_every_encrypted_column_is_one_the_rotation_knows():
    found = {f"{t.name}.{c}" for t, cols in rotation.encrypted_columns() for c in cols}
    assert found == {
        "cases.answers", "cases.contact", "conversations.state", "conversations.reply_address", "inbound_receipts.replies",
        "outbox.payload", "outbox.recipient", "case_events.data", "attachments.filename",
        "action_items.what", "action_items.who", "audit_log.detail", "staff_accounts.totp_secret",
    }  # fmt: skip
    assert {t.name for t in Base.metadata.sorted_tables} >= {name.split(".")[0] for name in found}
