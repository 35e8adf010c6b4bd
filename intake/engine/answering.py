"""Take an answer: to the question the reporter is on, as a change to one already answered, or as stale.

Every answer names its question. An answer to the current question is read by the
question's kind; one to a question already answered (from that question's own page)
changes it, as a Change link would; anything else is recorded nowhere, and the
reporter is shown where their report now is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.conditions import holds
from intake.conversation import CONFIRM, LANGUAGE, RESUME, SUMMARY
from intake.engine.language import LanguageMenu
from intake.engine.reading import Unread, reading
from intake.engine.resuming import Resuming
from intake.engine.rules import answer_values
from intake.engine.wording import SIGNPOSTED
from intake.flow import Question as FlowQuestion
from intake.messages import Answer, OutboundMessage, Question, Toggle
from intake.questions import Parsed, kind

if TYPE_CHECKING:
    from intake.engine.turn import Turn

UNCLEAR_LIMIT = 2  # two unclear answers and the flow moves on, keeping the words
# Words that make a short reply something other than a name ("not sure", "I dont know").
NOT_A_NAME = frozenset(
    [
        "not",
        "sure",
        "know",
        "dont",
        "don't",
        "no",
        "yes",
        "maybe",
        "anonymous",
        "anon",
        "name",
        "stay",
        "give",
        "please",
        "thanks",
        "thank",
        "you",
        "i",
        "me",
        "my",
        "it",
        "skip",
        "nothing",
        "none",
        "rather",
        "prefer",
        "say",
    ]
)


def looks_like_a_name(text: str) -> bool:
    """Two to four words of letters, each capitalised, none an everyday word: how a typed name looks."""
    words = text.strip().split()
    if not 2 <= len(words) <= 4:
        return False
    return all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() and w.casefold() not in NOT_A_NAME
               for w in words)  # fmt: skip


class Answering:
    def __init__(self, turn: Turn):
        self.turn, self.conv, self.ctx, self.rules = turn, turn.conv, turn.ctx, turn.rules
        self.flow = turn.ctx.flow

    def take(self, answer: Answer | Toggle | Unread) -> None:
        if answer.question_id == self.conv.asking:
            self.current(answer)
        elif isinstance(answer, Answer) and self.changeable(answer.question_id):
            self.change(answer)
        else:
            self.stale()

    def changeable(self, question_id: str) -> bool:
        """An answered question of a report still being written, with no menu over it."""
        return self.conv.status == "active" and self.conv.menu is None and self.rules.answered(question_id)

    def stale(self) -> None:
        self.turn.say("stale_answer")
        self.turn.ask()

    # ---- the step on screen ----------------------------------------------------------------------
    def current(self, answer: Answer | Toggle | Unread) -> None:
        step = self.conv.asking
        if isinstance(answer, Toggle):
            self.toggle(answer)
        elif step == LANGUAGE:
            LanguageMenu(self.turn).choose(self.chosen(self.turn.wording.language_question(), answer))
        elif step == RESUME:
            picked = self.chosen(self.turn.wording.resume_question(), answer)
            Resuming(self.turn).choose(None if picked is None else picked == "yes")
        elif step == SUMMARY:
            self.summary(answer)
        elif step == CONFIRM:
            self.confirm(answer)
        else:
            self.question(self.flow.question(step or ""), answer)

    def question(self, question: FlowQuestion, answer: Answer | Unread) -> None:
        parsed = self.read(question, answer)
        if parsed is None and question.role == "identity" and isinstance(answer, Unread):
            parsed = self.identity_in_words(question, answer.raw)
        if parsed is None:
            if self.reasked(question.kind):
                return
            opened = self.rules.record(question, None, self.raw(answer))
            self.turn.say("moved_on")
        else:
            opened = self.rules.record(question, parsed, self.raw(answer))
            self.rules.fill_known(question, self.turn.understood.analysis)
            if self.turn.understood.ignored:
                self.turn.say("numbers_ignored", numbers=", ".join(self.turn.understood.ignored))
        if opened:
            self.turn.opened()
        self.after(question)

    def identity_in_words(self, question: FlowQuestion, text: str) -> Parsed | None:
        """A name, phone number or email typed at "name or anonymous?": they are giving their name, never staying anonymous.

        What they typed is kept as the answer to the name or contact question it answers, and
        the flow asks the rest. On a door that knows their number or account, how to contact
        them is still asked: giving a name is not agreeing to be contacted on this phone.
        """
        labels = {p.label for p in self.turn.understood.analysis.pii}
        looks_named = bool(labels & {"name", "phone", "email"}) or looks_like_a_name(text)
        if not looks_named:
            return None
        offered = {o.id for o in self.turn.wording.question(question).options}
        choice = "named_other" if "named_other" in offered else "named_here"
        name_id, contact_id = self.flow.role_id("name"), self.flow.role_id("contact")
        if ("name" in labels or looks_like_a_name(text)) and name_id:
            span = next((p for p in self.turn.understood.analysis.pii if p.label == "name"), None)
            said = text[span.start : span.end].strip() if span is not None and span.end <= len(text) else ""
            self.rules.record(self.flow.question(name_id), Parsed(said or text.strip()), text)
        elif contact_id:
            self.rules.record(self.flow.question(contact_id), Parsed(text.strip()), text)
        return Parsed(choice)

    def change(self, answer: Answer) -> None:
        """An answer, from its own page, to a question already answered: it replaces the answer, and the flow goes on."""
        question = self.flow.question(answer.question_id)
        parsed = self.read(question, answer)
        if parsed is None:
            self.stale()
            return
        if self.conv.step == SUMMARY:
            self.conv.editing = True
        self.rules.record(question, parsed, self.raw(answer))
        self.after(question)

    def after(self, question: FlowQuestion) -> None:
        values = answer_values(self.conv)
        for after in question.after:
            if holds(after.if_, values, self.ctx.facts):
                self.turn.say(after.say, kind="danger" if after.say == "danger_advice" else "notice")
                if after.say == SIGNPOSTED:
                    self.turn.replies.extend(self.turn.wording.signposting())
        self.turn.go_to(self.rules.after(question))

    def read(self, question: FlowQuestion, answer: Answer | Unread) -> Parsed | None:
        if isinstance(answer, Unread):
            return None
        if answer.ticked:
            answer = Answer(answer.question_id, options=tuple(self.conv.ticks.get(answer.question_id, ())))
        asked = self.turn.wording.question(question)
        found = kind(question.kind).read_answer(answer, asked, reading(self.conv, self.ctx, self.turn.understood.analysis))
        return found if isinstance(found, Parsed) else None

    def chosen(self, question: Question, answer: Answer | Unread) -> str | None:
        if isinstance(answer, Unread):
            return None
        found = kind(question.kind).read_answer(answer, question, reading(self.conv, self.ctx, self.turn.understood.analysis))
        return found.value if isinstance(found, Parsed) and isinstance(found.value, str) else None

    def raw(self, answer: Answer | Unread) -> str | None:
        if isinstance(answer, Unread):
            return answer.raw
        return self.turn.understood.text or answer.text or None

    def reasked(self, question_kind: str) -> bool:
        """Count an unclear answer; True when the question was asked again, False when it is time to move on."""
        self.conv.unclear += 1
        if self.conv.unclear < UNCLEAR_LIMIT:
            self.turn.ask(problem=self.turn.wording.reask(question_kind))
            return True
        return False

    def toggle(self, toggle: Toggle) -> None:
        question = self.flow.question(toggle.question_id) if self.flow.has(toggle.question_id) else None
        offered = self.turn.wording.question(question) if question is not None and question.kind == "multi" else None
        option = next((o for o in offered.options if o.id == toggle.option), None) if offered else None
        if offered is None or option is None:
            self.stale()
            return
        ticks = self.conv.ticks.setdefault(toggle.question_id, [])
        if option.id in ticks:
            ticks.remove(option.id)
        elif option.exclusive:
            ticks[:] = [option.id]  # "None of these" stands alone
        else:
            ticks[:] = [t for t in ticks if t not in offered.exclusive] + [option.id]
        changed = self.turn.wording.question(question)  # type: ignore[arg-type]
        self.turn.replies.append(OutboundMessage(changed.prompt, kind="ticks", question=changed, language=self.conv.language))

    # ---- the summary and the confirmation of what was read -------------------------------------
    def summary(self, answer: Answer | Unread) -> None:
        picked = self.chosen(self.turn.wording.summary_question(), answer)
        if picked is None:
            self.turn.ask(problem=self.turn.wording.reask("choice"))
        elif picked == "send":
            self.turn.submit()
        else:
            self.conv.editing, self.conv.step, self.conv.unclear = True, picked, 0
            self.turn.ask()

    def confirm(self, answer: Answer | Unread) -> None:
        picked = self.chosen(self.turn.wording.suggestions_question(), answer)
        if picked is None and self.reasked("yesno"):
            return
        self.rules.settle_suggestions(accepted=picked == "yes")
        self.turn.go_to(self.rules.next_after(CONFIRM))
