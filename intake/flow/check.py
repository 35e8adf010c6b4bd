"""Cross-check the flow against every landlord and door at start-up: no conversation may meet a placeholder it cannot fill.

A text's variants are chosen by conditions on the answers, the door and the profile.
The answers are not known at start-up, so every variant a landlord's facts and a
door's traits leave possible is checked, for every landlord on every door.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from intake.conditions import could_hold
from intake.errors import ConfigError
from intake.flow import Flow, Keyword, Text
from intake.messages import DoorTraits
from intake.orgs import source_of
from intake.orgs.schema import Profile

PLACEHOLDER = re.compile(r"%\((\w+)\)")
COMMON = frozenset({"org", "org_short", "door"})


def placeholders(profile: Profile, keywords: Mapping[str, Keyword]) -> frozenset[str]:
    """What every text may use with this landlord (see engine.wording.common_placeholders)."""
    return COMMON | {f"signpost_{s.purpose}" for s in profile.signposting} | set(keywords)


def _variants(text: Text | None, facts: Mapping[str, Any]) -> Iterable[tuple[str, dict | None]]:
    if text is None:
        return
    if isinstance(text, str):
        yield text, None
        return
    for variant in text:
        if could_hold(variant.if_, facts):
            yield variant.text, variant.if_


def _question_texts(flow: Flow, facts: Mapping[str, Any]) -> Iterable[tuple[str, str, dict | None]]:
    for question in flow.questions:
        if not could_hold(question.ask_if, facts):
            continue
        parts: list[tuple[str, Text | None]] = [("prompt", question.prompt), ("hint", question.hint)]
        parts.append(("summary_label", question.summary_label))
        parts.extend((f"option {o.id}", o.label) for o in question.options if could_hold(o.ask_if, facts))
        for part, text in parts:
            for msgid, condition in _variants(text, facts):
                yield f"{question.id}'s {part}", msgid, condition


def _problem(profile: Profile, door: DoorTraits, where: str, name: str, condition: dict | None) -> str:
    when = f" when {condition}" if condition else ""
    if name.startswith("signpost_"):
        purpose = name.removeprefix("signpost_")
        return (
            f"{source_of(profile)}: signposting: needs a signpost with purpose {purpose!r}: "
            f"on the {door.name} door, {where} uses %({name})s{when}"
        )
    return f"{source_of(profile)}: on the {door.name} door, {where} uses %({name})s{when}, which nothing provides"


def check(
    flow: Flow,
    profiles: Mapping[str, Profile],
    doors: Iterable[DoorTraits],
    keywords: Mapping[str, Keyword],
    message_placeholders: Mapping[str, frozenset[str]],
) -> None:
    """Raise ConfigError naming each profile file and field that would crash a conversation."""
    problems: list[str] = []
    doors = list(doors)
    for profile in profiles.values():
        known = placeholders(profile, keywords)
        for door in doors:
            facts = {"door": door, "profile": profile}
            for where, msgid, condition in _question_texts(flow, facts):
                problems.extend(
                    _problem(profile, door, where, n, condition) for n in PLACEHOLDER.findall(msgid) if n not in known
                )
            for name, msgid in flow.messages.items():
                extra = message_placeholders.get(name, frozenset())
                for missing in (n for n in PLACEHOLDER.findall(msgid) if n not in known | extra):
                    problems.append(_problem(profile, door, f"the message {name}", missing, None))
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))
