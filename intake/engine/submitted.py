"""After the report is sent: more words join the case, STATUS gives the reference, NEW starts another report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake import events as ev
from intake.conversation import Conversation
from intake.engine.rules import Rules
from intake.engine.wording import Wording

if TYPE_CHECKING:
    from intake.engine.turn import Turn


class Submitted:
    def __init__(self, turn: Turn):
        self.turn = turn

    def status(self) -> None:
        """The report's reference and where it stands, or that there is none yet."""
        turn, conv = self.turn, self.turn.conv
        if not conv.case_reference:
            turn.say("status_none")
            return
        status = turn.ctx.case_status or ("submitted" if conv.status == "submitted" else "in_progress")
        label = turn.wording.t(turn.ctx.flow.statuses.get(status, status))
        turn.say("status_case", reference=conv.case_reference, status=label)

    def command(self, name: str) -> None:
        if name != "new":
            self.status()
            return
        turn, previous = self.turn, self.turn.conv
        turn.conv = Conversation(org=previous.org, channel=previous.channel, language=previous.language, status="active")
        turn.rules, turn.wording = Rules(turn.conv, turn.ctx), Wording(turn.conv, turn.ctx)
        turn.events.append(ev.NewReportStarted(previous.case_reference))
        turn.say("welcome")
        turn.go_to(turn.rules.next_after(None))

    def more(self) -> None:
        """Words or a file sent after the report: they join the case as further information."""
        turn = self.turn
        if not (turn.understood.text or turn.inbound.attachments):
            self.status()
            return
        turn.conv.further_information += 1
        turn.events.append(ev.FurtherInformation(turn.conv.case_reference or "", turn.understood.text))
        turn.say("further_information", reference=turn.conv.case_reference)
