"""advance(conversation, inbound, understood, context) -> Step: one message's turn, pure and without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake import events as ev
from intake.conversation import Conversation
from intake.engine.answering import Answering
from intake.engine.context import EngineContext
from intake.engine.language import LanguageMenu
from intake.engine.moves import Moves
from intake.engine.reading import Understood, Unread
from intake.engine.resuming import Resuming
from intake.engine.rules import Rules
from intake.engine.submitted import Submitted
from intake.engine.wording import Wording
from intake.evidence import MAX_FILES_PER_REPORT, size_words
from intake.i18n import available_languages, choose_language
from intake.messages import Command, InboundMessage, OutboundMessage


@dataclass(frozen=True)
class Step:
    conversation: Conversation
    replies: list[OutboundMessage]
    events: list[Any]


def advance(conversation: Conversation, inbound: InboundMessage, understood: Understood, ctx: EngineContext) -> Step:
    """Take one message from the reporter and say what comes next."""
    turn = Turn(conversation.copy(), inbound, understood, ctx)
    turn.run()
    return Step(turn.conv, turn.replies, turn.events)


class Turn:
    """One message's worth of work: the conversation being changed, what to say and what happened."""

    def __init__(self, conv: Conversation, inbound: InboundMessage, understood: Understood, ctx: EngineContext):
        self.conv, self.inbound, self.understood, self.ctx = conv, inbound, understood, ctx
        self.replies: list[OutboundMessage] = []
        self.events: list[Any] = []
        self.rules = Rules(conv, ctx)
        self.wording = Wording(conv, ctx)

    # ---- saying things --------------------------------------------------------------------------
    def say(self, name: str, kind: str = "notice", **extra: Any) -> None:
        if kind == "danger" and any(r.kind == "danger" for r in self.replies):
            return  # the 999 advice is said once a turn, first
        self.replies.append(self.wording.notice(name, kind, **extra))

    def ask(self, problem: str | None = None, prefix: str | None = None) -> None:
        """Ask the step the reporter is on (nothing once the chat has ended or the report is sent)."""
        step = self.conv.asking
        if step is not None:
            self.replies.append(self.wording.step(step, problem=problem, prefix=prefix))

    def go_to(self, step: str) -> None:
        self.rules.go_to(step)
        self.ask()

    def resume(self) -> None:
        """Ask where the report is; the first question when none has been asked yet (a first message opened a menu)."""
        if self.conv.status != "active":
            return
        if self.conv.step is None:
            self.go_to(self.rules.next_after(None))
        else:
            self.ask()

    def relanguage(self, code: str) -> None:
        self.conv.language = code
        self.wording = Wording(self.conv, self.ctx)

    # ---- the turn ---------------------------------------------------------------------------------
    def run(self) -> None:
        analysis = self.understood.analysis
        if analysis.danger:
            self.say("danger_advice", kind="danger")
        # The 999 line favours recall and costs little when wrong; raising the case's risk and
        # its deadline is held to the surer reading (precision 0.90 on dev).
        if analysis.danger_sure:
            self.conv.danger_evidence.extend(e for e in analysis.danger_evidence if e not in self.conv.danger_evidence)
            self.events.append(ev.DangerSignalled(tuple(analysis.danger_evidence)))
        command = self.understood.command
        if self.conv.status == "new":
            self.start(command)
        elif command is not None:
            self.conv.paused = False
            self.command(command)
        elif self.pausing():
            self.pause()
        elif self.conv.paused:
            # Their first words after the pause are how they are, not an answer: ask where we were.
            self.conv.paused = False
            self.say("danger_pause_over")
            self.ask()
        elif self.understood.answer is not None:
            Answering(self).take(self.understood.answer)
        elif self.conv.status == "submitted":
            Submitted(self).more()
        else:
            self.ask()  # a photo alone: it is kept with the report, and the question stays
        self.refused_files()

    def pausing(self) -> bool:
        """Danger said while a question waits, in words that are not its answer: the form waits, and keeps them.

        The surer reading (precision 0.90 on dev) pauses whatever the words are; the recall-first
        999 line pauses only words that answer nothing. At the danger question itself they answer it.
        """
        analysis, step = self.understood.analysis, self.conv.asking
        if not analysis.danger or self.conv.status != "active" or step is None or not self.ctx.flow.has(step):
            return False
        if self.ctx.flow.question(step).role in ("danger", "description"):
            return False  # the danger question's answer, or the story, which is where danger is told
        if self.conv.paused:
            return analysis.danger_sure  # "ok im safe now" after a pause is not a new alarm
        if self.conv.paused_at == step:
            return False  # paused here once already: the 999 advice again, and the question goes on as usual
        return analysis.danger_sure or isinstance(self.understood.answer, Unread) or self.understood.answer is None

    def pause(self) -> None:
        self.conv.paused, self.conv.paused_at = True, self.conv.asking
        if self.understood.text:
            self.events.append(ev.FurtherInformation(self.conv.case_reference or "", self.understood.text))
        self.say("danger_paused")

    def refused_files(self) -> None:
        """Say why each file that came with the message was not kept, just after any 999 advice."""
        reasons = list(self.inbound.refused_files)
        if not reasons:
            return
        at = next((i for i, r in enumerate(self.replies) if r.kind != "danger"), len(self.replies))
        said = [
            self.wording.notice(f"file_{reason}", limit=str(MAX_FILES_PER_REPORT), size=size_words())
            for reason in dict.fromkeys(reasons)
        ]
        self.replies[at:at] = said
        self.events.append(ev.FilesRefused(tuple(reasons)))

    def start(self, command: Command | None) -> None:
        self.conv.status = "active"
        # What they wrote says more than a door's hint (a phone set up in English).
        offered = available_languages()
        detected = [code for code in self.understood.analysis.languages if code in offered]
        self.relanguage(detected[0] if detected else choose_language(self.inbound.locale_hint, self.conv.language))
        name = command.name if command else None
        if name in ("stop", "exit"):
            self.end("stopped" if name == "stop" else "exited")
            return
        if name == "start" and Resuming(self).offer():
            return
        if self.understood.text and command is None:
            self.rules.keep_opening(self.understood.text)
        self.say("welcome")
        if name == "language":
            LanguageMenu(self).open()
        elif len(detected) > 1:
            # Urdu and Shahmukhi Panjabi look alike to every detector: the reporter picks.
            LanguageMenu(self).open(only=detected)
        else:
            self.go_to(self.rules.next_after(None))

    def command(self, command: Command) -> None:
        name = command.name
        if name in ("stop", "exit"):
            self.end("stopped" if name == "stop" else "exited")
        elif name == "language":
            LanguageMenu(self).command(command)
        elif name == "status":
            Submitted(self).status()
            self.ask()
        elif name == "help":
            self.say("help")
            self.ask()
        elif name == "start":
            Resuming(self).start()
        elif self.conv.status == "submitted":
            Submitted(self).command(name)
        elif name in ("back", "skip"):
            Moves(Answering(self)).move(command)
        else:  # new: carry on where the report is
            self.resume()

    def end(self, reason: str) -> None:
        self.conv.status, self.conv.ended_reason, self.conv.menu = "ended", reason, None
        # Both STOP and the quick exit mean: send nothing unprompted to this person again,
        # since a message arriving later could be seen by the person they fear.
        self.conv.no_messages = True
        if reason == "stopped":
            self.events.append(ev.OptedOut())
            self.say("stopped")
        else:
            self.say("exited")
        self.events.append(ev.ConversationEnded(reason))

    def opened(self) -> None:
        self.conv.case_opened_at = self.inbound.received_at.isoformat()
        self.events.append(ev.CaseOpened(self.conv.case_reference or ""))

    def submit(self) -> None:
        if not self.conv.case_reference:
            self.conv.case_reference = self.ctx.fresh_reference
            self.opened()
        reference = self.conv.case_reference or ""
        self.conv.status, self.conv.step = "submitted", None
        self.events.append(ev.ReportSubmitted(reference))
        self.replies.extend(self.wording.confirmation())
        self.events.append(ev.VictimsCodeSent(reference))
