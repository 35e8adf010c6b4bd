"""START after STOP: an offer to carry on the report stopped a little while ago, or a new report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake import events as ev
from intake.conversation import OPENING, RESUME
from intake.engine.rules import Rules
from intake.engine.submitted import Submitted
from intake.engine.wording import Wording

if TYPE_CHECKING:
    from intake.engine.turn import Turn


class Resuming:
    def __init__(self, turn: Turn):
        self.turn, self.conv = turn, turn.conv

    def start(self) -> None:
        """START in a live chat: opt back in, then offer the stopped report, or say where this one is."""
        turn = self.turn
        if self.offer():
            return
        if self.conv.status == "submitted":
            Submitted(turn).status()
        elif self.conv.blank:
            # Nothing said since STOP reached them, their welcome included: greet them now.
            turn.say("welcome")
            turn.resume()
        else:
            turn.resume()

    def offer(self) -> bool:
        """Opt back in; offer to carry on the report stopped within the idle limit, if there is one to carry on."""
        turn, stopped = self.turn, self.turn.ctx.stopped
        turn.events.append(ev.OptedIn())
        if stopped is None or not stopped.resumable or not self.conv.blank:
            return False
        turn.relanguage(stopped.language)
        self.conv.menu = RESUME
        turn.ask()
        return True

    def choose(self, carry_on: bool | None) -> None:
        """The offer answered; an unclear answer is asked once more, then read as a new report."""
        turn = self.turn
        if carry_on is None and turn.conv.unclear < 1:
            turn.conv.unclear += 1
            turn.ask(problem=turn.wording.reask("yesno"))
            return
        stopped = turn.ctx.stopped
        self.conv.menu, self.conv.unclear = None, 0
        if carry_on and stopped is not None and stopped.resumable:
            self.carry_on()
        else:
            turn.say("welcome")
            turn.resume()

    def carry_on(self) -> None:
        turn, here, stopped = self.turn, self.conv, self.turn.ctx.stopped
        assert stopped is not None
        carried = stopped.copy()
        carried.status, carried.ended_reason, carried.no_messages, carried.menu, carried.unclear = (
            "active", None, False, None, 0
        )  # fmt: skip
        carried.danger_evidence.extend(e for e in here.danger_evidence if e not in carried.danger_evidence)
        turn.conv = carried
        turn.rules, turn.wording = Rules(carried, turn.ctx), Wording(carried, turn.ctx)
        turn.events.append(ev.ReportResumed(carried.case_reference))
        said = here.value(OPENING)
        # What they wrote after STOP reached no one; it joins the report they carry on, never lost.
        if said and carried.case_reference:
            turn.events.append(ev.FurtherInformation(carried.case_reference, said))
        elif said:
            opening = carried.value(OPENING)
            turn.rules.keep_opening(f"{opening}\n{said}" if opening else said)
        turn.ask(prefix=turn.wording.message("resumed"))
