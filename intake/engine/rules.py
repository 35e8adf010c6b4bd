"""What to ask next: which questions apply, skips, back, and the confirmation of what was read.

Rules change only the conversation; what is said about it is the wording's business.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from intake.conditions import holds
from intake.conversation import CONFIRM, OPENING, SUMMARY, Conversation
from intake.engine.context import EngineContext
from intake.flow import Question
from intake.nlp.analysis import Analysis
from intake.nlp.pipeline import labels as nlp_labels
from intake.questions import Parsed


def answer_values(conversation: Conversation) -> dict[str, Any]:
    """Each answered question's value, as the flow's conditions read them; a skip is no value."""
    return {qid: a.get("value") for qid, a in conversation.answers.items() if not a.get("skipped")}


class Rules:
    def __init__(self, conversation: Conversation, ctx: EngineContext):
        self.conv, self.ctx, self.flow = conversation, ctx, ctx.flow

    def applies(self, question: Question) -> bool:
        return holds(question.ask_if, answer_values(self.conv), self.ctx.facts)

    def answered(self, question_id: str) -> bool:
        """Whether the reporter answered (or skipped) this question and it still applies."""
        return question_id in self.conv.answers and self.flow.has(question_id) and self.applies(self.flow.question(question_id))

    def answered_questions(self) -> list[Question]:
        return [q for q in self.flow.questions if q.id in self.conv.answers and self.applies(q)]

    def next_after(self, after: str | None) -> str:
        """The next step: the confirmation of what was read, else the next applicable unanswered question, else the summary."""
        if self.conv.suggested and after == self.conv.suggested_after:
            return CONFIRM
        if after == CONFIRM:
            after = self.conv.suggested_after
        start = 0 if after is None else self.flow.index(after) + 1
        for question in self.flow.questions[start:]:
            if question.id not in self.conv.answers and self.applies(question):
                return question.id
        return SUMMARY

    def go_to(self, step: str) -> None:
        leaving = self.conv.step
        history = self.conv.history
        if leaving and leaving not in (step, SUMMARY, CONFIRM) and (not history or history[-1] != leaving):
            history.append(leaving)
        self.conv.step = step
        self.conv.unclear = 0

    def after(self, question: Question) -> str:
        """Where the reporter goes once `question` is answered; back to the summary when changing from it."""
        following = self.next_after(question.id)
        if self.conv.editing:
            self.conv.editing = following != SUMMARY
        return following

    def record(self, question: Question, parsed: Parsed | None, raw: str | None) -> bool:
        """Keep an answer (None when it was not understood, with the raw words); True when it opens the case."""
        value, extra = (parsed.value, parsed.extra) if parsed is not None else (None, {})
        self.conv.answers[question.id] = {"value": value, "raw": raw, "skipped": False, **extra}
        self.conv.ticks.pop(question.id, None)
        if question.opens_case and value and not self.conv.case_reference:
            self.conv.case_reference = self.ctx.fresh_reference
            return True
        return False

    def skip(self, question: Question) -> None:
        self.conv.answers[question.id] = {"value": None, "raw": None, "skipped": True}
        self.conv.ticks.pop(question.id, None)

    def back(self) -> bool:
        """Go back to the question before; False at the first one."""
        if not self.conv.history:
            return False
        previous = self.conv.history.pop()
        self.conv.answers.pop(previous, None)
        self.conv.suggested = {}
        self.conv.step, self.conv.unclear, self.conv.editing = previous, 0, False
        return True

    def keep_opening(self, text: str) -> None:
        # A first message is often the report itself: keep it, never lose it.
        self.conv.answers[OPENING] = {"value": text, "raw": text, "skipped": False}

    # ---- what the description already says ------------------------------------------------------
    def fill_known(self, question: Question, analysis: Analysis) -> None:
        """Answer later questions the reporter has already answered in their own words.

        A postcode is taken as said; motivation, incident types and a relative date are
        read, not said, so they wait in `suggested` for the reporter to confirm.
        """
        for target, signal in question.fills.items():
            if target in self.conv.answers:
                continue
            found = self._read(signal, analysis)
            if found is None:
                continue
            answer = {"raw": None, "skipped": False, "inferred": True, **found}
            if signal == "postcode":
                self.conv.answers[target] = answer
            else:
                self.conv.suggested[target] = answer
        if self.conv.suggested:
            self.conv.suggested_after = question.id

    def _read(self, signal: str, analysis: Analysis) -> dict[str, Any] | None:
        if signal == "postcode":
            return {"value": analysis.postcodes[0], "postcode": analysis.postcodes[0]} if analysis.postcodes else None
        if signal == "when":
            if not analysis.when or self.ctx.today is None:
                return None
            hint = analysis.when[0]
            return {"value": hint.phrase, "date": (self.ctx.today - timedelta(days=hint.days_ago)).isoformat()}
        found = self._landlord_options(signal, analysis)
        return {"value": found} if found else None

    def _landlord_options(self, signal: str, analysis: Analysis) -> list[str]:
        """The landlord's own option ids for the strands or incident types read from a message."""
        offered = getattr(self.ctx.profile, signal)
        if signal == "incident_types":
            return [t for t in analysis.incident_types if t in offered]
        meanings = nlp_labels().strands
        picked = [next((s for s in meanings.get(label, ()) if s in offered), None) for label in analysis.strands]
        return list(dict.fromkeys(p for p in picked if p))

    def settle_suggestions(self, accepted: bool) -> None:
        if accepted:
            # What the reporter said before always wins over what was read.
            for qid, answer in self.conv.suggested.items():
                self.conv.answers.setdefault(qid, answer)
        self.conv.suggested = {}
