"""Recorded Telegram Update JSON decoded by the door: what it acts on, what it ignores, what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.errors import BadRequest, Ignored
from channels.telegram import keyboards
from channels.telegram.updates import parse
from intake.flow import load_flow
from intake.messages import Answer, Toggle

DATA = Path(__file__).parent / "data" / "telegram"


def recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("fixture", "text", "hint", "file_id"),
    [
        pytest.param("text", "Someone wrote a slur on my door", "en", None, id="text message"),
        pytest.param("start", "start", "pl", None, id="/start takes the app's language as a hint"),
        pytest.param("start_payload", "start", "ro", None, id="/start with a language payload prefers it"),
        pytest.param("photo", "This is the door", "en", "AgACAgQAAxkBAAIBlarge", id="photo: the largest size, caption as text"),
        pytest.param("document", "", "en", "BQACAgQAAxkBAAIBletter", id="document"),
    ],
)
def test_messages_become_what_the_reporter_said(fixture, text, hint, file_id):
    incoming = parse(recorded(fixture))
    assert incoming.text == text
    assert incoming.locale_hint == hint
    assert incoming.chat_id == 5123456789
    assert (incoming.file.file_id if incoming.file else None) == file_id
    assert incoming.press is None


def test_a_button_press_names_its_question_and_value():
    incoming = parse(recorded("callback_query"))
    assert incoming.press == keyboards.Press("a", "danger_now", "no")
    assert incoming.callback_id == "4382139028459921123"
    assert incoming.message_id == 14
    assert incoming.press.answer() == Answer("danger_now", options=("no",))


def test_a_press_of_a_button_that_is_not_ours_is_a_press_to_acknowledge_and_nothing_more():
    update = recorded("callback_query")
    update["callback_query"]["data"] = "x"
    incoming = parse(update)
    assert incoming.pressed and incoming.press is None and incoming.callback_id


@pytest.mark.parametrize(
    ("data", "meant"),
    [
        ("a|role|victim", Answer("role", options=("victim",))),
        ("t|risk_incident|weapon", Toggle("risk_incident", "weapon")),
        ("d|risk_incident|", Answer("risk_incident", ticked=True)),
    ],
    ids=["answer", "tick", "done"],
)
def test_each_kind_of_press_names_the_question_it_answers(data, meant):
    assert keyboards.decode(data).answer() == meant


@pytest.mark.parametrize(
    "fixture",
    [
        pytest.param("edited_message", id="edited message"),
        pytest.param("channel_post", id="channel post"),
        pytest.param("sticker", id="sticker"),
        pytest.param("group_message", id="message in a group"),
    ],
)
def test_kinds_we_do_not_handle_are_ignored(fixture):
    with pytest.raises(Ignored):
        parse(recorded(fixture))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([1, 2], id="not an object"),
        pytest.param({"message": {"text": "hi"}}, id="no update_id"),
        pytest.param({"update_id": 5, "message": {"message_id": 1}}, id="message without chat or date"),
        pytest.param({"update_id": -1, "message": {"message_id": 1}}, id="a negative update_id"),
        pytest.param(
            {"update_id": 5, "message": {**recorded("text")["message"], "text": "x" * 5000}}, id="longer than Telegram sends"
        ),
    ],
)
def test_malformed_updates_are_refused_with_a_reason(body):
    with pytest.raises(BadRequest) as refused:
        parse(body)
    assert str(refused.value)


@pytest.mark.parametrize("command", ["help", "language", "back", "skip", "stop", "status", "exit"])
def test_each_command_becomes_the_engines_keyword(command):
    update = recorded("text")
    update["message"]["text"] = f"/{command}@report_test_bot"
    assert parse(update).text == command


def test_every_button_the_flow_can_show_fits_in_telegrams_callback_data():
    for question in load_flow().questions:
        for option in question.options:
            keyboards.encode(keyboards.TOGGLE, question.id, option.id)
        keyboards.encode(keyboards.DONE, question.id)
