"""The Telegram door end to end: the real python-telegram-bot Bot against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import func, select, true

from channels.telegram import make_door
from channels.telegram.polling import poll
from channels.telegram.runner import RUNNER
from flask_app import create_app
from intake import outbox
from intake.messages import utcnow
from intake.runtime import work
from intake.settings import Settings
from intake.store.models import CaseRow, ConversationRow, InboundReceipt, OutboxRow
from tests.telegram_fake import FakeTelegram

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret-for-tests"
DATA = Path(__file__).parent / "data" / "telegram"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def wait_for(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def unsent(store, *, backing_off_too: bool = False) -> int:
    due = OutboxRow.next_attempt_at <= utcnow()
    with store.transaction() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(
                OutboxRow.channel == "telegram",
                OutboxRow.status.in_(("pending", "sending")),
                true() if backing_off_too else due,
            )
        )


@pytest.fixture
def fake():
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()
    # The next test's fake may get this one's port: a pooled connection to it would be stale.
    RUNNER.forget_bots()


@pytest.fixture
def environ(store, fake, tmp_path) -> dict[str, str]:
    return {
        "INTAKE_DATABASE_URL": store.url,
        "INTAKE_INSTANCE_PATH": str(tmp_path),
        "INTAKE_SECRET_KEY": "test-secret",
        "INTAKE_PUBLIC_URL": "https://report.example.org",
        "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET,
        "TELEGRAM_API_BASE": fake.url,
    }


@pytest.fixture
def client(environ):
    return create_app(environ).test_client()


class Reporter:
    """Someone on Telegram: sends messages and presses the buttons the fake shows them."""

    _updates = count(900_000)

    def __init__(self, fake: FakeTelegram, store, deliver: Callable[[dict], None], chat_id: int = 5123456789, lang: str = "en"):
        self.fake, self.store, self.deliver, self.chat_id, self.lang = fake, store, deliver, chat_id, lang
        self.my_messages: list[int] = []

    def _settle(self) -> None:
        # A send that failed (a pooled connection the fake had closed, on a busy machine) is
        # retried by the door's own retry tick after its backoff: wait for that too.
        wait_for(lambda: unsent(self.store, backing_off_too=True) == 0, timeout=40.0)

    def say(self, text: str, **extra) -> dict:
        update = recorded("text")
        message = update["message"]
        message.update(text=text, message_id=self.fake.next_message_id(self.chat_id), **extra)
        message["chat"]["id"] = message["from"]["id"] = self.chat_id
        message["from"]["language_code"] = self.lang
        update["update_id"] = next(self._updates)
        self.my_messages.append(message["message_id"])
        self.deliver(update)
        self._settle()
        return update

    def keyboard_message(self, data: str) -> dict:
        """The newest message of ours that still shows a button with this callback data."""
        for sent in reversed(self.fake.sent):
            markup = self.fake.markups.get((self.chat_id, sent["message_id"]))
            if markup and any(b["callback_data"] == data for row in markup["inline_keyboard"] for b in row):
                return {**sent, "reply_markup": markup}
        raise AssertionError(f"no button {data}")

    def press(self, data: str, message: dict | None = None) -> dict:
        message = copy.deepcopy(message or self.keyboard_message(data))
        update = recorded("callback_query")
        query = update["callback_query"]
        query.update(data=data, message=message, id=str(next(self._updates)))
        query["from"]["id"] = self.chat_id
        update["update_id"] = next(self._updates)
        self.deliver(update)
        self._settle()
        return update

    def tick(self, question: str, values: list[str]) -> None:
        for value in values:
            self.press(f"t|{question}|{value}")
        self.press(f"d|{question}|", self.keyboard_message(f"d|{question}|"))

    def step(self) -> str | None:
        with self.store.transaction() as session:
            row = session.scalar(select(ConversationRow).where(ConversationRow.status != "ended"))
            return None if row is None else row.state["step"]

    def texts(self) -> list[str]:
        return [m["text"] for m in self.fake.sent if m["chat"]["id"] == self.chat_id]


def webhook(client) -> Callable[[dict], None]:
    def post(update: dict) -> None:
        response = client.post("/telegram/mkcc/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status_code == 200, response.get_json()

    return post


ANONYMOUS_VICTIM = {
    "danger_now": ("press", "no"),
    "role": ("press", "victim"),
    "identity": ("press", "anonymous"),
    "scope": ("press", "yes"),
    "confirm_suggested": ("press", "yes"),  # what was read from the description, when anything was
    "motivation": ("tick", ["race"]),
    "incident_types": ("tick", ["verbal_abuse"]),
    "risk_incident": ("tick", ["threats_violence", "happened_before"]),
    "risk_impact": ("tick", ["none"]),
    "consent": ("press", "yes"),
    "summary": ("press", "send"),
}


def answer(reporter: Reporter, step: str, answers: dict[str, str]) -> None:
    """Answer the question on screen: buttons where there are buttons, words otherwise."""
    how, value = {**ANONYMOUS_VICTIM, **{k: ("say", v) for k, v in answers.items()}}[step]
    if how == "press":
        reporter.press(f"a|{step}|{value}")
    elif how == "tick":
        reporter.tick(step, value)
    else:
        reporter.say(value)


def report(reporter: Reporter, answers: dict[str, str]) -> None:
    """Answer whatever is asked until the report is sent."""
    for _ in range(40):
        step = reporter.step()
        if step is None:
            return
        answer(reporter, step, answers)
    raise AssertionError("the report never ended")


ENGLISH = {
    "description": "They shouted abuse at me and wrote a slur on my door",
    "when": "yesterday",
    "where": "Saxon Gate, MK9 3EJ",
    "perpetrator": "A man from the next block",
}
ARABIC = {
    "description": "صرخوا في وجهي بكلمات عنصرية وكتبوا شتيمة على باب بيتي",
    "when": "أمس",
    "where": "MK9 3EJ",
    "perpetrator": "رجل من العمارة المجاورة",
}


def the_case(store) -> CaseRow:
    with store.transaction() as session:
        [case] = session.scalars(select(CaseRow)).all()
        return case


def assert_reported_with_the_victims_code(reporter: Reporter, language: str) -> None:
    case = the_case(reporter.store)
    assert case.channel == "telegram" and case.status == "submitted" and case.language == language
    assert case.victims_code_sent_at is not None and case.victims_code_status == "sent"
    code = [m for m in reporter.fake.sent if "/victims-code/mkcc" in m["text"]]
    assert len(code) == 1 and case.reference in "".join(reporter.texts())
    # Every keyboard that was answered is gone: nothing left to press.
    live = [k for k, markup in reporter.fake.markups.items() if markup and markup.get("inline_keyboard")]
    assert live == []


@pytest.mark.parametrize(
    ("answers", "opening", "language"),
    [(ENGLISH, "Someone wrote a slur on my door", "en"), (ARABIC, "كتب شخص شتيمة عنصرية على باب بيتي", "ar")],
    ids=["english", "arabic"],
)
def test_a_whole_report_through_the_webhook_ends_with_the_victims_code_delivered(client, fake, store, answers, opening, language):
    reporter = Reporter(fake, store, webhook(client), lang=language)
    reporter.say(opening)
    report(reporter, answers)
    assert_reported_with_the_victims_code(reporter, language)
    if language == "ar":
        # The replies really were in Arabic, not English with an Arabic case language.
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in reporter.texts())


def test_a_whole_report_by_polling_ends_with_the_victims_code_delivered(environ, fake, store):
    settings = Settings.from_env(environ)
    from intake.runtime import load_intake

    intake = load_intake(settings)
    door = make_door(settings, intake)
    stop = threading.Event()
    bot = make_bot_for(fake)
    poller = threading.Thread(
        target=poll, args=(bot, lambda data: door.receive("mkcc", data), stop), kwargs={"long_poll": 1}, daemon=True
    )
    poller.start()

    def through_get_updates(update: dict) -> None:
        fake.queue_update(update)
        # Handled once the poller asks for the updates after it (getUpdates' offset confirms it).
        wait_for(lambda: all(u["update_id"] != update["update_id"] for u in list(fake.updates)))

    try:
        reporter = Reporter(fake, store, through_get_updates)
        reporter.say("/start")
        report(reporter, ENGLISH)
    finally:
        stop.set()
        poller.join(timeout=10)
    assert_reported_with_the_victims_code(reporter, "en")
    assert fake.of("deleteWebhook"), "polling must clear a webhook first, or getUpdates is refused"


def make_bot_for(fake: FakeTelegram):
    from channels.telegram.config import BotConfig
    from channels.telegram.runner import make_bot

    return make_bot(BotConfig("mkcc", TOKEN, SECRET, fake.url))


def receipt_exists(store, update_id: int) -> bool:
    with store.transaction() as session:
        return session.scalar(select(InboundReceipt.id).where(InboundReceipt.provider_id == str(update_id))) is not None


@pytest.mark.parametrize("header", [None, "wrong-secret", SECRET + "x"], ids=["missing", "forged", "longer"])
def test_a_missing_or_forged_secret_is_refused(client, fake, header):
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    response = client.post("/telegram/mkcc/webhook", json=recorded("text"), headers=headers)
    assert response.status_code == 403
    assert fake.calls == []


@pytest.mark.parametrize("fixture", ["edited_message", "channel_post", "sticker"])
def test_updates_we_do_not_handle_get_200_so_telegram_stops_sending_them(client, fake, store, fixture):
    response = client.post("/telegram/mkcc/webhook", json=recorded(fixture), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200 and "ignored" in response.get_json()
    assert not receipt_exists(store, recorded(fixture)["update_id"])


@pytest.mark.parametrize("body", [b"{not json", b"[1]", b'{"update_id": "x"}'], ids=["not json", "a list", "bad update_id"])
def test_a_malformed_update_is_refused_with_a_reason(client, body):
    response = client.post(
        "/telegram/mkcc/webhook", data=body, content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_landlord_without_a_bot_has_no_webhook(client):
    response = client.post("/telegram/wchg/webhook", json=recorded("text"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 404


def test_a_redelivered_update_changes_nothing_and_sends_nothing_twice(client, fake, store):
    reporter = Reporter(fake, store, webhook(client))
    first = reporter.say("Someone wrote a slur on my door")
    sent_before = len(fake.sent)
    with store.transaction() as session:
        rows_before = session.scalar(select(func.count()).select_from(OutboxRow))
    reporter.deliver(first)
    reporter.deliver(first)
    reporter._settle()
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == rows_before
        assert session.scalar(select(func.count()).select_from(InboundReceipt)) == 1
    assert len(fake.sent) == sent_before


def test_an_old_button_cannot_answer_a_later_question(client, fake, store):
    reporter = Reporter(fake, store, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    danger = reporter.keyboard_message("a|danger_now|yes")
    reporter.press("a|danger_now|no")
    assert reporter.step() == "role"
    # The keyboard is gone once answered...
    assert fake.markups[(reporter.chat_id, danger["message_id"])] is None
    sent_before = len(fake.sent)
    # ...and a press on a copy of it still on the reporter's screen changes nothing.
    reporter.press("a|danger_now|yes", danger)
    assert reporter.step() == "role"
    assert len(fake.sent) == sent_before
    assert not any("999" in t for t in reporter.texts())


def test_a_multi_select_ticks_and_unticks_before_done(client, fake, store):
    reporter = Reporter(fake, store, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    report_until(reporter, "risk_incident")
    reporter.press("t|risk_incident|weapon")
    reporter.press("t|risk_incident|ongoing")
    reporter.press("t|risk_incident|weapon")
    message = reporter.keyboard_message("d|risk_incident|")
    labels = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert sum(label.startswith("☑") for label in labels) == 1
    reporter.press("d|risk_incident|", message)
    with store.transaction() as session:
        row = session.scalar(select(ConversationRow))
        assert row.state["answers"]["risk_incident"]["value"] == ["ongoing"]


def report_until(reporter: Reporter, stop_at: str) -> None:
    while (step := reporter.step()) != stop_at:
        answer(reporter, step, ENGLISH)


def test_flood_control_and_network_errors_lose_nothing_and_send_nothing_twice(client, fake, store, environ):
    fake.fail("sendMessage", "429:1", "drop", "500")
    reporter = Reporter(fake, store, webhook(client))
    reporter.deliver(recorded("text") | {"update_id": 1})
    # Each failure puts the row back with a wait (429: Telegram's retry_after); the worker retries.
    sender = {"telegram": make_door(Settings.from_env(environ), plain_intake(store)).kicker.sender}  # type: ignore[union-attr]
    later = timedelta()
    deadline = time.monotonic() + 30
    while len(fake.sent) < 2 and time.monotonic() < deadline:
        # A worker's clock that runs ahead, so each backoff is over at once.
        outbox.deliver_due(store, sender, "test-worker", clock=lambda later=later: utcnow() + later, channels=("telegram",))
        later += timedelta(minutes=2)
    failed = [c.method for c in fake.calls if c.method.startswith("sendMessage!")]
    assert failed == ["sendMessage!429:1", "sendMessage!drop", "sendMessage!500"]
    texts = [m["text"] for m in fake.sent]
    assert len(texts) == len(set(texts)) == 2
    assert texts[0].startswith("This is Milton Keynes")  # the welcome still comes before the question
    with store.transaction() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert [r.status for r in rows if r.channel == "telegram"] == ["sent", "sent"]


def plain_intake(store):
    from intake.orgs import load_profiles
    from intake.pipeline import Intake

    return Intake(store=store, profiles=load_profiles(), public_url="https://report.example.org", team_emails={})


def test_quick_exit_deletes_the_chat_then_says_one_neutral_line(client, fake, store):
    reporter = Reporter(fake, store, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    reporter.press("a|danger_now|no")
    bot_messages = [m["message_id"] for m in fake.sent]
    exit_update = reporter.say("/exit")
    chat = reporter.chat_id
    erased = {mid for c, mid in fake.deleted if c == chat}
    assert set(reporter.my_messages) <= erased
    assert exit_update["message"]["message_id"] in erased
    assert set(bot_messages) <= erased
    last = fake.sent[-1]
    assert last["message_id"] not in erased
    assert last["text"].startswith("Chat ended.") and "delete it" in last["text"]
    with store.transaction() as session:
        row = session.scalar(select(ConversationRow))
        assert row.status == "ended" and row.reply_address is None
    # Only the deletion and the last line: nothing else was sent after EXIT.
    assert fake.sent[-1] is fake.sent[len(bot_messages)]


def test_a_photo_becomes_an_attachment_and_other_files_are_refused_once(client, fake, store, tmp_path):
    reporter = Reporter(fake, store, webhook(client))
    fake.files["AgACAgQAAxkBAAIBlarge"] = PNG
    fake.files["BQACAgQAAxkBAAIBletter"] = b"MZ\x90\x00 an executable, not a letter"
    photo = recorded("photo")
    # Long enough for the language detector to be sure it is English ("This is the door" reads as Somali).
    photo["message"]["caption"] = "This is a photo of the slur they painted on my front door"
    webhook(client)(photo)
    reporter._settle()
    from intake.store.models import AttachmentRow

    with store.transaction() as session:
        [attachment] = session.scalars(select(AttachmentRow)).all()
        assert attachment.content_type == "image/png" and attachment.size == len(PNG)
        stored = Path(attachment.stored_path)
    assert stored.read_bytes() == PNG and tmp_path in stored.parents
    document = recorded("document")
    webhook(client)(document)
    webhook(client)(document)
    reporter._settle()
    refused = [m for m in fake.sent if "could not keep that file" in m["text"]]
    assert len(refused) == 1
    with store.transaction() as session:
        assert len(session.scalars(select(AttachmentRow)).all()) == 1


def test_without_a_token_the_door_is_off_and_says_so(store, tmp_path):
    from channels import telegram

    settings = Settings.from_env(
        {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "k", "INTAKE_DATABASE_URL": store.url}
    )
    assert telegram.sender(settings) is None and telegram.blueprint(settings) is None
    assert "off" in telegram.describe(settings)[0]
    app = create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "k", "INTAKE_DATABASE_URL": store.url})
    assert app.test_client().post("/telegram/mkcc/webhook", json={}).status_code == 404


def test_work_delivers_telegram_replies_when_the_webhook_could_not(environ, fake, store):
    intake = plain_intake(store)
    door = make_door(Settings.from_env(environ), intake, deliver_at_once=False)
    door.receive("mkcc", recorded("text"))
    assert fake.sent == []
    from channels.registry import door_senders

    work(intake, door_senders(Settings.from_env(environ)), once=True)
    assert len(fake.sent) == 2


def test_set_webhook_registers_the_secret_and_a_command_menu_per_language(environ, fake, monkeypatch, capsys):
    import cli

    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["telegram", "set-webhook", "--org", "mkcc"]) == 0
    [registered] = fake.of("setWebhook")
    assert registered["url"] == "https://report.example.org/telegram/mkcc/webhook"
    assert registered["secret_token"] == SECRET
    assert registered["allowed_updates"] == ["message", "callback_query"]
    menus = {m.get("language_code"): m["commands"] for m in fake.of("setMyCommands")}
    assert {c["command"] for c in menus[None]} == {"start", "help", "language", "back", "skip", "stop", "status", "exit"}
    assert {"pl", "ar", "uk"} <= menus.keys()
    assert {c["description"] for c in menus["pl"]} >= {"WYJDŹ"}
    assert cli.main(["telegram", "poll", "--org", "wchg"]) == 2
