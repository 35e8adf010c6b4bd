"""Whatever a reporter sends, the conversation answers and never breaks: properties, not examples."""

from __future__ import annotations

import json
import re
from itertools import count

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from intake.conversation import SUMMARY, Conversation
from intake.flow import load_flow, load_keywords
from intake.orgs import load_profiles
from intake.pipeline import Intake
from intake.questions import fold
from intake.store.db import Store
from intake.store.models import ConversationRow, OptOutRow
from tests.harness import DOORS, EngineChat, PipelineChat

ORGS = st.sampled_from(["mkcc", "wchg"])
CHANNELS = st.sampled_from(["sms", "telegram", "web", "console"])
MAX_MESSAGES = 200
LONGEST_MESSAGE = 5_000

# A reporter is asked a question at most twice: once, then once more kindly, then we keep
# what they wrote and move on (intake/engine/answering.py UNCLEAR_LIMIT). This is a promise to
# reporters, so it is written here rather than imported: changing it should fail a test.
TRIES_PER_QUESTION = 2
# Words the 999 line reads as danger pause a question once: the pause, then one message saying how
# they are, after which the question goes on as usual (intake/engine/turn.py). Also a promise.
PAUSE_PER_QUESTION = 2


# ---- what reporters send ------------------------------------------------------------------
KEYWORDS = ("HELP", "BACK", "SKIP", "LANGUAGE", "STATUS", "STOP", "EXIT", "START", "NEW", "SEND")
BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Real words a reporter might send: answers, a danger phrase, a postcode, other scripts.
PHRASES = (
    "yes",
    "no",
    "Y",
    "nope",
    "today",
    "last night",
    "20/11",
    "3 weeks ago",
    "MK9 3EJ",
    "m14 5rt",
    "he is outside my door with a knife",
    "They shouted abuse at me",
    "نعم",
    "لا",
    "جاري يصرخ علي",
    "١ ٣",
    "כן",
    "השכן צעק עליי",
    "tak",
    "Sí",
    "👍",
    "🏳️‍🌈",
    "👨‍👩‍👧",
)


def _mixed_case(word: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(word), max_size=len(word))
    return flips.map(lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper, strict=False)))


keywords = st.sampled_from(KEYWORDS).flatmap(_mixed_case)
keyword_like = st.tuples(
    st.sampled_from(["", " ", "/", "\t", "\u200f"]), keywords, st.sampled_from(["", " ", "!", ".", "\n", "?"])
).map("".join)
numbers = st.lists(st.integers(min_value=-1, max_value=40), min_size=1, max_size=5).flatmap(
    lambda ns: st.sampled_from([" ", ",", ", ", " and ", ";", "/"]).map(lambda sep: sep.join(map(str, ns)))
)
whitespace = st.text(alphabet=" \t\n\r\u00a0\u2003\u200b\u3000", max_size=20)
emoji = st.text(
    alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF) | st.sampled_from("\u200d\ufe0f"),
    min_size=1,
    max_size=30,
)
arabic = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.just(" "), min_size=1, max_size=60)
hebrew = st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x05FF) | st.just(" "), min_size=1, max_size=60)
controls = st.text(
    alphabet=st.characters(categories=["Cc", "Cf"]) | st.sampled_from("\x00" + BIDI_MARKS), min_size=1, max_size=20
)
digits = st.text(alphabet="0123456789", min_size=1, max_size=12)
# Long messages are a short piece repeated: as testing as random ones, far quicker to make.
huge = st.tuples(st.text(min_size=1, max_size=40), st.integers(min_value=500, max_value=LONGEST_MESSAGE)).map(
    lambda piece_and_size: (piece_and_size[0] * piece_and_size[1])[: piece_and_size[1]]
)
single = st.one_of(
    st.just(""),
    whitespace,
    keyword_like,
    numbers,
    digits,
    emoji,
    arabic,
    hebrew,
    controls,
    st.sampled_from(PHRASES),
    st.text(max_size=80),
    huge,
)
# Pieces glued together: a bidi mark before "STOP", a keyword inside a sentence, a NUL in a date.
inbound_text = st.one_of(single, st.lists(single, min_size=2, max_size=4).map("".join))


@st.composite
def conversations(draw: st.DrawFn, message: st.SearchStrategy[str] = inbound_text) -> list[str]:
    """Up to MAX_MESSAGES texts: often a command first, then mostly text with numbers mixed in.

    The length is drawn first because Hypothesis's own lists are mostly a handful long, and
    it takes some 40 messages to reach the summary; numbers pick choices, so the
    conversation gets there and beyond far more often than on random text alone.
    """
    first = draw(st.one_of(keyword_like, message))
    size = draw(st.integers(min_value=0, max_value=MAX_MESSAGES - 1))
    return [first, *draw(st.lists(st.one_of(message, numbers), min_size=size, max_size=size))]


def _forms(names: tuple[str, ...]) -> frozenset[str]:
    keywords = load_keywords()
    return frozenset(form for name in names for form in {fold(w) for w in keywords[name].words} | {fold(keywords[name].display)})


# Commands that are not answers: they leave, go back, open a menu, start again, or
# repeat the question (HELP, STATUS, START). SKIP is an answer: "not this one".
NOT_ANSWERS = _forms(("stop", "exit", "back", "language", "new", "help", "status", "start"))


def _as_answer(text: str) -> str:
    """The text itself, or, if it is a command that is not an answer, the command inside a sentence."""
    # Read the way the engine reads a command: trimmed, a Telegram-style slash dropped.
    # (Mapping, not filtering: Hypothesis gives up on long lists with filtered elements.)
    return text if fold(text.strip().lstrip("/")) not in NOT_ANSWERS else f"{text} please"


answers = inbound_text.map(_as_answer)


# ---- checks that hold after every message ---------------------------------------------------
def assert_replied_sensibly(chat: EngineChat, replies: list) -> None:
    conversation = chat.conversation
    assert replies, "a message got no reply"
    assert all(r.text.strip() for r in replies), "a reply was empty"
    assert sum(r.kind == "danger" for r in replies) <= 1
    if conversation.status == "active" and conversation.paused:
        # Danger paused the form: the 999 advice, then a line saying it waits, and no question.
        assert replies[0].kind == "danger" and replies[-1].kind == "notice"
    elif conversation.status == "active":
        # A reporter mid-report always knows what we are waiting for.
        asked = replies[-1]
        assert asked.kind == "question", f"the last reply was a {asked.kind}, not a question"
        assert asked.question_id == (conversation.menu or conversation.step)
        values = [o.id for o in asked.options]
        assert len(values) == len(set(values)), "two options share an id"
    if conversation.status == "submitted":
        assert conversation.step is None
    # The pipeline saves the conversation as JSON after every message.
    assert Conversation.from_json(json.loads(json.dumps(conversation.to_json()))) == conversation


# ---- through the pure engine -----------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(org=ORGS, channel=CHANNELS, texts=conversations())
@example(org="mkcc", channel="sms", texts=["LANGUAGE", "1", "hello"])  # the menu opened before any question
def test_whatever_a_reporter_sends_the_engine_replies_and_never_raises(org, channel, texts):
    chat = EngineChat(load_profiles()[org], channel=channel)
    for text in texts:
        # After STOP or EXIT no door calls the engine again for this conversation.
        if chat.conversation.status == "ended":
            break
        assert_replied_sensibly(chat, chat.send(text))


REFERENCE = re.compile(r"\b(MK|WC)-[2-9A-HJKMNP-Z]{6}\b")


def _most_messages_to_the_summary() -> int:
    # The opening message, the language menu a first message in Urdu script opens, then
    # every question in the flow (even those no branch asks together) paused once, then answered on the last try.
    return 1 + TRIES_PER_QUESTION + (PAUSE_PER_QUESTION + TRIES_PER_QUESTION) * len(load_flow().questions)


@settings(max_examples=60, deadline=None)
@given(
    org=ORGS,
    channel=CHANNELS,
    texts=st.lists(answers, min_size=_most_messages_to_the_summary(), max_size=_most_messages_to_the_summary()),
)
def test_a_reporter_who_keeps_answering_reaches_the_summary_and_can_send(org, channel, texts):
    chat = EngineChat(load_profiles()[org], channel=channel)
    sent = 0
    for text in texts:
        assert_replied_sensibly(chat, chat.send(text))
        sent += 1
        if chat.step == SUMMARY:
            break
    assert chat.step == SUMMARY, f"not at the summary after {sent} answers: at {chat.step}"
    replies = chat.send("send")
    assert chat.conversation.status == "submitted"
    assert chat.conversation.case_reference == chat.reference
    assert chat.event_types()[-2:] == ["ReportSubmitted", "VictimsCodeSent"]
    assert chat.reference in replies[0].text


# Every word the carrier takes as an opt-out, typed any way: in any case, after Telegram's
# slash, with punctuation, or wrapped in the invisible marks right-to-left keyboards add.
OPT_OUT_WORDS = sorted({*load_keywords()["stop"].words, load_keywords()["stop"].display})
INVISIBLE = ["\u200e", "\u200f", "\u2067", "\u2069", "\u200b", "\ufeff"]
stops = st.tuples(
    st.sampled_from(["", " ", "/", *INVISIBLE]),
    st.sampled_from(OPT_OUT_WORDS).flatmap(_mixed_case),
    st.sampled_from(["", " ", "!", ".", "\n", *INVISIBLE]),
).map("".join)


@settings(max_examples=100, deadline=None)
@given(
    org=ORGS,
    channel=CHANNELS,
    before=st.lists(answers, max_size=_most_messages_to_the_summary() + 3),
    in_language_menu=st.booleans(),
    stop=stops,
)
@example(org="mkcc", channel="sms", before=["hi", "2"], in_language_menu=False, stop="\u200fSTOP")
def test_stop_ends_the_chat_at_any_step_however_it_is_typed(org, channel, before, in_language_menu, stop):
    chat = EngineChat(load_profiles()[org], channel=channel)
    for text in [*before, *(["LANGUAGE"] if in_language_menu else [])]:
        chat.send(text)
    replies = chat.send(stop)
    assert chat.conversation.status == "ended" and chat.conversation.no_messages
    assert chat.event_types()[-2:] == ["OptedOut", "ConversationEnded"]
    assert [r.kind for r in replies] == ["notice"]


# ---- through the whole pipeline on a real SQLite file ---------------------------------------
_senders = count(1)


def _intake(store: Store) -> Intake:
    return Intake(store=store, profiles=load_profiles(), public_url="https://report.example.org", team_emails={}, doors=DOORS)


def _live_conversations(intake: Intake, sender: str) -> int:
    with intake.store.transaction() as session:
        return session.scalar(
            select(func.count())
            .select_from(ConversationRow)
            .where(ConversationRow.sender_key == sender, ConversationRow.status != "ended")
        )


# One database serves every example (migrating one each would take most of the time);
# each example is a different sender, so examples cannot see each other's conversations.
PIPELINE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PIPELINE
@given(org=ORGS, channel=CHANNELS, texts=conversations())
def test_whatever_a_reporter_sends_the_pipeline_replies_and_keeps_one_live_conversation(sqlite_store, org, channel, texts):
    intake = _intake(sqlite_store)
    chat = PipelineChat(intake, org=org, channel=channel, sender=f"property-{next(_senders)}")
    for text in texts:
        # Unlike the engine, the pipeline keeps going after STOP or EXIT: the next
        # message from the same person starts a new conversation. It is answered,
        # unless the person opted out: then nothing is sent until they send START.
        replies = chat.send(text)
        assert replies or _opted_out(intake, chat), "a message got no reply"
        assert _live_conversations(intake, chat.sender) <= 1


def _opted_out(intake, chat) -> bool:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as session:
        return session.scalar(select(func.count()).select_from(OptOutRow).where(OptOutRow.sender_key == chat.sender)) > 0


@PIPELINE
@given(
    org=ORGS,
    channel=CHANNELS,
    texts=st.lists(answers, min_size=_most_messages_to_the_summary(), max_size=_most_messages_to_the_summary()),
)
def test_a_reporter_who_keeps_answering_through_the_pipeline_can_send(sqlite_store, org, channel, texts):
    intake = _intake(sqlite_store)
    chat = PipelineChat(intake, org=org, channel=channel, sender=f"property-{next(_senders)}")
    for text in texts:
        replies = chat.send(text)
        if replies[-1].question_id == SUMMARY:
            break
    assert replies[-1].question_id == SUMMARY
    assert REFERENCE.search(chat.send("send")[0].text)  # in whatever language the first message chose
    assert _live_conversations(intake, chat.sender) == 1  # submitted, still live for further information
