"""Replies as SMS bodies: numbered choices, our typography kept GSM-7, each body within three segments."""

from __future__ import annotations

from dataclasses import dataclass

from channels.sms.segments import MAX_SEGMENTS, fits, gsm_safe, split
from intake.i18n import translator
from intake.messages import OutboundMessage


def reply_text(reply: OutboundMessage) -> str:
    """One reply as plain text: a question lists its choices as "1. label", one per line."""
    lines = [reply.text]
    lines.extend(f"{number}. {option.label}" for number, option in enumerate(reply.options, start=1))
    if reply.question is not None and reply.question.multi:
        lines.append(translator(reply.language or "en")("Reply with one or more numbers, for example 1 3."))
    return gsm_safe("\n".join(line for line in lines if line))


@dataclass
class _Body:
    text: str
    alone: bool


def render(replies: list[OutboundMessage], max_segments: int = MAX_SEGMENTS) -> list[str]:
    """The SMS bodies to send, in order.

    Short replies share a body (fewer texts to pay for and to read), but the 999 advice
    always travels alone and first, so nothing can push it into a later part.
    """
    bodies: list[_Body] = []
    for reply in replies:
        text = reply_text(reply)
        alone = reply.kind == "danger"
        if bodies and not alone and not bodies[-1].alone:
            joined = gsm_safe(bodies[-1].text + "\n\n" + text)
            if fits(joined, max_segments):
                bodies[-1].text = joined
                continue
        bodies.append(_Body(text, alone))
    return [part for body in bodies for part in split(body.text, max_segments)]
