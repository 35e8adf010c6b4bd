"""The first message picks the reply language; Urdu and Shahmukhi Panjabi are offered together."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import pytest

from intake import nlp
from intake.conversation import Conversation
from intake.engine import advance, read
from intake.messages import InboundMessage
from intake.nlp.language import detect_language
from tests.bench_language import labelled
from tests.harness import PipelineChat, engine_context


def test_the_labelled_short_texts_are_recognised_in_every_language():
    hits: dict[str, list[bool]] = defaultdict(list)
    for expected, text in labelled():
        hits[expected].append(expected in detect_language(text))
    rates = {code: sum(h) / len(h) for code, h in hits.items()}
    assert len(rates) == 14 and all(len(h) >= 20 for h in hits.values())
    assert sum(rates.values()) / len(rates) >= 0.95, rates
    assert min(rates.values()) >= 0.8, rates


@pytest.mark.parametrize("text", ["hi", "ok", "1", "", "👍👍"], ids=["hi", "ok", "a number", "empty", "emoji"])
def test_a_text_too_short_to_tell_changes_nothing(text):
    assert detect_language(text) == ()


def test_urdu_script_offers_urdu_and_shahmukhi_panjabi():
    assert detect_language("میرے پڑوسی نے مجھے گالیاں دیں") == ("ur", "pa_Arab")
    assert detect_language("تسیں ساڈی مدد کرو") == ("ur", "pa_Arab")


def test_a_polish_first_message_is_answered_in_polish(intake):
    replies = PipelineChat(intake, sender="pl-1").send("sąsiad znowu mnie wyzywał pod drzwiami")
    assert replies[-1].question_id == "danger_now" and replies[-1].language == "pl"
    assert "niebezpiecze" in replies[-1].text


def test_an_urdu_first_message_asks_urdu_or_panjabi_then_goes_on_in_the_choice(intake):
    chat = PipelineChat(intake, sender="ur-1")
    menu = chat.send("میرے پڑوسی نے مجھے گالیاں دیں")[-1]
    assert menu.question_id == "language" and [o.id for o in menu.options] == ["ur", "pa_Arab"]
    after = chat.send("2")
    assert after[-1].question_id == "danger_now" and after[-1].language == "pa_Arab"


def test_the_text_wins_over_the_channels_hint(profiles):
    # The pipeline detects on the first message and tells the engine what it found.
    analysis = replace(nlp.analyse("", "en"), languages=("uk",))
    inbound = InboundMessage(org="mkcc", channel="telegram", sender_key="k", text="...", locale_hint="en")
    context = engine_context(profiles["mkcc"], "telegram")
    conversation = Conversation(org="mkcc", channel="telegram")
    step = advance(conversation, inbound, read(conversation, inbound, analysis, context), context)
    assert step.conversation.language == "uk"
    assert step.replies[-1].question_id == "danger_now"
