"""Keywords work at every step, and never take a reply that was meant as an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from intake.flow import load_flow, load_keywords, load_vocabulary
from intake.i18n import available_languages, translator
from intake.messages import COMMANDS
from intake.questions import fold
from intake.store.models import ConversationRow
from tests.console_support import talk

EVERYDAY = yaml.safe_load((Path(__file__).parent / "data" / "everyday_answers.yaml").read_text(encoding="utf-8"))
# Twilio opts a number out on these whatever we do, so they mean STOP here too; YES and NO are answers by design.
EXEMPT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}


def option_labels(code: str) -> set[str]:
    """Every option a question of the flow offers, as the reporter reads it in this catalog, folded."""
    t, flow, vocabulary = translator(code), load_flow(), load_vocabulary()
    labels: list[str] = []
    for question in flow.questions:
        for option in question.options:
            labels.extend([option.label] if isinstance(option.label, str) else [v.text for v in option.label])
        if question.options_from:
            labels.extend(getattr(vocabulary, question.options_from).values())
    labels.extend(flow.messages[m] for m in ("yes_label", "no_label", "summary_send"))
    return {fold(t(label, org="", org_short="", door="")) for label in labels}


def keyword_forms(code: str) -> dict[str, set[str]]:
    """Each command's words in this catalog: its translated keyword, and in English its extra words."""
    t, keywords = translator(code), load_keywords()
    forms = {name: {fold(t.keyword(keywords[name].display))} for name in COMMANDS}
    if code == "en":
        for name in COMMANDS:
            forms[name] |= {fold(w) for w in keywords[name].words}
    return {name: words - EXEMPT for name, words in forms.items()}


@pytest.mark.parametrize("code", available_languages())
def test_no_keyword_is_an_option_or_an_everyday_answer_in_this_language(code):
    answers = {fold(a) for a in EVERYDAY[code]} | option_labels(code)
    clashes = {name: sorted(words & answers) for name, words in keyword_forms(code).items() if words & answers}
    assert clashes == {}


@pytest.mark.parametrize("code", available_languages())
def test_no_two_commands_share_a_word_in_this_language(code):
    seen: dict[str, str] = {}
    for name, words in keyword_forms(code).items():
        for word in words:
            assert seen.setdefault(word, name) == name, f"{word!r} is both {seen[word]} and {name}"


def test_every_catalog_has_its_everyday_answers_written_down():
    assert set(EVERYDAY) == set(available_languages())


# ---- on the console door -------------------------------------------------------------------


def _where(intake, who: str) -> str | None:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as session:
        row = session.scalar(select(ConversationRow).order_by(ConversationRow.id.desc()))
        return (row.state["answers"].get("where") or {}).get("value"), row.status  # type: ignore[return-value]


@pytest.mark.parametrize(
    "code, outside, leave",
    [pytest.param("pa", "ਬਾਹਰ", "ਨਿਕਲੋ", id="Punjabi"), pytest.param("gu", "બહાર", "નીકળો", id="Gujarati")],
)
def test_outside_answers_where_it_happened_and_the_exit_word_still_leaves(intake, code, outside, leave):
    shown = talk(intake, [("where", outside), ("motivation", leave)], language=code, who=f"where-{code}")
    assert _where(intake, code) == (outside, "ended")
    assert translator(code)("Chat ended.") in shown


@pytest.mark.parametrize(
    "sentence",
    ["please help me", "I want this to stop", "exit 4 of the car park", "go back to the start"],
)
def test_a_keyword_inside_a_sentence_is_the_answer_not_the_command(intake, sentence):
    shown = talk(intake, [("where", sentence), ("motivation", "EXIT")], who="sentence")
    assert _where(intake, "en") == (sentence, "ended")
    assert "You can reply:" not in shown and "You will not get any more messages" not in shown
