"""The morning email: 08:00 London time on working days, once per person per day whatever runs it, references only."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from intake import casework, digest
from intake.cases import open_case
from intake.notify import compose_digest_email
from intake.store.models import OutboxRow, StaffAccountRow

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def person(session, email: str, role: str = "officer", org: str = "mkcc") -> StaffAccountRow:  # type: ignore[no-untyped-def]
    row = StaffAccountRow(org=org, email=email, name=email.split("@")[0].title(), role=role, password_hash="x",
                          created_at=london(2026, 11, 1), password_changed_at=london(2026, 11, 1))  # fmt: skip
    session.add(row)
    session.flush()
    return row


def digests(intake) -> list[OutboxRow]:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as session:
        rows = list(session.scalars(select(OutboxRow).where(OutboxRow.purpose == "digest").order_by(OutboxRow.id)))
        session.expunge_all()
        return rows


@pytest.fixture
def team(intake, profiles):  # type: ignore[no-untyped-def]
    """Olu owns a case due at 14:00 on Monday 7 December, one overdue since Friday, and one due on Tuesday; Tia leads."""
    mkcc = profiles["mkcc"]
    with intake.store.transaction() as session:
        olu, tia = person(session, "olu@mkcc.example"), person(session, "tia@mkcc.example", "team_leader")
        bea = person(session, "bea@mkcc.example")
        made = {}
        for ref, opened in (("MK-TODAY1", london(2026, 12, 4, 14)), ("MK-LATE22", london(2026, 12, 3, 9)),
                            ("MK-TUES33", london(2026, 12, 7, 10)), ("MK-NOBODY", london(2026, 12, 2, 9))):  # fmt: skip
            case = open_case(session, reference=ref, profile=mkcc, channel="sms", language="en", at=opened)
            case.answers = {"description": {"value": "They shouted at my son"}}
            made[ref] = case
        session.flush()
        for ref in ("MK-TODAY1", "MK-LATE22", "MK-TUES33"):
            casework.assign(session, made[ref], casework.Actor(olu, london(2026, 12, 4, 9)), olu)
        return {"olu": olu.id, "tia": tia.id, "bea": bea.id}


def test_at_eight_on_a_working_day_an_officer_gets_their_cases_due_today_or_overdue_and_a_leader_the_teams_overdue(intake, team):
    monday = london(2026, 12, 7, 8, 0)
    assert digest.send_morning_digests(intake, monday - timedelta(minutes=1)) == 0
    assert digest.send_morning_digests(intake, monday) == 2  # Olu and Tia; Bea has nothing due
    by = {row.payload["name"]: row for row in digests(intake)}
    assert set(by) == {"Olu", "Tia"}
    # Due 14:00 Monday (from Friday 14:00), overdue since Friday 09:00 (from Thursday), not Tuesday's.
    assert [c["reference"] for c in by["Olu"].payload["cases"]] == ["MK-LATE22", "MK-TODAY1"]
    assert [c["overdue"] for c in by["Olu"].payload["cases"]] == [True, False]
    assert [c["reference"] for c in by["Tia"].payload["cases"]] == ["MK-NOBODY", "MK-LATE22"]
    assert by["Olu"].recipient == "olu@mkcc.example"
    mail = compose_digest_email(by["Olu"].payload, "olu@mkcc.example", "hate-reports@mkcc.example")
    body = mail.get_content()
    assert "MK-LATE22: First contact OVERDUE since Friday 4 December 2026, 09:00" in body
    assert "shouted" not in body and "son" not in body.split("Good morning")[1].split("Open the")[0]


def test_a_second_pass_or_a_second_worker_the_same_day_sends_nothing_again(intake, team):
    monday = london(2026, 12, 7, 8, 5)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(digest.send_morning_digests(intake, monday))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 2]
    assert digest.send_morning_digests(intake, monday + timedelta(hours=3)) == 0
    assert len(digests(intake)) == 2
    assert digest.send_morning_digests(intake, london(2026, 12, 8, 8, 0)) == 2  # the next day is another day


@pytest.mark.parametrize(
    "day", [(2026, 12, 5), (2026, 12, 25), (2026, 12, 28)], ids=["saturday", "christmas", "boxing_day_observed"]
)
def test_no_morning_email_on_a_weekend_or_a_bank_holiday(intake, team, day):
    assert digest.send_morning_digests(intake, london(*day, 9, 0)) == 0


def test_the_worker_sends_it_through_the_teams_email_sender(intake, team, smtp_server, tmp_path):
    from intake import outbox
    from intake.notify import EmailSender, EmailSettings, TeamNoticeSender
    from tests.test_notify import Collector

    handler = Collector()
    server = smtp_server(handler)
    mail = EmailSender(EmailSettings(host="127.0.0.1", port=server.port, sender="hate-reports@mkcc.example"), tmp_path)
    digest.send_morning_digests(intake, london(2026, 12, 7, 8, 0))
    sent = outbox.deliver_due(intake.store, {"email": TeamNoticeSender(mail, "hate-reports@mkcc.example")}, "w",
                              clock=lambda: london(2026, 12, 7, 8, 1))  # fmt: skip
    assert sent == 2
    subjects = sorted(m["Subject"] for m in handler.messages())
    assert subjects == ["Your cases due today or overdue (2) - Milton Keynes City Council",
                        "Your team's overdue cases (2) - Milton Keynes City Council"]  # fmt: skip
