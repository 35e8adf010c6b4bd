"""The words of every reply, in the reporter's language: questions, their options, the summary, notices.

A Wording is made once per turn per language; the placeholders every text may use
(the landlord's name, its signposts, the reporter's own word for each keyword) are
computed once when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from intake import victims_code
from intake.answers import Answers
from intake.conditions import holds
from intake.conversation import CONFIRM, LANGUAGE, RESUME, SUMMARY, Conversation
from intake.engine.context import EngineContext
from intake.engine.rules import Rules, answer_values
from intake.flow import Question as FlowQuestion
from intake.flow import Text
from intake.i18n import Translator, native_name, translator
from intake.messages import Option, OutboundMessage, Question
from intake.questions import kind

SUMMARY_ANSWER_LENGTH = 60
SIGNPOSTED = "out_of_scope"  # the flow message the signposts follow
# Placeholders a flow message may use besides the common ones, by message: start-up
# checks the flow's messages against these (intake/flow/check.py).
MESSAGE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "summary_unclear": frozenset({"raw"}),
    "suggestion_confirm": frozenset({"suggested"}),
    "submitted": frozenset({"reference"}),
    "further_information": frozenset({"reference"}),
    "numbers_ignored": frozenset({"numbers"}),
    "status_case": frozenset({"reference", "status"}),
    "file_too_many": frozenset({"limit"}),
    "file_too_big": frozenset({"size"}),
}


@dataclass(frozen=True)
class SummaryRow:
    """One answer on the check-your-answers page; `question_id` is what a change link picks."""

    question_id: str
    label: str
    value: str


def common_placeholders(ctx: EngineContext, t: Translator) -> dict[str, Any]:
    """What every text of the flow may use: the landlord's names, its signposts, the door and each keyword."""
    profile = ctx.profile
    words = {name: t.keyword(kw.display) for name, kw in ctx.keywords.items()}
    signposts = {f"signpost_{s.purpose}": victims_code.signpost_contact(s) for s in profile.signposting}
    door = t(ctx.door.title) if ctx.door.title else ""
    return {"org": profile.name, "org_short": profile.short_name, "door": door, **signposts, **words}


class Wording:
    def __init__(self, conversation: Conversation, ctx: EngineContext):
        self.conv, self.ctx = conversation, ctx
        self.t = translator(conversation.language)
        self.params = common_placeholders(ctx, self.t)

    def message(self, name: str, **extra: Any) -> str:
        return self.t(self.ctx.flow.messages[name], **{**self.params, **extra})

    def notice(self, name: str, kind_: str = "notice", **extra: Any) -> OutboundMessage:
        return OutboundMessage(self.message(name, **extra), kind=kind_, language=self.t.code)

    def resolve(self, text: Text | None) -> str | None:
        """The msgid of a text: the first variant whose condition holds for this conversation."""
        if text is None or isinstance(text, str):
            return text
        values = answer_values(self.conv)
        return next((v.text for v in text if holds(v.if_, values, self.ctx.facts)), None)

    def words(self, text: Text | None) -> str | None:
        msgid = self.resolve(text)
        return self.t(msgid, **self.params) if msgid else None

    # ---- questions ------------------------------------------------------------------------------
    def options(self, question: FlowQuestion) -> tuple[Option, ...]:
        if question.kind == "yesno":
            return self.yes_no
        listed: list[tuple[str, str, bool]] = []
        if question.options_from:
            labels = getattr(self.ctx.vocabulary, question.options_from)
            listed = [(oid, labels[oid], False) for oid in getattr(self.ctx.profile, question.options_from)]
        values = answer_values(self.conv)
        for option in question.options:
            if holds(option.ask_if, values, self.ctx.facts):
                listed.append((option.id, self.resolve(option.label) or option.id, option.exclusive))
        return tuple(Option(oid, self.t(label, **self.params), exclusive) for oid, label, exclusive in listed)

    @cached_property
    def yes_no(self) -> tuple[Option, ...]:
        return (Option("yes", self.message("yes_label")), Option("no", self.message("no_label")))

    def question(self, question: FlowQuestion, *, problem: str | None = None, current: bool = False) -> Question:
        """The question as asked now, with the ticks so far; with `current`, the answer so far too (a page that changes it).

        Replies carry no answer: they are kept with receipts and queued for doors, and the
        reporter's words belong on the case alone.
        """
        return Question(
            id=question.id,
            kind=question.kind,
            prompt=self.words(question.prompt) or "",
            hint=self.words(question.hint),
            options=self.options(question),
            problem=problem,
            current=self.conv.answers.get(question.id) if current else None,
            ticked=tuple(self.conv.ticks.get(question.id, ())),
            takes_files=question.opens_case,
        )

    def reask(self, question_kind: str) -> str:
        return self.message(kind(question_kind).reask)

    def asked(self, question: Question, prefix: str | None = None) -> OutboundMessage:
        """A question as one reply: what a text door sends, the question's parts for a page door."""
        parts = (prefix, question.problem, question.prompt, question.hint)
        return OutboundMessage("\n".join(p for p in parts if p), kind="question", question=question, language=self.t.code)

    def step(self, step: str, *, problem: str | None = None, prefix: str | None = None) -> OutboundMessage:
        """The reply that asks the reporter's current step, whatever it is."""
        if step == SUMMARY:
            question = self.summary_question(problem)
        elif step == CONFIRM:
            question = self.suggestions_question(problem)
        elif step == LANGUAGE:
            question = self.language_question(problem)
        elif step == RESUME:
            question = self.resume_question(problem)
        else:
            question = self.question(self.ctx.flow.question(step), problem=problem)
        return self.asked(question, prefix)

    # ---- the summary and the confirmation of what was read ----------------------------------------
    def summary_rows(self) -> list[SummaryRow]:
        return [
            SummaryRow(q.id, self.t(q.summary_label, **self.params), self.display(q))
            for q in Rules(self.conv, self.ctx).answered_questions()
        ]

    def display(self, question: FlowQuestion) -> str:
        answer = self.conv.answers[question.id]
        if answer.get("skipped"):
            return self.message("summary_skipped")
        value = answer.get("value")
        if value is None:
            return self.message("summary_unclear", raw=_shorten(answer.get("raw") or ""))
        labels = {o.id: o.label for o in self.options(question)}
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(value, _shorten(str(value)))

    def summary_question(self, problem: str | None = None) -> Question:
        options = [Option("send", self.message("summary_send"))]
        options.extend(Option(row.question_id, f"{row.label}: {row.value}") for row in self.summary_rows())
        return Question(
            SUMMARY, "choice", self.message("summary_intro"), options=tuple(options), skippable=False, problem=problem
        )

    def suggestions_question(self, problem: str | None = None) -> Question:
        parts: list[str] = []
        for question in self.ctx.flow.questions:  # in the flow's order
            suggested = self.conv.suggested.get(question.id)
            if suggested is None:
                continue
            value = suggested["value"]
            if isinstance(value, list):
                labels = {o.id: o.label for o in self.options(question)}
                parts.extend(labels.get(v, v) for v in value)
            else:
                parts.append(str(value))
        prompt = self.message("suggestion_confirm", suggested="; ".join(parts))
        return Question(CONFIRM, "yesno", prompt, options=self.yes_no, problem=problem)

    def resume_question(self, problem: str | None = None) -> Question:
        options = (Option("yes", self.message("resume_yes")), Option("no", self.message("resume_no")))
        return Question(RESUME, "yesno", self.message("resume_offer"), options=options, skippable=False, problem=problem)

    def language_question(self, problem: str | None = None) -> Question:
        options = tuple(Option(code, native_name(code)) for code in self.conv.menu_options)
        return Question(LANGUAGE, "choice", self.message("language_prompt"), options=options, skippable=False, problem=problem)

    # ---- after the report ----------------------------------------------------------------------
    def confirmation(self) -> list[OutboundMessage]:
        """What a report is told the moment it is sent: its reference, then the Victims Code."""
        reference = self.conv.case_reference or ""
        lines = victims_code.messages(
            profile=self.ctx.profile,
            t=self.t,
            reference=reference,
            first_contact_due=self.ctx.first_contact_due or victims_code.deadline_for(self.ctx.profile, self.conv),
            identity=Answers(self.conv.answers, self.ctx.flow).identity,
            public_url=self.ctx.public_url,
            signposts=not self.signposted(),
        )
        return [self.notice("submitted", reference=reference), *(replace(line, language=self.t.code) for line in lines)]

    def signposted(self) -> bool:
        """Whether the chat gave the signposts already: an answer whose follow-up is the out-of-scope message."""
        values = answer_values(self.conv)
        return any(
            after.say == SIGNPOSTED and holds(after.if_, values, self.ctx.facts)
            for question in Rules(self.conv, self.ctx).answered_questions()
            for after in question.after
        )

    def signposting(self) -> list[OutboundMessage]:
        lines = victims_code.signpost_lines(self.ctx.profile, self.t, self.ctx.vocabulary)
        return [OutboundMessage(line, language=self.t.code) for line in lines]


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_ANSWER_LENGTH else text[: SUMMARY_ANSWER_LENGTH - 3].rstrip() + "..."
