"""Anonymous means no trace: two days after a chat ends, nothing links the case to the number it came from, finished
messages lose their words, and on SQLite the cleared values are gone from the database file and its -wal file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from intake import housekeeping, outbox
from intake.notify import EmailSender, EmailSettings, TeamNoticeSender
from intake.privacy import sender_key
from intake.store.models import ConversationRow, OutboxRow
from tests.harness import ANONYMOUS_VICTIM, NAMED_VICTIM, PipelineChat
from tests.test_notify import Collector

SENT = datetime(2026, 11, 2, 10, tzinfo=UTC)


def report(intake, answers, sender: str) -> None:  # type: ignore[no-untyped-def]
    PipelineChat(intake, channel="sms", sender=sender, address="+447700900111").report(answers, at=SENT)


def keys(intake) -> set[str]:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as session:
        return set(session.scalars(select(ConversationRow.sender_key)))


def test_two_days_after_an_anonymous_chat_ends_its_sender_key_is_gone_and_a_contactable_reporters_stays(intake):
    anonymous, named = sender_key("k", "sms", "mkcc:+447700900111"), sender_key("k", "sms", "mkcc:+447700900222")
    report(intake, ANONYMOUS_VICTIM, anonymous)
    report(intake, {**NAMED_VICTIM, "contact_safety": ["none"]}, named)
    housekeeping.expire_idle_conversations(intake, SENT + timedelta(days=1))
    housekeeping.run_due(intake, SENT + timedelta(days=2, hours=23))
    assert {anonymous, named} <= keys(intake)  # not yet: a provider may still retry
    housekeeping.run_due(intake, SENT + timedelta(days=3, hours=1))
    assert anonymous not in keys(intake) and named in keys(intake)
    # The next message from that number is a stranger's: a new report, linked to nothing.
    fresh = PipelineChat(intake, channel="sms", sender=anonymous).send("hello", at=SENT + timedelta(days=4))
    assert fresh[-1].question_id == "danger_now"


def test_a_finished_message_loses_its_words_once_its_retry_window_has_passed(intake, smtp_server, tmp_path):
    report(intake, ANONYMOUS_VICTIM, "anon-2")
    server = smtp_server(Collector())
    mail = EmailSender(EmailSettings(host="127.0.0.1", port=server.port, sender="hate-reports@mkcc.example"), tmp_path)
    assert outbox.deliver_due(intake.store, {"email": TeamNoticeSender(mail, "hate-reports@mkcc.example")}, "w",
                              clock=lambda: SENT + timedelta(minutes=5)) >= 1  # fmt: skip
    housekeeping.run_due(intake, SENT + timedelta(days=3))
    with intake.store.transaction() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.status.in_(housekeeping.FINAL))).all()
        assert rows and all(r.payload == {} and r.recipient is None and r.cleared_at for r in rows)


def test_on_sqlite_the_cleared_sender_key_is_in_neither_the_database_file_nor_its_wal(sqlite_store, profiles):
    from intake.pipeline import Intake
    from tests.harness import DOORS

    intake = Intake(store=sqlite_store, profiles=profiles, public_url="https://report.example.org", team_emails={},
                    doors=DOORS)  # fmt: skip
    secret = sender_key("k", "sms", "mkcc:+447700900333")
    report(intake, ANONYMOUS_VICTIM, secret)
    housekeeping.expire_idle_conversations(intake, SENT + timedelta(days=1))
    path = Path(sqlite_store.engine.url.database)
    raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    assert secret.encode() in raw  # it was there: the search can find it
    housekeeping.run_due(intake, SENT + timedelta(days=4))
    raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    assert secret.encode() not in raw


# ---- photos keep their pixels, not their metadata ------------------------------------------------------
def test_a_photos_exif_with_its_gps_position_and_owner_never_reaches_the_disk(tmp_path):
    import io

    from PIL import Image

    from channels.web import uploads as web_uploads
    from intake.store.crypto import read_file
    from tests.harness import suite_keys
    from tests.images import jpeg_with_gps

    photo = jpeg_with_gps()
    with Image.open(io.BytesIO(photo)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # it carries a GPS position
    kind, cleaned = web_uploads.check("garden.jpg", photo)
    assert kind == "image/jpeg"
    kept = web_uploads.store(tmp_path, "garden.jpg", kind, cleaned, suite_keys())
    stored = read_file(Path(kept.stored_path), suite_keys())
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (32, 24) and not image.getexif() and "icc_profile" not in image.info
    assert b"Amina Yusuf" not in stored and b"Pixel 8 Pro" not in stored


def test_an_image_that_does_not_decode_is_refused_and_a_pdf_is_kept_as_it_came():
    from channels import uploads
    from channels.web import uploads as web_uploads

    assert web_uploads.check("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == web_uploads.Rejected("type")
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
    assert uploads.cleaned("application/pdf", pdf) == pdf
