"""A send whose outcome is unknown is settled before it is sent again: the real twilio client and
python-telegram-bot's Bot against the fakes, which take a message and then answer too late.

Twilio can be asked: the message is looked up, and sent again only if Twilio does not have it.
Telegram cannot: the message is sent once more at most, after a longer wait, and its row says
the reporter may have it twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.sms import door as sms_door
from channels.telegram import door as telegram_door
from channels.telegram.runner import RUNNER
from intake import cases, outbox
from intake.messages import OutboundMessage, utcnow
from intake.orgs import load_profiles
from intake.settings import Settings
from intake.store.models import CaseEventRow, OutboxRow
from tests.sms_support import MKCC_NUMBER, REPORTER, database_url, fake_twilio, sms_config
from tests.telegram_fake import FakeTelegram

TOKEN = "123456:TEST-token"
CHAT = "5123456789"
RECHECK = outbox.RECHECK_SECONDS


class Clock:
    """The worker's clock, and Twilio's: the fake dates what it takes by the same one."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def twilio(clock):
    with fake_twilio() as serving:
        serving.fake.clock = clock
        yield serving.fake


@pytest.fixture
def telegram():
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()
    RUNNER.forget_bots()


def environment(tmp_path: Path, store, twilio, telegram) -> dict[str, str]:
    return {**sms_config(tmp_path, database_url(store), twilio.base), "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
            "TELEGRAM_API_BASE": telegram.url, "TELEGRAM_TIMEOUT_SECONDS": "0.5"}  # fmt: skip


@pytest.fixture
def senders(tmp_path, store, twilio, telegram) -> dict[str, outbox.Sender]:
    settings = Settings.from_env(environment(tmp_path, store, twilio, telegram))
    profiles = load_profiles()
    return {"sms": sms_door.sender(settings, profiles), "telegram": telegram_door.sender(settings, profiles)}


def queue(store, channel: str, text: str, *, recipient: str | None = None, case_id: int | None = None, at=None) -> int:
    recipient = recipient or (REPORTER if channel == "sms" else CHAT)
    with store.transaction() as session:
        row = outbox.enqueue(session, org="mkcc", channel=channel, purpose="reply", recipient=recipient,
                             payload={"messages": [OutboundMessage(text).to_dict()]}, at=at or utcnow() - timedelta(minutes=1),
                             case_id=case_id)  # fmt: skip
        session.flush()
        return row.id


def rows(store) -> list[OutboxRow]:
    with store.transaction() as session:
        found = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        session.expunge_all()
        return found


def row(store, row_id: int) -> OutboxRow:
    return next(r for r in rows(store) if r.id == row_id)


def deliver(store, senders, clock: Clock) -> int:
    return outbox.deliver_due(store, senders, "worker", clock=clock)


def deliver_everything(store, senders, clock: Clock, rounds: int = 12) -> None:
    """The worker, run past each wait until nothing is left to send."""
    for _ in range(rounds):
        deliver(store, senders, clock)
        if not [r for r in rows(store) if r.status in ("pending", "sending")]:
            return
        clock.later(RECHECK + 1)
    raise AssertionError("messages still waiting")


def telegram_texts(telegram: FakeTelegram) -> Counter:
    return Counter(m["text"] for m in telegram.sent)


# ---- SMS: looked up before it is sent again ---------------------------------------------------------------


def test_an_sms_twilio_took_but_answered_too_late_for_is_found_and_never_sent_again(store, senders, twilio, clock):
    row_id = queue(store, "sms", "Your report has been received")
    twilio.fail_next("stall")
    assert deliver(store, senders, clock) == 0
    waiting = row(store, row_id)
    assert (waiting.status, waiting.unknown_outcomes) == ("pending", 1)
    assert waiting.in_doubt_since is not None and waiting.last_error.startswith("outcome unknown")
    assert len(twilio.sent) == 1  # Twilio has it, though the worker never heard

    clock.later(RECHECK - 1)
    assert deliver(store, senders, clock) == 0 and twilio.lookups == 0  # not yet: a slow Twilio may still be busy with it
    clock.later(2)
    assert deliver(store, senders, clock) == 1

    sent = row(store, row_id)
    assert (sent.status, sent.provider_message_id, sent.possible_duplicate) == ("sent", twilio.sent[0].sid, False)
    assert len(twilio.sent) == 1 and twilio.lookups >= 1
    assert sent.in_doubt_since is None and sent.recipient is None


def test_an_sms_twilio_never_took_is_looked_up_then_sent_once(store, senders, twilio, clock):
    row_id = queue(store, "sms", "Your report has been received")
    twilio.fail_next("timeout")
    deliver(store, senders, clock)
    assert twilio.sent == [] and row(store, row_id).in_doubt_since is not None

    clock.later(RECHECK + 1)
    assert deliver(store, senders, clock) == 1
    assert len(twilio.sent) == 1 and twilio.lookups >= 1
    assert row(store, row_id).provider_message_id == twilio.sent[0].sid


def test_an_sms_still_in_twilios_queue_is_found_though_it_has_no_date_sent(store, senders, twilio, clock):
    twilio.queueing = True
    row_id = queue(store, "sms", "Your report has been received")
    twilio.fail_next("stall")
    deliver(store, senders, clock)
    clock.later(RECHECK + 1)
    assert deliver(store, senders, clock) == 1
    assert len(twilio.sent) == 1 and twilio.sent[0].date_sent is None
    assert row(store, row_id).provider_message_id == twilio.sent[0].sid


def test_a_lookup_that_fails_leaves_the_sms_in_doubt_until_one_answers(store, senders, twilio, clock):
    row_id = queue(store, "sms", "Your report has been received")
    twilio.fail_next("stall", "500")
    deliver(store, senders, clock)
    clock.later(RECHECK + 1)
    assert deliver(store, senders, clock) == 0  # the lookup got a 500: nothing is sent blind
    waiting = row(store, row_id)
    assert waiting.status == "pending" and waiting.in_doubt_since is not None and "looking the message up" in waiting.last_error

    clock.later(3600)
    assert deliver(store, senders, clock) == 1
    assert len(twilio.sent) == 1 and row(store, row_id).provider_message_id == twilio.sent[0].sid


def test_an_earlier_sms_with_the_same_words_is_not_taken_for_the_one_in_doubt(store, senders, twilio, clock):
    first = queue(store, "sms", "Sorry, I did not understand that.")
    assert deliver(store, senders, clock) == 1
    second = queue(store, "sms", "Sorry, I did not understand that.")
    twilio.fail_next("timeout")  # this one never reached Twilio: only the first, with the same words, is there
    deliver(store, senders, clock)
    clock.later(RECHECK + 1)
    assert deliver(store, senders, clock) == 1

    assert len(twilio.sent) == 2 and twilio.sent[0].body == twilio.sent[1].body
    assert [row(store, first).provider_message_id, row(store, second).provider_message_id] == [s.sid for s in twilio.sent]


def test_a_webhook_reply_with_the_same_words_is_not_taken_for_the_sms_in_doubt(store, senders, twilio, clock):
    # What the webhook answered in TwiML is in Twilio's list too, as outbound-reply, never our send.
    from tests.fake_twilio import Sent

    row_id = queue(store, "sms", "Sorry, I did not understand that.")
    twilio.fail_next("timeout")
    deliver(store, senders, clock)
    body = outbox_body(store, row_id)
    twilio.sent.append(Sent(REPORTER, MKCC_NUMBER, body, None, "SM" + "e" * 32, clock(), clock(), direction="outbound-reply"))
    clock.later(RECHECK + 1)
    assert deliver(store, senders, clock) == 1
    assert row(store, row_id).provider_message_id == twilio.sent[-1].sid != "SM" + "e" * 32


def outbox_body(store, row_id: int) -> str:
    return row(store, row_id).payload["body"]


# ---- Telegram: no lookup, so once more at most --------------------------------------------------------------


def test_a_telegram_message_in_doubt_is_sent_once_more_after_a_longer_wait_and_marked_a_possible_duplicate(
    store, senders, telegram, clock
):
    row_id = queue(store, "telegram", "Is anyone in danger right now?")
    telegram.fail("sendMessage", "stall:1.5")
    assert deliver(store, senders, clock) == 0
    assert row(store, row_id).unknown_outcomes == 1

    clock.later(outbox.FIRST_RETRY_SECONDS * 2)
    assert deliver(store, senders, clock) == 0  # an ordinary retry's wait is not enough
    clock.later(RECHECK)
    assert deliver(store, senders, clock) == 1

    sent = row(store, row_id)
    assert (sent.status, sent.possible_duplicate) == ("sent", True)
    assert telegram_texts(telegram) == {"Is anyone in danger right now?": 2}


def test_a_telegram_message_whose_outcome_is_unknown_twice_is_never_sent_a_third_time(store, senders, telegram, clock, profiles):
    with store.transaction() as session:
        case = cases.open_case(session, reference="MK-DOUBT1", profile=profiles["mkcc"], channel="telegram", language="en",
                               at=clock())  # fmt: skip
        session.flush()
        case_id = case.id
    row_id = queue(store, "telegram", "Is anyone in danger right now?", case_id=case_id)
    telegram.fail("sendMessage", "stall:1.5", "stall:1.5")
    deliver_everything(store, senders, clock)

    given_up = row(store, row_id)
    assert (given_up.status, given_up.possible_duplicate, given_up.recipient) == ("failed", True, None)
    assert "never sent a third time" in given_up.last_error
    assert telegram_texts(telegram) == {"Is anyone in danger right now?": 2}
    with store.transaction() as session:
        [event] = session.scalars(select(CaseEventRow).where(CaseEventRow.kind == "message_failed")).all()
        assert "third time" in event.data["reason"]


def test_a_telegram_answer_refused_after_an_unknown_outcome_still_leaves_one_more_try(store, senders, telegram, clock):
    # A 500 is an answer: Telegram did not act on that try, so it does not count against the one more.
    row_id = queue(store, "telegram", "Is anyone in danger right now?")
    telegram.fail("sendMessage", "stall:1.5", "500")
    deliver_everything(store, senders, clock)
    assert row(store, row_id).status == "sent"
    assert telegram_texts(telegram) == {"Is anyone in danger right now?": 2}


# ---- the fault probe: many sends, half taken and answered too late ------------------------------------------


def test_timed_out_sends_on_both_doors_deliver_each_sms_once_and_each_telegram_message_at_most_twice(
    store, senders, twilio, telegram, clock
):
    per_door = 12
    for n in range(per_door):
        queue(store, "sms", f"SMS reply number {n}", recipient=REPORTER if n % 2 else "+447700900914")
        queue(store, "telegram", f"Telegram reply number {n}")
    # Every other send is taken and then answered too late.
    twilio.fail_next(*["stall", "ok"] * (per_door // 2))
    telegram.fail("sendMessage", *["stall:1.5", "ok"] * (per_door // 2))
    deliver_everything(store, senders, clock)

    sms = Counter(s.body for s in twilio.sent)
    texts = telegram_texts(telegram)
    timed_out = per_door // 2
    assert len(sms) == per_door and set(sms.values()) == {1}, sms
    assert len(texts) == per_door and sum(texts.values()) - per_door <= timed_out, texts
    assert {r.status for r in rows(store)} == {"sent"}
    marked = [r for r in rows(store) if r.possible_duplicate]
    assert {r.channel for r in marked} == {"telegram"} and len(marked) == timed_out
    print(
        f"fault probe: {per_door} SMS with {timed_out} timed out -> {sum(sms.values()) - per_door} duplicates; "
        f"{per_door} Telegram with {timed_out} timed out -> {sum(texts.values()) - per_door} duplicates "
        f"(at most 1 each, {len(marked)} rows marked)"
    )


# ---- a worker killed mid-send -------------------------------------------------------------------------------


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "import sys, cli; sys.exit(cli.main(['outbox', 'work', '--once']))"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_worker_killed_mid_send_leaves_a_message_the_next_worker_settles(tmp_path, store, twilio, telegram, senders, channel):
    row_id = queue(store, channel, "Your report has been received")
    twilio.clock = utcnow  # the killed worker's clock is the real one
    twilio.stall_seconds = 30
    twilio.fail_next("stall")
    telegram.fail("sendMessage", "stall:30")
    # The provider has the message and the worker is still waiting for its answer when it is killed.
    env = {**environment(tmp_path, store, twilio, telegram), "TWILIO_TIMEOUT_SECONDS": "20", "TELEGRAM_TIMEOUT_SECONDS": "20"}
    worker = _worker(env)
    try:
        _wait_for(lambda: twilio.sent or telegram.sent)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    doomed = row(store, row_id)
    assert (doomed.status, doomed.attempts) == ("sending", 1)

    later = Clock()
    later.later(outbox.LEASE.total_seconds() + 1)
    assert outbox.deliver_due(store, senders, "next-worker", clock=later) == 1

    settled = row(store, row_id)
    assert (settled.status, settled.unknown_outcomes) == ("sent", 1)
    if channel == "sms":
        assert len(twilio.sent) == 1 and settled.provider_message_id == twilio.sent[0].sid
        assert not settled.possible_duplicate
    else:
        assert telegram_texts(telegram) == {"Your report has been received": 2} and settled.possible_duplicate
