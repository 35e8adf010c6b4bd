"""The satisfaction survey after closure: its questions, where one stands from the case's events, and how a reply answers it.

Pure. Two questions on a 5-point scale (the outcome; the way the case was handled), then an
optional comment, in the case's language. Where a survey stands is read from its events,
never kept apart from them:

    survey_sent     {door}                    it was sent (a web survey's one-time link is kept as a hash, elsewhere)
    survey_reminded {}                        the one reminder went
    survey_answer   {question, answer}        outcome or handling, on intake.returns.SURVEY_SCALE
    survey_comment  {text}                    the optional comment (or skipped: text "")
    survey_ended    {reason}                  done | declined | stopped | expired
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from intake.i18n import Translator, mark
from intake.messages import Option, OutboundMessage, Question
from intake.questions import Parsed, Reading, fold, kind
from intake.returns import SURVEY_QUESTIONS, SURVEY_SCALE

QUESTION_IDS = {"outcome": "survey_outcome", "handling": "survey_handling", "comment": "survey_comment"}
STEPS = (*SURVEY_QUESTIONS, "comment")
# After the reminder, how long a reply still answers the survey; then the chat is a chat again.
ANSWERS_TAKEN_FOR = timedelta(days=7)

SCALE_WORDS = {
    "very_satisfied": mark("Very satisfied"),
    "fairly_satisfied": mark("Fairly satisfied"),
    "neither": mark("Neither satisfied nor dissatisfied"),
    "fairly_dissatisfied": mark("Fairly dissatisfied"),
    "very_dissatisfied": mark("Very dissatisfied"),
}
PROMPTS = {
    "outcome": mark("How satisfied are you with the outcome of your case?"),
    "handling": mark("How satisfied are you with the way we handled your case?"),
    "comment": mark("Is there anything else you would like to tell us about how we dealt with your case?"),
}
COMMENT_HINT = mark("Write it in your own words, or reply %(skip)s.")
INTRO = mark(
    "%(org)s: your case %(reference)s is now closed. Please tell us how we did: it is 3 short questions. "
    "Reply %(stop)s at any time and we will not ask again."
)
REMINDER = mark("%(org)s: we would still like to hear how we did with your case %(reference)s. Reply %(stop)s to stop.")
THANKS = mark("Thank you for your answers. They help us improve how we deal with hate incidents.")
DECLINED = mark("That is fine. We will not ask you about your case again.")
EMAIL_BODY = mark(
    "Your case %(reference)s with %(org)s is now closed. Please tell us how we did: it is 3 short questions, "
    "and the link works once.\n\n%(link)s\n\nIf you would rather not, you do not need to do anything."
)


@dataclass(frozen=True)
class State:
    sent_at: datetime | None
    door: str | None
    reminded: bool
    answered: dict[str, str]
    ended: str | None

    @property
    def next(self) -> str | None:
        """The step waiting for an answer; None when there is none (not sent, ended, or all answered)."""
        if self.sent_at is None or self.ended:
            return None
        return next((s for s in STEPS if s not in self.answered), None)

    def open_at(self, now: datetime, reminder_days: int) -> bool:
        """Whether a reply now still answers it."""
        if self.next is None or self.sent_at is None:
            return False
        return now < self.sent_at + timedelta(days=reminder_days) + ANSWERS_TAKEN_FOR


def state(events: list[Any]) -> State:
    """Where the case's latest survey stands, from its events (those since the latest survey_sent)."""
    sent_at, door, reminded, answered, ended = None, None, False, {}, None
    for event in sorted(events, key=lambda e: (e.at, e.id or 0)):
        d = event.data
        if event.kind == "survey_sent":
            sent_at, door, reminded, answered, ended = event.at, d.get("door"), False, {}, None
        elif event.kind == "survey_reminded":
            reminded = True
        elif event.kind == "survey_answer" and d.get("question") in SURVEY_QUESTIONS:
            answered[d["question"]] = d.get("answer") or ""
        elif event.kind == "survey_comment":
            answered["comment"] = d.get("text") or ""
        elif event.kind == "survey_ended":
            ended = d.get("reason") or "ended"
    return State(sent_at, door, reminded, answered, ended)


def question(step: str, t: Translator) -> Question:
    if step == "comment":
        return Question(QUESTION_IDS["comment"], "text", t(PROMPTS["comment"]), hint=t(COMMENT_HINT, skip=t.keyword("SKIP")))
    options = tuple(Option(answer, t(SCALE_WORDS[answer])) for answer in SURVEY_SCALE)
    return Question(QUESTION_IDS[step], "choice", t(PROMPTS[step]), options=options)


def asked(step: str, t: Translator, prefix: str | None = None) -> OutboundMessage:
    q = question(step, t)
    parts = (prefix, q.prompt, q.hint)
    return OutboundMessage("\n".join(p for p in parts if p), kind="question", question=q, language=t.code)


def opening(t: Translator, org: str, reference: str, *, reminder: bool = False, step: str = "outcome") -> list[OutboundMessage]:
    """What a chat survey sends first: a line saying what it is, then the question waiting."""
    words = REMINDER if reminder else INTRO
    return [OutboundMessage(t(words, org=org, reference=reference, stop=t.keyword("STOP")), language=t.code), asked(step, t)]


@dataclass(frozen=True)
class Reply:
    """What one message does to a survey: the events to record and what to say; `taken` False means it is not an answer."""

    taken: bool
    events: list[tuple[str, dict[str, Any]]]
    replies: list[OutboundMessage]


def take(current: State, text: str, picked: tuple[str, ...], command: str | None, t: Translator, synonyms: Any) -> Reply:
    """One reply to the survey question waiting: an answer, SKIP, "no", or something else (not taken)."""
    step = current.next
    assert step is not None
    if command == "skip":
        return _answered(step, "", t)
    # "No", in their language or in English, at a survey question: they would rather not answer.
    if step != "comment" and (command == "no" or fold(text) in (synonyms or {}).get("no", ())):
        return Reply(True, [("survey_ended", {"reason": "declined"})], [OutboundMessage(t(DECLINED), language=t.code)])
    if step == "comment":
        if command is not None or not text.strip():
            return Reply(False, [], [])
        return _answered(step, text.strip(), t)
    q = question(step, t)
    if picked:
        chosen = picked[0] if len(picked) == 1 and picked[0] in SURVEY_SCALE else None
    else:
        parsed = kind("choice").read_text(text, q, Reading(synonyms=synonyms or {}))
        chosen = parsed.value if isinstance(parsed, Parsed) and parsed.value in SURVEY_SCALE else None
    if chosen is None:
        return Reply(False, [], [])
    return _answered(step, chosen, t)


def _answered(step: str, value: str, t: Translator) -> Reply:
    event = ("survey_comment", {"text": value}) if step == "comment" else ("survey_answer", {"question": step, "answer": value})
    following = STEPS[STEPS.index(step) + 1] if STEPS.index(step) + 1 < len(STEPS) else None
    if following is None:
        return Reply(True, [event, ("survey_ended", {"reason": "done"})], [OutboundMessage(t(THANKS), language=t.code)])
    return Reply(True, [event], [asked(following, t)])
