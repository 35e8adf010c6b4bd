"""Evaluate the small condition language the flow file uses (see intake/flow/report.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Whether every clause holds: answers by question id, `$name.path` facts such as $door.address."""
    if not condition:
        return True
    for name, wanted in condition.items():
        if name == "any":
            if not any(holds(part, answers, facts) for part in wanted):
                return False
            continue
        actual = _fact(name[1:], facts) if name.startswith("$") else answers.get(name)
        if not _matches(actual, wanted):
            return False
    return True


def could_hold(condition: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> bool:
    """Whether the condition can hold for some answers, given these facts: only a fact clause can rule it out.

    Start-up uses it to find every text a conversation with one landlord on one door may show.
    """
    if not condition:
        return True
    for name, wanted in condition.items():
        if name == "any":
            if not any(could_hold(part, facts) for part in wanted):
                return False
        elif name.startswith("$") and not _matches(_fact(name[1:], facts), wanted):
            return False
    return True


def _fact(path: str, facts: Mapping[str, Any]) -> Any:
    head, *rest = path.split(".")
    value = facts.get(head)
    for part in rest:
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        if "not" in wanted:
            return not _matches(actual, wanted["not"])
        if "answered" in wanted:
            return (actual is not None) == bool(wanted["answered"])
        raise ValueError(f"unknown condition form {dict(wanted)!r}")
    options = wanted if isinstance(wanted, list) else [wanted]
    if isinstance(actual, list):
        return any(option in actual for option in options)
    return actual in options
