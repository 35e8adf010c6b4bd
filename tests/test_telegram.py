"""The Telegram door end to end: the real python-telegram-bot Bot against a fake Bot API on 127.0.0.1.

Replies go through the outbox and the one delivery worker; the tests deliver what is
due after each update, with a worker's clock that runs past any backoff.
"""

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
from sqlalchemy import func, select

from channels.telegram import door as telegram_door
from channels.telegram.polling import poll
from channels.telegram.runner import RUNNER
from flask_app import create_app
from intake import outbox
from intake.messages import utcnow
from intake.runtime import work
from intake.settings import Settings
from intake.store.crypto import read_file
from intake.store.models import AttachmentRow, CaseRow, ConversationRow, InboundReceipt, OutboxRow
from tests import images
from tests.harness import ANONYMOUS_VICTIM, TEST_DATA_KEYS
from tests.telegram_fake import FakeTelegram

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret-for-tests"
DATA = Path(__file__).parent / "data" / "telegram"
PNG = images.PNG
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def wait_for(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


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
        "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
        "INTAKE_PUBLIC_URL": "https://report.example.org",
        "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET,
        "TELEGRAM_API_BASE": fake.url,
    }


@pytest.fixture
def app(environ):
    return create_app(environ)


@pytest.fixture
def client(app):
    return app.test_client()


def deliver(app) -> int:
    """What the delivery worker does: send everything queued, running its clock past each backoff."""
    assembly = app.extensions["assembly"]
    senders = assembly.senders(app.config["INTAKE_SETTINGS"])
    store, later, sent = assembly.intake.store, timedelta(), 0
    for _ in range(20):
        sent += outbox.deliver_due(
            store, senders, "test-worker", clock=lambda later=later: utcnow() + later, channels=("telegram",)
        )
        with store.transaction() as session:
            waiting = session.scalar(
                select(func.count()).where(OutboxRow.channel == "telegram", OutboxRow.status.in_(("pending", "sending")))
            )
        if not waiting:
            return sent
        later += timedelta(minutes=2)
    raise AssertionError("telegram messages still waiting")


class Reporter:
    """Someone on Telegram: sends messages and presses the buttons the fake shows them."""

    _updates = count(900_000)

    def __init__(self, fake: FakeTelegram, app, post: Callable[[dict], dict], chat_id: int = 5123456789, lang: str = "en"):
        self.fake, self.app, self.post, self.chat_id, self.lang = fake, app, post, chat_id, lang
        self.store = app.extensions["intake"].store
        self.my_messages: list[int] = []

    def deliver(self, update: dict) -> dict:
        answer = self.post(update)
        deliver(self.app)
        return answer

    def say(self, text: str, **extra) -> dict:
        update = recorded("text")
        message = update["message"]
        message.update(text=text, message_id=self.fake.next_message_id(self.chat_id), **extra)
        message["chat"]["id"] = message["from"]["id"] = self.chat_id
        message["from"]["language_code"] = self.lang
        update["update_id"] = next(self._updates)
        self.my_messages.append(message["message_id"])
        self.deliver(update)
        return update

    def keyboard_message(self, data: str) -> dict:
        """The newest message of ours that still shows a button with this callback data."""
        for sent in reversed(self.fake.sent):
            markup = self.fake.markups.get((self.chat_id, sent["message_id"]))
            if markup and any(b["callback_data"] == data for row in markup["inline_keyboard"] for b in row):
                return {**sent, "reply_markup": markup}
        raise AssertionError(f"no button {data}")

    def press(self, data: str, message: dict | None = None, *, echo_keyboard: bool = True) -> dict:
        message = copy.deepcopy(message or self.keyboard_message(data))
        if not echo_keyboard:
            message.pop("reply_markup", None)  # Telegram may send the pressed message without its keyboard
        update = recorded("callback_query")
        query = update["callback_query"]
        query.update(data=data, message=message, id=str(next(self._updates)))
        query["from"]["id"] = self.chat_id
        update["update_id"] = next(self._updates)
        return self.deliver(update)

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

    def report(self, answers: dict, until: str | None = None) -> None:
        """Answer whatever is asked: buttons where there are buttons, words otherwise, until the report is sent."""
        for _ in range(40):
            step = self.step()
            if step is None or step == until:
                return
            value = answers.get(step, "send" if step == "summary" else None)
            if isinstance(value, list):
                self.tick(step, value)
            elif step in BUTTONS and value is not None:
                self.press(f"a|{step}|{value}")
            else:
                self.say(value if value is not None else "/skip")
        raise AssertionError("the report never ended")


BUTTONS = {"danger_now", "role", "identity", "scope", "confirm_suggested", "consent", "summary", "relationship", "victim_consent"}


def webhook(client, org: str = "mkcc", secret: str = SECRET) -> Callable[[dict], dict]:
    def post(update: dict) -> dict:
        response = client.post(f"/telegram/{org}/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return post


ENGLISH = {
    **ANONYMOUS_VICTIM,
    "description": "They shouted abuse at me and wrote a slur on my door",
    "when": "yesterday",
    "incident_types": ["verbal_abuse"],
    "risk_impact": ["none"],
}
ARABIC = {
    **ENGLISH,
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
def test_a_whole_report_through_the_webhook_ends_with_the_victims_code_delivered(client, app, fake, answers, opening, language):
    reporter = Reporter(fake, app, webhook(client), lang=language)
    reporter.say(opening)
    reporter.report(answers)
    assert_reported_with_the_victims_code(reporter, language)
    if language == "ar":
        # The replies really were in Arabic, not English with an Arabic case language.
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in reporter.texts())


def test_a_whole_report_by_polling_ends_with_the_victims_code_delivered(app, environ, fake):
    from channels.telegram.config import BotConfig
    from channels.telegram.runner import make_bot

    settings = app.config["INTAKE_SETTINGS"]
    receiver = telegram_door.receiver(settings, app.extensions["intake"])
    stop = threading.Event()
    bot = make_bot(BotConfig("mkcc", TOKEN, SECRET, fake.url))
    poller = threading.Thread(
        target=poll, args=(bot, lambda data: receiver.receive("mkcc", data, webhook=False), stop), kwargs={"long_poll": 1},
        daemon=True,
    )  # fmt: skip
    poller.start()

    def through_get_updates(update: dict) -> dict:
        fake.queue_update(update)
        # Handled once the poller asks for the updates after it (getUpdates' offset confirms it).
        wait_for(lambda: all(u["update_id"] != update["update_id"] for u in list(fake.updates)))
        return {}

    try:
        reporter = Reporter(fake, app, through_get_updates)
        reporter.say("/start")
        reporter.report(ENGLISH)
    finally:
        stop.set()
        poller.join(timeout=10)
    assert_reported_with_the_victims_code(reporter, "en")
    assert fake.of("deleteWebhook"), "polling must clear a webhook first, or getUpdates is refused"
    # With no webhook response to carry it, each press's spinner is stopped through the outbox.
    assert len(fake.of("answerCallbackQuery")) >= 5


def receipts(store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboundReceipt))


@pytest.mark.parametrize("header", [None, "wrong-secret", SECRET + "x"], ids=["missing", "forged", "longer"])
def test_a_missing_or_forged_secret_is_refused(client, fake, header):
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    response = client.post("/telegram/mkcc/webhook", json=recorded("text"), headers=headers)
    assert response.status_code == 403
    assert fake.calls == []


@pytest.mark.parametrize("fixture", ["edited_message", "channel_post", "sticker"])
def test_updates_we_do_not_handle_get_200_so_telegram_stops_sending_them(client, fake, store, fixture):
    response = client.post("/telegram/mkcc/webhook", json=recorded(fixture), headers=HEADERS)
    assert response.status_code == 200 and "ignored" in response.get_json()
    assert receipts(store) == 0


def _nested(depth: int) -> str:
    return '{"update_id": 1, "message": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (b"{not json", "JSON"),
        (b"[1]", "JSON object"),
        (b'{"update_id": "x"}', "update_id"),
        (b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": {"id": "12", "type": "private"}}}', "message.chat.id"),
        (b'{"update_id": 5, "message": {"message_id": 1, "date": 99999999999999999999, "chat": {"id": 1, "type": "private"}}}',
         "message.date"),
        (b'{"update_id": 5, "callback_query": {"id": 7, "from": {"id": 1}, "data": "a|x|y"}}', "callback_query.id"),
        (_nested(100_000).encode(), "JSON"),
    ],
    ids=["not json", "a list", "bad update_id", "a chat id as text", "a date past any clock", "a numeric query id",
         "nested past any parser"],
)  # fmt: skip
def test_a_malformed_update_is_refused_naming_the_field(client, store, body, names):
    response = client.post("/telegram/mkcc/webhook", data=body, content_type="application/json", headers=HEADERS)
    assert response.status_code == 400
    assert names in response.get_json()["error"]
    assert receipts(store) == 0


def test_a_landlord_without_a_bot_has_no_webhook(client):
    response = client.post("/telegram/wchg/webhook", json=recorded("text"), headers=HEADERS)
    assert response.status_code == 404


def test_a_redelivered_update_changes_nothing_and_sends_nothing_twice(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
    first = reporter.say("Someone wrote a slur on my door")
    sent_before = len(fake.sent)
    with store.transaction() as session:
        rows_before = session.scalar(select(func.count()).select_from(OutboxRow))
    reporter.deliver(first)
    reporter.deliver(first)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == rows_before
    assert receipts(store) == 1
    assert len(fake.sent) == sent_before


def test_a_press_is_answered_in_the_webhooks_own_response_and_calls_telegram_for_nothing(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    calls_before = len(fake.calls)
    message = reporter.keyboard_message("a|danger_now|no")
    update = recorded("callback_query")
    update["callback_query"].update(data="a|danger_now|no", message=message, id="press-1")
    answers = [webhook(client)(update) for _ in range(50)]  # Telegram retrying one press
    assert answers[0] == {"method": "answerCallbackQuery", "callback_query_id": "press-1"}
    assert len(fake.calls) == calls_before  # nothing inside the requests
    deliver(app)
    # Once delivered: the keyboard taken away and the next question asked, once.
    assert fake.markups[(reporter.chat_id, message["message_id"])] is None
    assert sum("Who are you reporting for?" in t for t in reporter.texts()) == 1
    assert reporter.step() == "role"


@pytest.mark.parametrize(
    "data", ["x|danger_now|no", "a||", "", "a|danger_now"], ids=["unknown action", "empty", "nothing", "short"]
)
def test_a_press_whose_data_is_not_ours_is_acknowledged_and_records_nothing(client, store, data):
    update = recorded("callback_query")
    update["callback_query"]["data"] = data
    assert webhook(client)(update) == {"method": "answerCallbackQuery", "callback_query_id": "4382139028459921123"}
    assert receipts(store) == 0


def test_an_old_button_changes_only_its_own_question_never_a_later_one(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    danger = reporter.keyboard_message("a|danger_now|yes")
    reporter.press("a|danger_now|no")
    assert reporter.step() == "role"
    # The keyboard is gone once answered...
    assert fake.markups[(reporter.chat_id, danger["message_id"])] is None
    # ...and a press on a copy still on the reporter's screen changes that question alone.
    reporter.press("a|danger_now|yes", danger)
    with store.transaction() as session:
        answers = session.scalar(select(ConversationRow)).state["answers"]
    assert answers["danger_now"]["value"] == "yes" and "role" not in answers
    assert reporter.step() == "role"
    assert any("999" in t for t in reporter.texts())


def test_ticks_live_in_the_conversation_so_a_press_that_does_not_echo_the_keyboard_loses_none(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
    reporter.say("Someone wrote a slur on my door")
    reporter.report(ENGLISH, until="risk_incident")
    reporter.press("t|risk_incident|weapon")
    reporter.press("t|risk_incident|ongoing", echo_keyboard=False)
    reporter.press("t|risk_incident|weapon")
    message = reporter.keyboard_message("d|risk_incident|")
    labels = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert [label for label in labels if label.startswith("☑")] == ["☑ It is still going on"]
    reporter.press("d|risk_incident|", message, echo_keyboard=False)
    with store.transaction() as session:
        row = session.scalar(select(ConversationRow))
        assert row.state["answers"]["risk_incident"]["value"] == ["ongoing"]


def test_flood_control_and_network_errors_lose_nothing_and_send_nothing_twice(client, app, fake, store):
    fake.fail("sendMessage", "429:1", "drop", "500")
    reporter = Reporter(fake, app, webhook(client))
    reporter.deliver(recorded("text") | {"update_id": 1})
    failed = [c.method for c in fake.calls if c.method.startswith("sendMessage!")]
    assert failed == ["sendMessage!429:1", "sendMessage!drop", "sendMessage!500"]
    texts = [m["text"] for m in fake.sent]
    assert len(texts) == len(set(texts)) == 2
    assert texts[0].startswith("This is Milton Keynes")  # the welcome still comes before the question
    with store.transaction() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert [r.status for r in rows if r.channel == "telegram"] == ["sent", "sent"]


def test_quick_exit_deletes_the_chat_then_says_one_neutral_line(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
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


def attachments(store) -> list[AttachmentRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AttachmentRow)).all())


def test_a_photo_becomes_an_attachment_and_a_file_of_another_kind_is_refused_once_with_its_reason(
    client, app, fake, store, tmp_path
):
    reporter = Reporter(fake, app, webhook(client))
    fake.files["AgACAgQAAxkBAAIBlarge"] = PNG
    fake.files["BQACAgQAAxkBAAIBletter"] = b"MZ\x90\x00 an executable, not a letter"
    photo = recorded("photo")
    # Long enough for the language detector to be sure it is English ("This is the door" reads as Somali).
    photo["message"]["caption"] = "This is a photo of the slur they painted on my front door"
    reporter.deliver(photo)
    [attachment] = attachments(store)
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    stored = Path(attachment.stored_path)
    assert read_file(stored, store.keys) == PNG and PNG not in stored.read_bytes() and tmp_path in stored.parents
    document = recorded("document")
    reporter.deliver(document)
    getfile_calls = len(fake.of("getFile"))
    reporter.deliver(document)
    assert len(fake.of("getFile")) == getfile_calls  # a redelivery asks Telegram for nothing
    refused = [m for m in fake.sent if "we can only take photos" in m["text"]]
    assert len(refused) == 1
    assert len(attachments(store)) == 1


def test_a_file_telegram_will_not_hand_over_is_said_so_and_its_caption_is_kept(client, app, fake, store):
    reporter = Reporter(fake, app, webhook(client))
    fake.fail("getFile", "400")
    photo = recorded("photo")
    photo["message"]["caption"] = "Someone painted a slur on my front door last night"
    assert reporter.deliver(photo) == {"ok": True}
    assert any("We could not get that file" in t for t in reporter.texts())
    assert attachments(store) == []
    with store.transaction() as session:
        answers = session.scalar(select(ConversationRow)).state["answers"]
    assert answers["opening"]["value"] == "Someone painted a slur on my front door last night"


def test_without_a_token_the_door_is_off_and_says_so(store, tmp_path):
    from intake.orgs import load_profiles

    config = {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "k", "INTAKE_DATABASE_URL": store.url,
              "INTAKE_DATA_KEYS": TEST_DATA_KEYS}  # fmt: skip
    settings = Settings.from_env(config)
    assert telegram_door.sender(settings, load_profiles()) is None
    assert "off" in telegram_door.describe(settings, load_profiles())[0]
    assert create_app(config).test_client().post("/telegram/mkcc/webhook", json={}).status_code == 404


def test_the_one_delivery_worker_sends_telegram_replies(app, fake):
    app.test_client().post("/telegram/mkcc/webhook", json=recorded("text"), headers=HEADERS)
    assert fake.sent == []  # the webhook waits on no one
    assembly = app.extensions["assembly"]
    work(assembly.intake, assembly.senders(app.config["INTAKE_SETTINGS"]), once=True)
    assert len(fake.sent) == 2


def test_two_landlords_bots_sending_the_same_update_id_each_reach_their_reporter(store, fake, environ):
    fake.tokens.add("654321:OTHER-token")
    app = create_app({**environ, "TELEGRAM_BOT_TOKEN_WCHG": "654321:OTHER-token", "TELEGRAM_WEBHOOK_SECRET_WCHG": "wchg-secret"})
    client = app.test_client()
    # Telegram numbers updates per bot: Wythenshawe's bot may well send the number Milton Keynes's did.
    update = recorded("text") | {"update_id": 777}
    webhook(client, "mkcc")(update)
    webhook(client, "wchg", "wchg-secret")(update)
    deliver(app)
    with store.transaction() as session:
        assert {row.org for row in session.scalars(select(ConversationRow))} == {"mkcc", "wchg"}
    assert receipts(store) == 2
    welcomes = [m["text"] for m in fake.sent if m["text"].startswith("This is")]
    assert any("Milton Keynes" in w for w in welcomes) and any("Wythenshawe" in w for w in welcomes)


def test_set_webhook_registers_the_secret_and_a_command_menu_per_language(environ, fake, monkeypatch):
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


def test_with_the_bot_api_hanging_an_sms_webhook_still_answers_within_a_second(store, fake, environ):
    """Two server threads, as a small deployment runs: Telegram's presses, texts and photos arriving while its API hangs
    take neither, so a text message to the SMS door is answered at once."""
    import requests
    from waitress.server import create_server

    from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
    from tests.sms_support import inbound_form, signature

    for method in ("getFile", "sendMessage", "answerCallbackQuery", "editMessageReplyMarkup"):
        fake.fail(method, *["hang:30"] * 50)
    config = {**environ, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TELEGRAM_TIMEOUT_SECONDS": "0.1"}
    app = create_app(config)
    from intake import nlp

    nlp.analyse("warm up the reading, as intake run does before taking traffic", "en")
    nlp.detect_language("warm up the language detector before taking traffic too")
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.effective_port}"

    def telegram(update: dict) -> None:
        requests.post(f"{base}/telegram/mkcc/webhook", json=update, headers=HEADERS, timeout=30)

    try:
        updates = []
        for n in range(6):
            kind = ("callback_query", "text", "photo")[n % 3]
            update = recorded(kind) | {"update_id": 5000 + n}
            if kind == "photo":
                update["message"] = {
                    **update["message"],
                    "photo": [{"file_id": f"hanging-{n}", "file_unique_id": "u", "width": 9, "height": 9}],
                }
            updates.append(update)
        senders = [threading.Thread(target=telegram, args=(u,)) for u in updates]
        for sender in senders:
            sender.start()
        time.sleep(0.05)  # the Telegram requests are in
        form = inbound_form("hello")
        started = time.monotonic()
        answered = requests.post(
            f"{base}/sms/inbound", data=form, timeout=30,
            headers={"X-Twilio-Signature": signature(form, "https://report.example.org/sms/inbound")},
        )  # fmt: skip
        took = time.monotonic() - started
        for sender in senders:
            sender.join(timeout=30)
    finally:
        server.close()
    assert answered.status_code == 200 and "<Message>" in answered.text
    print(f"the SMS webhook answered in {took:.2f}s")
    assert took < 1.0, f"the SMS webhook took {took:.2f}s"
