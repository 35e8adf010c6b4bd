"""advance(conversation, inbound, analysis, context) -> Step: the report conversation, pure and without I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from intake import events as ev
from intake import victims_code
from intake.conditions import holds
from intake.conversation import CONFIRM, SUMMARY, Conversation
from intake.flow import (
    Flow,
    Keyword,
    Question,
    Text,
    Vocabulary,
    load_flow,
    load_keywords,
    load_vocabulary,
)
from intake.i18n import Translator, available_languages, choose_language, native_name, translator
from intake.messages import Choice, InboundMessage, OutboundMessage
from intake.nlp.analysis import Analysis
from intake.nlp.pipeline import labels as nlp_labels
from intake.orgs.schema import Profile
from intake.questions import (
    Parsed,
    Unclear,
    fold,
    parse_choice,
    parse_date,
    parse_location,
    parse_multi,
    parse_text,
    today_in,
)

# Commands a reporter can send at any step; yes/no/send are answer words, not commands.
COMMANDS = ("help", "back", "skip", "language", "status", "stop", "start", "exit", "new")
UNCLEAR_LIMIT = 2
SUMMARY_ANSWER_LENGTH = 60


@dataclass(frozen=True)
class EngineContext:
    """What the engine may know beyond the conversation: all of it data, none of it I/O."""

    profile: Profile
    channel: str
    public_url: str
    fresh_reference: str  # the reference a case opened by this message will take
    case_status: str | None = None  # the case's status as staff left it, for STATUS
    first_contact_due: datetime | None = None  # the open case's deadline, if it has one
    flow: Flow = field(default_factory=load_flow)
    keywords: dict[str, Keyword] = field(default_factory=load_keywords)
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)


@dataclass(frozen=True)
class QuestionView:
    """One question as a page-at-a-time door (the web form) shows it: its words apart, and the answer so far."""

    question_id: str
    kind: str
    prompt: str
    hint: str | None
    choices: tuple[Choice, ...]
    exclusive: frozenset[str] = frozenset()
    answer: dict[str, Any] | None = None
    problem: str | None = None  # the engine's re-ask, when the last answer to this question was not understood
    opens_case: bool = False
    language: str = "en"


@dataclass(frozen=True)
class SummaryRow:
    """One answer on the check-your-answers page; `question_id` is what a change link picks."""

    question_id: str
    label: str
    value: str


@dataclass(frozen=True)
class Step:
    conversation: Conversation
    replies: list[OutboundMessage]
    events: list[Any]


def advance(conversation: Conversation, inbound: InboundMessage, analysis: Analysis, ctx: EngineContext) -> Step:
    """Take one message from the reporter and say what comes next."""
    turn = _Turn(conversation.copy(), inbound, ctx)
    if analysis.danger:
        turn.say("danger_advice", kind="danger")
        turn.conv.danger_evidence.extend(e for e in analysis.danger_evidence if e not in turn.conv.danger_evidence)
        turn.events.append(ev.DangerSignalled(tuple(analysis.danger_evidence)))
    turn.run(analysis)
    return Step(turn.conv, turn.replies, turn.events)


class _Turn:
    """One message's worth of work: the conversation being changed, and what to say."""

    def __init__(self, conv: Conversation, inbound: InboundMessage, ctx: EngineContext):
        self.conv, self.inbound, self.ctx = conv, inbound, ctx
        self.replies: list[OutboundMessage] = []
        self.events: list[Any] = []
        self.text = inbound.text.strip()

    # ---- words -------------------------------------------------------------------
    @property
    def t(self) -> Translator:
        return translator(self.conv.language)

    def params(self, **extra: Any) -> dict[str, Any]:
        profile = self.ctx.profile
        words = {name: self.t.keyword(kw.display) for name, kw in self.ctx.keywords.items()}
        signposts = {f"signpost_{s.purpose}": victims_code.signpost_contact(s) for s in profile.signposting}
        return {"org": profile.name, "org_short": profile.short_name, **signposts, **words, **extra}

    def message(self, name: str, **extra: Any) -> str:
        return self.t(self.ctx.flow.messages[name], **self.params(**extra))

    def say(self, name: str, kind: str = "notice", **extra: Any) -> None:
        if kind == "danger" and any(r.kind == "danger" for r in self.replies):
            return
        self.replies.append(OutboundMessage(self.message(name, **extra), kind=kind))

    def resolve(self, text: Text | None) -> str | None:
        if text is None or isinstance(text, str):
            return text
        for variant in text:
            if holds(variant.if_, self.answer_values(), self.facts()):
                return variant.text
        return None

    def facts(self) -> dict[str, Any]:
        return {"channel": self.ctx.channel, "profile": self.ctx.profile}

    def answer_values(self) -> dict[str, Any]:
        return {qid: a.get("value") for qid, a in self.conv.answers.items() if not a.get("skipped")}

    def keyword(self) -> str | None:
        folded = fold(self.text.lstrip("/"))
        if not folded:
            return None
        for name in COMMANDS:
            kw = self.ctx.keywords[name]
            forms = {fold(w) for w in kw.words} | {fold(kw.display), fold(self.t.keyword(kw.display))}
            if folded in forms:
                return name
        return None

    # ---- the turn ----------------------------------------------------------------
    def run(self, analysis: Analysis) -> None:
        command = self.keyword()
        if self.conv.status == "new":
            self.start(command, analysis)
        elif command in ("stop", "exit"):
            self.end("stopped" if command == "stop" else "exited")
        elif command == "language" or self.conv.menu == "language":
            self.language_menu(opening=command == "language")
        elif command == "status":
            self.status()
            self.ask_current()
        elif command == "help":
            self.say("help")
            self.ask_current()
        elif self.conv.status == "submitted":
            self.after_submission(command)
        elif command == "back":
            self.back()
        elif command == "skip":
            self.skip()
        elif command in ("start", "new"):
            self.ask_current()
        elif self.conv.step == SUMMARY:
            self.answer_summary()
        elif self.conv.step == CONFIRM:
            self.answer_suggestions()
        else:
            self.answer(analysis)

    def start(self, command: str | None, analysis: Analysis) -> None:
        self.conv.status = "active"
        # What they wrote says more than a channel's hint (a phone set up in English).
        offered = available_languages()
        detected = [code for code in analysis.languages if code in offered]
        self.conv.language = detected[0] if detected else choose_language(self.inbound.locale_hint, self.conv.language)
        if command == "stop":
            self.end("stopped")
            return
        if command == "exit":
            self.end("exited")
            return
        if command == "start":
            self.events.append(ev.OptedIn())
        if self.text and command is None:
            # A first message is often the report itself: keep it, never lose it.
            self.conv.answers["opening"] = {"value": self.text, "raw": self.text, "skipped": False}
        self.say("welcome")
        if command == "language":
            self.language_menu(opening=True)
            return
        if len(detected) > 1:
            # Urdu and Shahmukhi Panjabi look alike to every detector: the reporter picks.
            self.language_menu(opening=True, only=detected)
            return
        self.go_to(self.next_question(after=None))

    def end(self, reason: str) -> None:
        self.conv.status = "ended"
        self.conv.ended_reason = reason
        self.conv.menu = None
        # Both STOP and the quick exit mean: send nothing unprompted to this person again,
        # since a message arriving later could be seen by the person they fear.
        self.conv.no_messages = True
        if reason == "stopped":
            self.events.append(ev.OptedOut())
            self.say("stopped")
        else:
            self.say("exited")
        self.events.append(ev.ConversationEnded(reason))

    def status(self) -> None:
        if not self.conv.case_reference:
            self.say("status_none")
            return
        status = self.ctx.case_status or ("submitted" if self.conv.status == "submitted" else "in_progress")
        label = self.t(self.ctx.flow.statuses.get(status, status))
        self.say("status_case", reference=self.conv.case_reference, status=label)

    def after_submission(self, command: str | None) -> None:
        if command == "new":
            previous = self.conv.case_reference
            self.conv = Conversation(org=self.conv.org, channel=self.conv.channel, language=self.conv.language, status="active")
            self.events.append(ev.NewReportStarted(previous))
            self.say("welcome")
            self.go_to(self.next_question(after=None))
            return
        if command is not None or not (self.text or self.inbound.attachments):
            self.status()
            return
        self.conv.further_information += 1
        self.events.append(ev.FurtherInformation(self.conv.case_reference or "", self.text))
        self.say("further_information", reference=self.conv.case_reference)

    # ---- moving through the questions ----------------------------------------------
    def applicable(self, question: Question) -> bool:
        return holds(question.ask_if, self.answer_values(), self.facts())

    def next_question(self, after: str | None) -> str:
        """The next question to ask: applicable and not yet answered, else the summary."""
        if self.conv.suggested and after == self.conv.suggested_after:
            return CONFIRM
        if after == CONFIRM:
            after = self.conv.suggested_after
        questions = self.ctx.flow.questions
        start = 0 if after is None else self.ctx.flow.index(after) + 1
        for question in questions[start:]:
            if self.applicable(question) and question.id not in self.conv.answers:
                return question.id
        return SUMMARY

    def go_to(self, step: str) -> None:
        leaving = self.conv.step
        if leaving and leaving not in (step, SUMMARY, CONFIRM) and (not self.conv.history or self.conv.history[-1] != leaving):
            self.conv.history.append(leaving)
        self.conv.step = step
        self.conv.unclear = 0
        self.ask_current()

    def ask_current(self, prefix: str | None = None) -> None:
        step = self.conv.step
        if step is None or self.conv.status != "active":
            return
        if step == SUMMARY:
            self.replies.append(self.summary_message(prefix))
        elif step == CONFIRM:
            self.replies.append(self.suggestions_message(prefix))
        else:
            self.replies.append(self.question_message(self.ctx.flow.question(step), prefix))

    def question_message(self, question: Question, prefix: str | None = None) -> OutboundMessage:
        prompt = self.t(self.resolve(question.prompt) or "", **self.params())
        hint = self.resolve(question.hint)
        parts = [prefix, prompt, self.t(hint, **self.params()) if hint else None]
        return OutboundMessage(
            "\n".join(p for p in parts if p),
            kind="question",
            question_id=question.id,
            question_kind=question.kind,
            choices=tuple(self.choices(question)),
            multi=question.kind == "multi",
        )

    def choices(self, question: Question) -> list[Choice]:
        if question.kind == "yesno":
            return [Choice("yes", self.message("yes_label")), Choice("no", self.message("no_label"))]
        listed: list[tuple[str, str]] = []
        if question.options_from:
            labels = getattr(self.ctx.vocabulary, question.options_from)
            listed = [(oid, labels[oid]) for oid in getattr(self.ctx.profile, question.options_from)]
        for option in question.options:
            if holds(option.ask_if, self.answer_values(), self.facts()):
                listed.append((option.id, self.resolve(option.label) or option.id))
        return [Choice(oid, self.t(label, **self.params())) for oid, label in listed]

    def exclusive(self, question: Question) -> frozenset[str]:
        return frozenset(o.id for o in question.options if o.exclusive)

    def synonyms(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for name in ("yes", "no"):
            kw = self.ctx.keywords[name]
            found[name] = {fold(w) for w in kw.words} | {fold(kw.display), fold(self.t.keyword(kw.display))}
        return found

    def parse(self, question: Question, analysis: Analysis) -> Parsed | Unclear:
        if question.kind in ("yesno", "choice"):
            return parse_choice(self.text, self.choices(question), self.synonyms())
        if question.kind == "multi":
            return parse_multi(self.text, self.choices(question), self.exclusive(question))
        if question.kind == "date":
            return parse_date(self.text, today_in(self.inbound.received_at, self.ctx.profile.timezone))
        if question.kind == "location":
            return parse_location(self.text, analysis.postcodes)
        return parse_text(self.text)

    def answer(self, analysis: Analysis) -> None:
        question = self.ctx.flow.question(self.conv.step or "")
        parsed = self.parse(question, analysis)
        if isinstance(parsed, Unclear):
            if not self.text and self.inbound.attachments:
                self.ask_current()  # a photo alone: it is kept with the report, the question stays
                return
            self.conv.unclear += 1
            if self.conv.unclear < UNCLEAR_LIMIT:
                self.ask_current(
                    prefix=self.message(f"reask_{'text' if question.kind in ('text', 'date', 'location') else question.kind}")
                )
                return
            self.record(question, None, {}, raw=self.text)
            self.say("moved_on")
        else:
            self.record(question, parsed.value, parsed.extra, raw=self.text)
            self.fill_known(question, analysis)
        self.after_answer(question)

    def fill_known(self, question: Question, analysis: Analysis) -> None:
        """Answer later questions the reporter has already answered in their own words.

        A postcode is taken as said; motivation, incident types and a relative date are
        read, not said, so they wait in `suggested` for the reporter to confirm.
        """
        for target, signal in question.fills.items():
            if target in self.conv.answers:
                continue
            if signal == "postcode" and analysis.postcodes:
                postcode = analysis.postcodes[0]
                self.conv.answers[target] = {
                    "value": postcode,
                    "raw": None,
                    "skipped": False,
                    "postcode": postcode,
                    "inferred": True,
                }
            elif signal in ("strands", "incident_types") and (found := self.suggested_options(signal, analysis)):
                self.conv.suggested[target] = {"value": found, "raw": None, "skipped": False, "inferred": True}
            elif signal == "when" and analysis.when:
                hint = analysis.when[0]
                day = today_in(self.inbound.received_at, self.ctx.profile.timezone) - timedelta(days=hint.days_ago)
                self.conv.suggested[target] = {
                    "value": hint.phrase,
                    "raw": None,
                    "skipped": False,
                    "date": day.isoformat(),
                    "inferred": True,
                }
        if self.conv.suggested:
            self.conv.suggested_after = question.id

    def suggested_options(self, signal: str, analysis: Analysis) -> list[str]:
        """The landlord's own option ids for the strands or incident types read from a message."""
        offered = getattr(self.ctx.profile, signal)
        if signal == "incident_types":
            return [t for t in analysis.incident_types if t in offered]
        meanings = nlp_labels().strands
        picked = [next((s for s in meanings.get(label, ()) if s in offered), None) for label in analysis.strands]
        return list(dict.fromkeys(p for p in picked if p))

    def suggestions_message(self, prefix: str | None = None) -> OutboundMessage:
        parts = []
        for qid in ("motivation", "incident_types", "when"):
            if qid not in self.conv.suggested:
                continue
            value = self.conv.suggested[qid]["value"]
            if isinstance(value, list):
                labels = {c.value: c.label for c in self.choices(self.ctx.flow.question(qid))}
                parts.extend(labels.get(v, v) for v in value)
            else:
                parts.append(str(value))
        text = "\n".join(p for p in (prefix, self.message("suggestion_confirm", suggested="; ".join(parts))) if p)
        yes_no = (Choice("yes", self.message("yes_label")), Choice("no", self.message("no_label")))
        return OutboundMessage(text, kind="question", question_id=CONFIRM, question_kind="yesno", choices=yes_no)

    def answer_suggestions(self) -> None:
        parsed = parse_choice(self.text, self.suggestions_message().choices, self.synonyms())
        if isinstance(parsed, Unclear):
            self.conv.unclear += 1
            if self.conv.unclear < UNCLEAR_LIMIT:
                self.ask_current(prefix=self.message("reask_yesno"))
                return
        if isinstance(parsed, Parsed) and parsed.value == "yes":
            # What the reporter said before always wins over what was read.
            for qid, answer in self.conv.suggested.items():
                self.conv.answers.setdefault(qid, answer)
        self.conv.suggested = {}
        self.go_to(self.next_question(after=CONFIRM))

    def record(self, question: Question, value: Any, extra: dict, raw: str) -> None:
        self.conv.answers[question.id] = {"value": value, "raw": raw, "skipped": False, **extra}
        if question.opens_case and value and not self.conv.case_reference:
            self.open_case()

    def open_case(self) -> None:
        self.conv.case_reference = self.ctx.fresh_reference
        self.conv.case_opened_at = self.inbound.received_at.isoformat()
        self.events.append(ev.CaseOpened(self.conv.case_reference))

    def after_answer(self, question: Question) -> None:
        for after in question.after:
            if holds(after.if_, self.answer_values(), self.facts()):
                self.say(after.say, kind="danger" if after.say == "danger_advice" else "notice")
                if after.say == "out_of_scope":
                    self.replies.extend(self.signposting())
        if self.conv.editing:
            following = self.next_question(after=question.id)
            self.conv.editing = following != SUMMARY
            self.go_to(following)
        else:
            self.go_to(self.next_question(after=question.id))

    def skip(self) -> None:
        step = self.conv.step
        if step == CONFIRM:
            self.conv.suggested = {}
            self.go_to(self.next_question(after=CONFIRM))
            return
        if step is None or step == SUMMARY:
            self.ask_current()
            return
        self.conv.answers[step] = {"value": None, "raw": None, "skipped": True}
        self.after_answer(self.ctx.flow.question(step))

    def back(self) -> None:
        if not self.conv.history:
            self.say("at_first_question")
            self.ask_current()
            return
        previous = self.conv.history.pop()
        self.conv.answers.pop(previous, None)
        self.conv.suggested = {}
        self.conv.step = previous
        self.conv.unclear = 0
        self.conv.editing = False
        self.ask_current()

    # ---- summary and submission ------------------------------------------------------
    def answered_questions(self) -> list[Question]:
        return [q for q in self.ctx.flow.questions if q.id in self.conv.answers and self.applicable(q)]

    def display(self, question: Question) -> str:
        answer = self.conv.answers[question.id]
        if answer.get("skipped"):
            return self.message("summary_skipped")
        value = answer.get("value")
        if value is None:
            return self.message("summary_unclear", raw=_shorten(answer.get("raw") or ""))
        labels = {c.value: c.label for c in self.choices(question)}
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(value, _shorten(str(value)))

    def summary_rows(self) -> list[SummaryRow]:
        return [
            SummaryRow(question.id, self.t(question.summary_label, **self.params()), self.display(question))
            for question in self.answered_questions()
        ]

    def summary_message(self, prefix: str | None = None) -> OutboundMessage:
        choices = [Choice("send", self.message("summary_send"))]
        choices.extend(Choice(row.question_id, f"{row.label}: {row.value}") for row in self.summary_rows())
        text = "\n".join(p for p in (prefix, self.message("summary_intro")) if p)
        return OutboundMessage(
            text, kind="question", question_id=SUMMARY, question_kind="choice", choices=tuple(choices), skippable=False
        )

    def answer_summary(self) -> None:
        choices = list(self.summary_message().choices)
        send = self.ctx.keywords["send"]
        send_forms = {fold(w) for w in send.words} | {fold(self.t.keyword(send.display))}
        parsed = Parsed("send") if fold(self.text) in send_forms else parse_choice(self.text, choices, {})
        if isinstance(parsed, Unclear):
            self.ask_current(prefix=self.message("reask_choice"))
            return
        if parsed.value == "send":
            self.submit()
            return
        self.conv.editing = True
        self.conv.step = str(parsed.value)
        self.conv.unclear = 0
        self.ask_current()

    def submit(self) -> None:
        if not self.conv.case_reference:
            self.open_case()
        reference = self.conv.case_reference or ""
        self.conv.status = "submitted"
        self.conv.step = None
        self.events.append(ev.ReportSubmitted(reference))
        self.replies.extend(self.confirmation())
        self.events.append(ev.VictimsCodeSent(reference))

    def confirmation(self) -> list[OutboundMessage]:
        reference = self.conv.case_reference or ""
        return [
            OutboundMessage(self.message("submitted", reference=reference)),
            *victims_code.messages(
                profile=self.ctx.profile,
                t=self.t,
                reference=reference,
                first_contact_due=self.ctx.first_contact_due or victims_code.deadline_for(self.ctx.profile, self.conv),
                anonymous=not self.conv.named,
                public_url=self.ctx.public_url,
            ),
        ]

    def signposting(self) -> list[OutboundMessage]:
        return [OutboundMessage(line) for line in victims_code.signpost_lines(self.ctx.profile, self.t, self.ctx.vocabulary)]

    # ---- language ----------------------------------------------------------------------
    def language_menu(self, opening: bool, only: list[str] | None = None) -> None:
        if opening:
            self.conv.menu_options = list(only or available_languages())
        choices = [Choice(code, native_name(code)) for code in self.conv.menu_options or available_languages()]
        if not opening:
            parsed = parse_choice(self.text, choices, {})
            self.conv.menu = None
            if isinstance(parsed, Parsed) and parsed.value != self.conv.language:
                self.conv.language = str(parsed.value)
                self.events.append(ev.LanguageChanged(self.conv.language))
            if isinstance(parsed, Parsed):
                self.say("language_changed")
            else:
                self.say("language_unclear")
            if self.conv.step is None and self.conv.status == "active":
                # The menu was the reporter's first message: no question has been asked yet.
                self.go_to(self.next_question(after=None))
            else:
                self.ask_current()
            return
        self.conv.menu = "language"
        self.replies.append(
            OutboundMessage(
                self.message("language_prompt"),
                kind="question",
                question_id="language",
                question_kind="choice",
                choices=tuple(choices),
            )
        )


def current_question(conversation: Conversation, ctx: EngineContext) -> list[OutboundMessage]:
    """The question the reporter is on, asked again, for a door that reopens a conversation."""
    turn = _reading(conversation, ctx)
    turn.ask_current()
    return [replace(r, language=conversation.language) for r in turn.replies]


def _reading(conversation: Conversation, ctx: EngineContext) -> _Turn:
    # A turn with no message, to read what the conversation shows without changing it.
    return _Turn(conversation.copy(), InboundMessage(org=conversation.org, channel=conversation.channel, sender_key=""), ctx)


def question_view(conversation: Conversation, ctx: EngineContext, question_id: str | None = None) -> QuestionView | None:
    """The question on screen: the current step, or an answered one a change link picked; None if neither applies."""
    turn = _reading(conversation, ctx)
    question_id = question_id or conversation.step
    if question_id == CONFIRM and conversation.step == CONFIRM:
        asked = turn.suggestions_message()
        problem = turn.message("reask_yesno") if conversation.unclear else None
        return QuestionView(CONFIRM, "yesno", asked.text, None, asked.choices, problem=problem, language=conversation.language)
    if question_id is None or question_id == SUMMARY or question_id not in {q.id for q in ctx.flow.questions}:
        return None
    question = ctx.flow.question(question_id)
    if not turn.applicable(question) or (question_id != conversation.step and question_id not in conversation.answers):
        return None
    hint = turn.resolve(question.hint)
    problem = None
    if question_id == conversation.step and conversation.unclear:
        problem = turn.message(f"reask_{'text' if question.kind in ('text', 'date', 'location') else question.kind}")
    return QuestionView(
        question_id=question.id,
        kind=question.kind,
        prompt=turn.t(turn.resolve(question.prompt) or "", **turn.params()),
        hint=turn.t(hint, **turn.params()) if hint else None,
        choices=tuple(turn.choices(question)),
        exclusive=turn.exclusive(question),
        answer=conversation.answers.get(question_id),
        problem=problem,
        opens_case=question.opens_case,
        language=conversation.language,
    )


def summary_rows(conversation: Conversation, ctx: EngineContext) -> list[SummaryRow]:
    """The answers a reporter checks before sending, in flow order: the same rows the summary message numbers."""
    return _reading(conversation, ctx).summary_rows()


def confirmation(conversation: Conversation, ctx: EngineContext) -> list[OutboundMessage]:
    """What a submitted report was told: its reference, what happens next, the Victims Code and who else can help."""
    if conversation.status != "submitted" or not conversation.case_reference:
        return []
    return [replace(r, language=conversation.language) for r in _reading(conversation, ctx).confirmation()]


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_ANSWER_LENGTH else text[: SUMMARY_ANSWER_LENGTH - 3].rstrip() + "..."


def visible_answers(conversation: Conversation, profile: Profile, channel: str, flow: Flow | None = None) -> dict[str, dict]:
    """The answers to questions that apply to this conversation as it now stands, in flow order.

    An answer to a question that no longer applies (the reporter changed their mind
    about giving their name, say) is left out, so it never reaches a case.
    """
    flow = flow or load_flow()
    values = {qid: a.get("value") for qid, a in conversation.answers.items() if not a.get("skipped")}
    facts = {"channel": channel, "profile": profile}
    visible = {qid: conversation.answers[qid] for qid in ("opening",) if qid in conversation.answers}
    for question in flow.questions:
        if question.id in conversation.answers and holds(question.ask_if, values, facts):
            visible[question.id] = conversation.answers[question.id]
    return visible
