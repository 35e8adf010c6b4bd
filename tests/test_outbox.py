"""The outbox on a real database: atomic claims, retries with backoff, failures, leases, delivery reports, real SMTP."""

from __future__ import annotations

import email
import email.policy
import multiprocessing
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intake import cases, outbox
from intake.errors import SendError
from intake.notify import EmailSettings
from intake.runtime import core_senders
from intake.settings import Settings
from intake.store.db import Store
from intake.store.models import CaseEventRow, CaseRow, OptOutRow, OutboxRow
from tests.harness import ANONYMOUS_VICTIM, FIXED_NOW, TEST_DATA_KEYS, PipelineChat, suite_keys

PHONE = "+447700900913"
STORY = "Zephaniah Quillfeather painted a slur on flat 14B and spat at my daughter"


class Clock:
    """A clock the test moves by hand, passed to deliver_due as `clock=`."""

    def __init__(self, now: datetime = FIXED_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ScriptedSender:
    """A provider that answers each send with the next scripted outcome: an id to return or an error to raise."""

    def __init__(self, *outcomes: str | SendError):
        self.outcomes = list(outcomes)
        self.sent: list[outbox.Outgoing] = []

    def send(self, message: outbox.Outgoing) -> str:
        self.sent.append(message)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, SendError):
            raise outcome
        return outcome if outcome != "{id}" else f"SM{message.id:032d}"


def queue(
    store: Store,
    *,
    purpose: str = "reply",
    channel: str = "sms",
    at: datetime = FIXED_NOW,
    case_id: int | None = None,
    payload: dict | None = None,
    recipient: str | None = PHONE,
) -> int:
    with store.transaction() as session:
        row = outbox.enqueue(
            session,
            org="mkcc",
            channel=channel,
            purpose=purpose,
            recipient=recipient,
            payload=payload or {"messages": []},
            at=at,
            case_id=case_id,
        )
        session.flush()
        return row.id


def open_case(store: Store, profiles, reference: str = "MK-TEST22") -> int:
    with store.transaction() as session:
        case = cases.open_case(session, reference=reference, profile=profiles["mkcc"], channel="sms", language="en", at=FIXED_NOW)
        session.flush()
        return case.id


def get(store: Store, model, row_id: int):
    with store.transaction() as session:
        row = session.get(model, row_id)
        if isinstance(row, CaseRow):
            list(row.events)  # load the timeline while the session is open
        return row


def case_events(store: Store, case_id: int) -> list[tuple[str, dict]]:
    with store.transaction() as session:
        return [
            (e.kind, e.data)
            for e in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id))
        ]


# --- claiming ------------------------------------------------------------------------


def claim_until_empty(store: Store, worker: str, now: datetime, start: threading.Barrier | None = None) -> list[int]:
    if start is not None:
        start.wait()
    taken: list[int] = []
    while True:
        claimed = outbox.claim(store, worker, now, limit=3)
        taken.extend(m.id for m in claimed)
        if not claimed:
            with store.transaction() as session:
                # Another worker held the rows this one looked at; stop only when none are left.
                if session.scalar(select(OutboxRow.id).where(OutboxRow.status == "pending").limit(1)) is None:
                    return taken


def test_threads_claiming_together_never_take_the_same_row_and_between_them_take_all(store):
    ids = {queue(store) for _ in range(50)}
    start = threading.Barrier(6)
    results: dict[str, list[int]] = {}

    def work(name: str) -> None:
        results[name] = claim_until_empty(store, name, FIXED_NOW, start)

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    claimed = [row_id for taken in results.values() for row_id in taken]
    assert len(claimed) == len(set(claimed)) == 50
    assert set(claimed) == ids
    with store.transaction() as session:
        for worker, taken in results.items():
            for row_id in taken:
                row = session.get(OutboxRow, row_id)
                assert (row.status, row.claimed_by, row.attempts) == ("sending", worker, 1)


def _claim_in_process(url: str, worker: str, start, results) -> None:
    store = Store(url, keys=suite_keys())
    try:
        results.put((worker, claim_until_empty(store, worker, FIXED_NOW, start)))
    finally:
        store.dispose()


def test_two_processes_claiming_together_never_take_the_same_row_and_between_them_take_all(store):
    ids = {queue(store) for _ in range(50)}
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_claim_in_process, args=(store.url, f"process-{i}", start, results)) for i in range(2)]
    for process in processes:
        process.start()
    taken = dict(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    claimed = [row_id for rows in taken.values() for row_id in rows]
    assert len(claimed) == len(set(claimed)) == 50
    assert set(claimed) == ids


def test_a_message_not_yet_due_is_not_claimed(store):
    queue(store, at=FIXED_NOW + timedelta(seconds=1))
    assert outbox.claim(store, "w", FIXED_NOW) == []
    assert len(outbox.claim(store, "w", FIXED_NOW + timedelta(seconds=1))) == 1


def test_due_messages_are_claimed_oldest_first(store):
    later = queue(store, at=FIXED_NOW - timedelta(minutes=1))
    earlier = queue(store, at=FIXED_NOW - timedelta(minutes=5))
    assert [m.id for m in outbox.claim(store, "w", FIXED_NOW)] == [earlier, later]


# --- retries and failures --------------------------------------------------------------


def test_a_retryable_failure_is_tried_again_after_the_backoff_and_sent_once(store):
    clock = Clock()
    row_id = queue(store)
    sender = ScriptedSender(SendError("503 from provider", retryable=True), "SM-1")

    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 0
    row = get(store, OutboxRow, row_id)
    assert (row.status, row.attempts, row.last_error, row.recipient) == ("pending", 1, "503 from provider", PHONE)
    # The first wait is five seconds, give or take a fifth so retries spread out.
    assert timedelta(seconds=4) <= row.next_attempt_at - clock.now <= timedelta(seconds=6)

    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 0
    assert len(sender.sent) == 1  # not due yet

    clock.advance(seconds=7)
    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 1
    clock.advance(hours=1)
    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 0

    row = get(store, OutboxRow, row_id)
    assert (row.status, row.attempts, row.provider_message_id, row.last_error) == ("sent", 2, "SM-1", None)
    assert row.sent_at == FIXED_NOW + timedelta(seconds=7)
    assert row.recipient is None and row.claimed_by is None
    assert [m.attempts for m in sender.sent] == [1, 2]


def test_the_providers_retry_after_is_honoured(store):
    clock = Clock()
    row_id = queue(store)
    sender = ScriptedSender(SendError("429 too many requests", retryable=True, retry_after=120), "SM-1")

    outbox.deliver_due(store, {"sms": sender}, "w", clock=clock)
    assert get(store, OutboxRow, row_id).next_attempt_at == FIXED_NOW + timedelta(seconds=120)

    clock.advance(seconds=119)
    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 0
    clock.advance(seconds=1)
    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 1
    assert len(sender.sent) == 2


def test_a_permanent_failure_is_not_retried_and_goes_on_the_case_timeline(store, profiles):
    clock = Clock()
    case_id = open_case(store, profiles)
    row_id = queue(store, purpose="victims_code", case_id=case_id)
    sender = ScriptedSender(SendError("21610 unsubscribed recipient", retryable=False))

    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=clock) == 0
    clock.advance(hours=2)
    outbox.deliver_due(store, {"sms": sender}, "w", clock=clock)

    row = get(store, OutboxRow, row_id)
    assert (row.status, row.attempts, row.recipient) == ("failed", 1, None)
    assert row.last_error == "21610 unsubscribed recipient"
    assert len(sender.sent) == 1
    assert case_events(store, case_id)[-1] == (
        "message_failed",
        {"purpose": "victims_code", "reason": "21610 unsubscribed recipient"},
    )
    assert get(store, CaseRow, case_id).victims_code_sent_at is None


def test_a_message_that_keeps_failing_gives_up_after_the_last_attempt(store, profiles):
    clock = Clock()
    case_id = open_case(store, profiles)
    row_id = queue(store, case_id=case_id)
    sender = ScriptedSender(SendError("timed out", retryable=True))

    for _ in range(outbox.MAX_ATTEMPTS + 3):
        outbox.deliver_due(store, {"sms": sender}, "w", clock=clock)
        clock.advance(seconds=outbox.LONGEST_WAIT_SECONDS * 2)

    row = get(store, OutboxRow, row_id)
    assert (row.status, row.attempts, row.recipient) == ("failed", outbox.MAX_ATTEMPTS, None)
    assert len(sender.sent) == outbox.MAX_ATTEMPTS
    assert [kind for kind, _ in case_events(store, case_id)].count("message_failed") == 1


def test_a_message_for_a_door_with_no_sender_waits_for_one(store):
    clock = Clock()
    row_id = queue(store, channel="telegram")
    outbox.deliver_due(store, {"sms": ScriptedSender("SM-1")}, "w", clock=clock)
    row = get(store, OutboxRow, row_id)
    assert (row.status, row.recipient) == ("pending", PHONE)
    assert "no sender" in row.last_error


def test_a_claim_whose_worker_died_is_taken_over_when_its_lease_runs_out(store):
    clock = Clock()
    row_id = queue(store)
    [message] = outbox.claim(store, "dead-worker", clock.now)  # ... and never finishes
    sender = ScriptedSender("SM-1")

    clock.advance(seconds=outbox.LEASE.total_seconds() - 1)
    assert outbox.deliver_due(store, {"sms": sender}, "alive", clock=clock) == 0
    clock.advance(seconds=2)
    assert outbox.deliver_due(store, {"sms": sender}, "alive", clock=clock) == 1

    row = get(store, OutboxRow, row_id)
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 2, "SM-1")
    assert message.attempts == 1 and sender.sent[0].attempts == 2


def test_a_worker_whose_lease_ran_out_mid_send_does_not_overwrite_the_worker_that_took_over(store):
    clock = Clock()
    row_id = queue(store)
    takeover = ScriptedSender("SM-second")

    class SlowSender:
        def send(self, message):
            # While this send hangs, the lease runs out and another worker delivers the row.
            clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
            assert outbox.deliver_due(store, {"sms": takeover}, "second", clock=clock) == 1
            return "SM-first"

    outbox.deliver_due(store, {"sms": SlowSender()}, "first", clock=clock)

    row = get(store, OutboxRow, row_id)
    assert (row.status, row.provider_message_id, row.claimed_by) == ("sent", "SM-second", None)


def test_nothing_is_sent_to_a_reporter_who_opted_out(store, profiles):
    case_id = open_case(store, profiles)
    with store.transaction() as session:
        session.add(OptOutRow(channel="sms", sender_key="reporter-1", at=FIXED_NOW))
    row_id = queue(
        store, purpose="victims_code", case_id=case_id, payload={"messages": [{"text": "hello"}], "sender_key": "reporter-1"}
    )
    other = queue(store, purpose="victims_code", payload={"messages": [], "sender_key": "reporter-2"})
    sender = ScriptedSender("{id}")

    assert outbox.deliver_due(store, {"sms": sender}, "w", clock=Clock()) == 1

    assert [m.id for m in sender.sent] == [other]
    row = get(store, OutboxRow, row_id)
    assert (row.status, row.recipient, row.last_error) == ("failed", None, "recipient opted out")
    assert case_events(store, case_id)[-1][0] == "message_failed"
    assert get(store, CaseRow, case_id).victims_code_sent_at is None


def test_sending_a_victims_code_message_marks_the_case(store, profiles):
    clock = Clock(FIXED_NOW + timedelta(hours=6))
    case_id = open_case(store, profiles)
    queue(store, purpose="victims_code", case_id=case_id)

    outbox.deliver_due(store, {"sms": ScriptedSender("SM-vc")}, "w", clock=clock)

    case = get(store, CaseRow, case_id)
    assert (case.victims_code_sent_at, case.victims_code_status) == (clock.now, "sent")
    assert case_events(store, case_id)[-1] == ("victims_code_sent", {"via": "outbox"})


def test_a_delivery_report_marks_the_victims_code_delivered(store, profiles):
    clock = Clock()
    case_id = open_case(store, profiles)
    queue(store, purpose="victims_code", case_id=case_id)
    outbox.deliver_due(store, {"sms": ScriptedSender("SM-vc")}, "w", clock=clock)
    delivered_at = FIXED_NOW + timedelta(seconds=30)

    with store.transaction() as session:
        assert outbox.record_delivery(session, "SM-vc", "delivered", delivered_at) is True
        assert outbox.record_delivery(session, "SM-unknown", "delivered", delivered_at) is False
    with store.transaction() as session:
        # The provider sends its callback again: the first delivery time stands.
        outbox.record_delivery(session, "SM-vc", "delivered", delivered_at + timedelta(minutes=5))

    case = get(store, CaseRow, case_id)
    assert (case.victims_code_delivered_at, case.victims_code_status) == (delivered_at, "delivered")
    with store.transaction() as session:
        assert session.scalar(select(OutboxRow.delivery_status)) == "delivered"


def test_a_delivery_report_for_a_reply_leaves_the_case_alone(store, profiles):
    case_id = open_case(store, profiles)
    queue(store, purpose="reply", case_id=case_id)
    outbox.deliver_due(store, {"sms": ScriptedSender("SM-reply")}, "w", clock=Clock())
    with store.transaction() as session:
        assert outbox.record_delivery(session, "SM-reply", "delivered", FIXED_NOW)
    case = get(store, CaseRow, case_id)
    assert case.victims_code_delivered_at is None and case.victims_code_status is None


def test_a_provider_message_id_belongs_to_one_message_only(store):
    first, second = queue(store), queue(store)
    with store.transaction() as session:
        session.get(OutboxRow, first).provider_message_id = "SM-same"
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.get(OutboxRow, second).provider_message_id = "SM-same"
    assert get(store, OutboxRow, second).provider_message_id is None


# --- a team notice through a real SMTP server --------------------------------------------------


class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def test_team_notices_reach_a_real_smtp_server_with_the_reference_the_risk_and_none_of_the_report(
    intake, smtp_server, tmp_path: Path
):
    handler = Collector()
    controller = smtp_server(handler)
    settings = Settings(
        instance_path=tmp_path,
        database_url=intake.store.url,
        secret_key="test",
        data_keys=TEST_DATA_KEYS,
        public_url="https://report.example.org",
        email=EmailSettings(host="127.0.0.1", port=controller.port, sender="hate-reports@intake.example", timeout=5.0),
    )
    chat = PipelineChat(intake, address=PHONE)
    chat.report({**ANONYMOUS_VICTIM, "description": STORY})  # opened at standard risk, then raised to high

    assert outbox.deliver_due(intake.store, core_senders(settings), "w") == 2

    with intake.store.transaction() as session:
        reference = session.scalar(select(CaseRow.reference))
        sent = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    assert [(r.status, r.recipient) for r in sent] == [("sent", None), ("sent", None)]
    opened, raised = (email.message_from_bytes(e.content, policy=email.policy.default) for e in handler.envelopes)
    assert [e.rcpt_tos for e in handler.envelopes] == [["ASB@milton-keynes.gov.uk"]] * 2
    assert opened["Subject"] == f"New hate incident case {reference} - Milton Keynes City Council"
    assert raised["Subject"] == f"HIGH RISK: Case {reference} has been raised to high risk - Milton Keynes City Council"
    assert [m["Message-ID"] for m in (opened, raised)] == [r.provider_message_id for r in sent]
    assert "Risk level:  HIGH" in raised.get_content()
    for envelope in handler.envelopes:
        raw = envelope.content.decode("utf-8", "replace")
        assert reference in raw
        for secret in (STORY, "Zephaniah", "slur", "A man from the next block", PHONE):
            assert secret not in raw
    assert not (tmp_path / "mail").exists()


def test_a_team_notice_with_no_smtp_host_is_written_to_the_mail_folder(intake, tmp_path: Path):
    settings = Settings(
        instance_path=tmp_path,
        database_url=intake.store.url,
        secret_key="test",
        data_keys=TEST_DATA_KEYS,
        public_url="https://report.example.org",
        email=EmailSettings(host=None),
    )
    chat = PipelineChat(intake)
    chat.report(ANONYMOUS_VICTIM, until="description")
    chat.send("He is outside my door with a knife")

    assert outbox.deliver_due(intake.store, core_senders(settings), "w") == 1

    [written] = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    # Python folds this subject straight after "Subject:", and its parser keeps the fold's space.
    assert message["Subject"].strip().startswith("HIGH RISK: New hate incident case MK-")
    assert message["X-Case-Risk"] == "high"
    assert "knife" not in written.read_text()


class CrashingSender:
    """A sender with a bug: it raises something other than SendError, quoting the recipient."""

    def send(self, message: outbox.Outgoing) -> str:
        raise RuntimeError(f"cannot reach {message.recipient}")


def test_a_sender_that_crashes_does_not_stop_the_worker_and_its_message_is_retried(store, caplog):
    clock = Clock()
    row_id = queue(store)
    assert outbox.deliver_due(store, {"sms": CrashingSender()}, "worker", clock=clock) == 0
    row = get(store, OutboxRow, row_id)
    assert row.status == "pending" and "RuntimeError" in row.last_error
    assert PHONE not in caplog.text
    clock.advance(hours=1)
    assert outbox.deliver_due(store, {"sms": ScriptedSender("SM-9")}, "worker", clock=clock) == 1


def test_a_message_whose_worker_dies_on_every_attempt_is_given_up(store):
    clock = Clock()
    row_id = queue(store)
    for attempt in range(outbox.MAX_ATTEMPTS):
        assert len(outbox.claim(store, f"dying-{attempt}", clock.now)) == 1
        clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    assert outbox.claim(store, "last", clock.now) == []
    row = get(store, OutboxRow, row_id)
    assert row.status == "failed" and row.recipient is None


def test_a_late_sent_report_does_not_undo_delivered(store):
    row_id = queue(store, purpose="reply")
    outbox.deliver_due(store, {"sms": ScriptedSender("SM-ORDER")}, "worker", clock=Clock())
    with store.transaction() as session:
        assert outbox.record_delivery(session, "SM-ORDER", "delivered", FIXED_NOW)
        assert outbox.record_delivery(session, "SM-ORDER", "sent", FIXED_NOW)
    assert get(store, OutboxRow, row_id).delivery_status == "delivered"
