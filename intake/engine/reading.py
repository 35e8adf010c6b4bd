"""Understand what a reporter sent: a keyword, or an answer to the question they are on, read from their words.

Structured doors (the web form, Telegram's buttons) send answers and commands that
already name their question, and are taken as they are: a button's value is never
read as a keyword. Text doors send the words as typed; the kind of the question on
the reporter's screen reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from intake.conversation import Conversation
from intake.engine.context import EngineContext
from intake.engine.views import asked
from intake.flow import Keyword
from intake.i18n import translator
from intake.messages import COMMANDS, Answer, Command, InboundMessage, Toggle
from intake.nlp.analysis import Analysis
from intake.questions import Parsed, Reading, fold, kind


@dataclass(frozen=True)
class Unread:
    """Words that do not answer the question they were sent to: kept raw, and the question asked again."""

    question_id: str
    raw: str


@dataclass(frozen=True)
class Understood:
    analysis: Analysis
    command: Command | None = None
    answer: Answer | Toggle | Unread | None = None
    text: str = ""  # the words as typed, for a first message or one sent after the report
    ignored: tuple[str, ...] = ()  # numbers typed that are not on the list: left out, and the reply says so


def read(conversation: Conversation, inbound: InboundMessage, analysis: Analysis, ctx: EngineContext) -> Understood:
    """What the message asks for: a command, an answer to a named question, or words to keep."""
    if inbound.command is not None or inbound.answer is not None:
        return Understood(analysis, inbound.command, inbound.answer, inbound.text.strip())
    text = inbound.text.strip()
    command = keyword(text, conversation.language, ctx)
    if command is not None:
        return Understood(analysis, Command(command), text=text)
    if not text or conversation.asking is None:
        return Understood(analysis, text=text)
    question = asked(conversation, ctx).question  # type: ignore[union-attr]
    assert question is not None
    parsed = kind(question.kind).read_text(text, question, reading(conversation, ctx, analysis))
    if not isinstance(parsed, Parsed):
        return Understood(analysis, answer=Unread(question.id, text), text=text)
    if question.kind in ("choice", "yesno", "multi"):
        chosen = parsed.value if isinstance(parsed.value, list) else [parsed.value]
        ignored = tuple(parsed.extra.get("ignored", ()))
        return Understood(analysis, answer=Answer(question.id, options=tuple(chosen)), text=text, ignored=ignored)  # type: ignore[arg-type]
    return Understood(analysis, answer=Answer(question.id, text=text), text=text)


def reading(conversation: Conversation, ctx: EngineContext, analysis: Analysis) -> Reading:
    return Reading(synonyms=answer_words(conversation.language, ctx.keywords), today=ctx.today or Reading().today,
                   postcodes=analysis.postcodes)  # fmt: skip


def keyword(text: str, language: str, ctx: EngineContext) -> str | None:
    """The command a whole reply names, in the reporter's language or in English; None for anything else."""
    folded = fold(text.lstrip("/"))
    if not folded:
        return None
    forms = _keyword_forms(language, _frozen(ctx.keywords))
    return next((name for name in COMMANDS if folded in forms[name]), None)


def answer_words(language: str, keywords: dict[str, Keyword]) -> dict[str, frozenset[str]]:
    """The reporter's words for the answers every door knows: yes, no and send."""
    forms = _keyword_forms(language, _frozen(keywords))
    return {name: forms[name] for name in ("yes", "no", "send") if name in forms}


def _frozen(keywords: dict[str, Keyword]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple((name, kw.display, tuple(kw.words)) for name, kw in keywords.items())


@cache
def _keyword_forms(language: str, keywords: tuple[tuple[str, str, tuple[str, ...]], ...]) -> dict[str, frozenset[str]]:
    t = translator(language)
    return {
        name: frozenset({fold(w) for w in words} | {fold(display), fold(t.keyword(display))}) for name, display, words in keywords
    }
