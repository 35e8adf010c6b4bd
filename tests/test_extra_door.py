"""A new door is one package and one registry line: a door written here, in a temporary package, takes a whole report.

The door is a chat app reporters are known on by their phone number (as WhatsApp's
are): its webhook takes JSON, its replies go back through the outbox and its own
sender, and it needs no change to the core, the flow, the profiles or the catalogs.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from sqlalchemy import select

from channels import registry
from flask_app import create_app
from intake.runtime import work
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import CaseRow, OutboxRow
from tests.harness import ANONYMOUS_VICTIM, TEST_DATA_KEYS

DOOR = '''
"""A chat app door: JSON in, replies queued for its own sender, a reporter known by a phone number."""

import json
from pathlib import Path

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsConfigDict

from channels.base import Door
from intake.config import EnvironSettings
from intake.messages import Answer, DoorTraits, InboundMessage, OutboundMessage
from intake.pipeline import handle
from intake.privacy import sender_key


class Settings(EnvironSettings):
    model_config = SettingsConfigDict(env_prefix="CHATAPP_")
    outbox_file: str


class Message(BaseModel):
    id: str
    sender: str
    text: str = ""
    question: str | None = None  # a button press names its question
    option: str | None = None


class Sender:
    def __init__(self, path):
        self.path = Path(path)

    def send(self, message):
        replies = [OutboundMessage.from_dict(m) for m in message.payload.get("messages", [])]
        with self.path.open("a") as sent:
            sent.write(json.dumps({"to": message.recipient, "replies": [r.to_dict() for r in replies]}) + "\\n")
        return f"chatapp:{message.id}"


class ChatApp(Door):
    traits = DoorTraits("chatapp", title="ChatApp", address="phone")
    on_without_section = True
    settings_model = Settings

    def blueprint(self, settings, intake):
        door, secret = Blueprint("chatapp", __name__), settings.secret_key

        @door.post("/chatapp/<org>/webhook")
        def receive(org):
            try:
                message = Message.model_validate(request.get_json(silent=True))
            except ValidationError as error:
                return {"error": str(error.errors()[0]["loc"])}, 400
            answer = Answer(message.question, options=(message.option,)) if message.question else None
            handle(intake, InboundMessage(org=org, channel="chatapp", sender_key=sender_key(secret, "chatapp", message.sender),
                                          text=message.text, answer=answer, provider_id=message.id,
                                          reply_address=message.sender), reply_by_outbox=True)
            return {"ok": True}

        return door

    def sender(self, settings, profiles):
        return Sender(self.settings(settings).outbox_file)

    def describe(self, settings, profiles):
        return ["chatapp door: on"]


door = ChatApp()
'''


@pytest.fixture
def door_package(tmp_path, monkeypatch):
    package = tmp_path / "doors" / "chatapp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(DOOR), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "doors"))
    yield "chatapp"
    sys.modules.pop("chatapp", None)


def test_a_door_in_its_own_package_takes_a_whole_report_through_the_one_pipeline(door_package, tmp_path):
    url = f"sqlite:///{tmp_path / 'extra.db'}"
    migrate.upgrade(Store(url).engine)
    sent = tmp_path / "sent.jsonl"
    config = {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": url, "INTAKE_SECRET_KEY": "k",
              "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "CHATAPP_OUTBOX_FILE": str(sent)}  # fmt: skip
    app = create_app(config, doors=(*registry.DOORS, door_package))
    assembly, client = app.extensions["assembly"], app.test_client()
    ids = iter(range(1, 100))

    def last_question() -> dict | None:
        """What the reporter's app shows now: the last question among the messages delivered to them."""
        work(assembly.intake, assembly.senders(app.config["INTAKE_SETTINGS"]), once=True)
        questions = [
            r["question"] for line in sent.read_text().splitlines() for r in json.loads(line)["replies"] if r["question"]
        ]
        return questions[-1] if questions else None

    def post(**message) -> None:
        response = client.post("/chatapp/mkcc/webhook", json={"id": f"m{next(ids)}", "sender": "+447700900913", **message})
        assert response.status_code == 200, response.get_json()

    post(text="Hello, I need to report something that happened")
    answers = {**ANONYMOUS_VICTIM, "identity": "anonymous", "summary": "send"}
    while (question := last_question()) is not None:
        value = answers.get(question["id"])
        if isinstance(value, list):
            post(text=" ".join(str([o[0] for o in question["options"]].index(v) + 1) for v in value))
        elif question["options"] and value is not None:
            post(question=question["id"], option=value)  # a button
        elif value is not None:
            post(text=value)
        else:
            post(text="SKIP")
        if question["id"] == "summary":
            break
    last_question()  # the worker delivers what the report's sending queued

    with assembly.intake.store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert (case.channel, case.status, case.anonymous) == ("chatapp", "submitted", True)
        assert case.victims_code_sent_at is not None  # through the door's own sender
        assert {r.status for r in session.scalars(select(OutboxRow).where(OutboxRow.channel == "chatapp"))} == {"sent"}
    texts = [r["text"] for line in sent.read_text().splitlines() for r in json.loads(line)["replies"]]
    # Known by a phone number: the flow's words for the SMS door fit it, with no new words at all.
    assert any("we will not keep your phone number" in t for t in texts)
    assert any(case.reference in t for t in texts)


def test_a_door_with_a_bad_setting_stops_start_up_naming_the_variable(door_package, tmp_path):
    from intake.errors import ConfigError

    config = {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": "k"}
    with pytest.raises(ConfigError, match="CHATAPP_OUTBOX_FILE: is required"):
        create_app(config, doors=(*registry.DOORS, door_package))
