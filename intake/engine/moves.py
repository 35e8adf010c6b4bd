"""BACK and SKIP: moving through the questions without answering, from the step on screen or from a page left behind."""

from __future__ import annotations

from intake.conversation import CONFIRM, LANGUAGE, RESUME, SUMMARY
from intake.engine.answering import Answering
from intake.engine.resuming import Resuming
from intake.messages import Command


class Moves:
    def __init__(self, answering: Answering):
        self.answering, self.turn, self.conv, self.rules = answering, answering.turn, answering.conv, answering.rules

    def move(self, command: Command) -> None:
        """BACK or SKIP, from the step the reporter is on; from a page left behind, only a skip that changes an answer."""
        named = command.question_id
        if named is not None and named != self.conv.asking:
            if command.name == "skip" and self.answering.changeable(named):
                question = self.turn.ctx.flow.question(named)
                if self.conv.step == SUMMARY:
                    self.conv.editing = True
                self.rules.skip(question)
                self.answering.after(question)
            else:
                self.answering.stale()
        elif self.conv.menu == LANGUAGE:
            self.conv.menu = None
            self.turn.resume()
        elif self.conv.menu == RESUME:
            Resuming(self.turn).choose(False)  # passing on the offer is a new report
        elif command.name == "skip":
            self.skip()
        elif not self.rules.back():
            self.turn.say("at_first_question")
            self.turn.ask()
        else:
            self.turn.ask()

    def skip(self) -> None:
        step = self.conv.step
        if step == CONFIRM:
            self.rules.settle_suggestions(accepted=False)
            self.turn.go_to(self.rules.next_after(CONFIRM))
        elif step is None or step == SUMMARY:
            self.turn.ask()
        else:
            question = self.turn.ctx.flow.question(step)
            self.rules.skip(question)
            self.answering.after(question)
