"""Read-only views of a conversation, for doors that show a page at a time and for reading replies.

Nothing here changes the conversation: each view is computed from it as it stands.
"""

from __future__ import annotations

from dataclasses import replace

from intake.conditions import holds
from intake.conversation import CONFIRM, LANGUAGE, OPENING, SUMMARY, Conversation
from intake.engine.context import EngineContext
from intake.engine.rules import Rules, answer_values
from intake.engine.wording import SummaryRow, Wording
from intake.flow import Flow, load_flow
from intake.messages import DoorTraits, OutboundMessage, Question
from intake.orgs.schema import Profile


def asked(conversation: Conversation, ctx: EngineContext) -> OutboundMessage | None:
    """The reply asking the reporter's current step, with the kind re-ask when their last answer was unclear."""
    step = conversation.asking
    if step is None:
        return None
    wording = Wording(conversation, ctx)
    problem = None
    if conversation.unclear and step != LANGUAGE:
        question_kind = "choice" if step == SUMMARY else _kind(step, ctx)
        problem = wording.reask(question_kind)
    return wording.step(step, problem=problem)


def _kind(step: str, ctx: EngineContext) -> str:
    return ctx.flow.question(step).kind if ctx.flow.has(step) else "yesno"


def current_question(conversation: Conversation, ctx: EngineContext) -> list[OutboundMessage]:
    """The question the reporter is on, asked again, for a door that reopens a conversation."""
    found = asked(conversation, ctx)
    return [found] if found else []


def question_view(conversation: Conversation, ctx: EngineContext, question_id: str | None = None) -> Question | None:
    """The question on screen: the current step, or an answered one a change link picked; None if neither applies."""
    current = asked(conversation, ctx)
    on_screen = current.question if current else None
    if question_id is None or (on_screen is not None and question_id == on_screen.id):
        if on_screen is not None and ctx.flow.has(on_screen.id) and on_screen.id in conversation.answers:
            # Picked from the summary to change: the page shows the answer given.
            return replace(on_screen, current=conversation.answers[on_screen.id])
        return on_screen
    if conversation.status != "active" or not Rules(conversation, ctx).answered(question_id):
        return None
    return Wording(conversation, ctx).question(ctx.flow.question(question_id), current=True)


def summary_rows(conversation: Conversation, ctx: EngineContext) -> list[SummaryRow]:
    """The answers a reporter checks before sending, in flow order: the same rows the summary numbers."""
    return Wording(conversation, ctx).summary_rows()


def confirmation(conversation: Conversation, ctx: EngineContext) -> list[OutboundMessage]:
    """What a submitted report was told: its reference, what happens next, the Victims Code and who else can help."""
    if conversation.status != "submitted" or not conversation.case_reference:
        return []
    return Wording(conversation, ctx).confirmation()


def visible_answers(conversation: Conversation, profile: Profile, door: DoorTraits, flow: Flow | None = None) -> dict[str, dict]:
    """The answers to questions that apply to this conversation as it now stands, in flow order.

    An answer to a question that no longer applies (the reporter changed their mind
    about giving their name, say) is left out, so it never reaches a case.
    """
    flow = flow or load_flow()
    values = answer_values(conversation)
    facts = {"door": door, "profile": profile}
    visible = {OPENING: conversation.answers[OPENING]} if OPENING in conversation.answers else {}
    for question in flow.questions:
        if question.id in conversation.answers and holds(question.ask_if, values, facts):
            visible[question.id] = conversation.answers[question.id]
    return visible


def progress(conversation: Conversation, ctx: EngineContext, question_id: str) -> tuple[int, int] | None:
    """Where `question_id` falls among the pages this report shows: (step, about how many), or None.

    The pages are the questions that apply to the answers so far, less those answered from the
    description without asking, with the check of what was read after the question it read.
    The total is only "about": a later answer can bring in or rule out questions.
    """
    rules = Rules(conversation, ctx)
    pages: list[str] = []
    for question in ctx.flow.questions:
        if not rules.applies(question):
            continue
        if conversation.answers.get(question.id, {}).get("inferred") and question.id != question_id:
            continue
        pages.append(question.id)
        if question.id == conversation.suggested_after:
            pages.append(CONFIRM)
    if question_id not in pages:
        return None
    return pages.index(question_id) + 1, len(pages)
