"""What the NLP layer found in one message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Analysis:
    """Signals read from one message; the flow decides what to do with them.

    `danger_evidence` holds the matched phrases exactly as written in the pattern
    files, never the reporter's own words, so it can be logged and shown to staff
    without copying the message. `postcodes` are normalised like "MK9 3EJ".
    """

    danger: bool = False
    danger_evidence: tuple[str, ...] = ()
    strands: tuple[str, ...] = ()
    incident_types: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # catalog codes the first message is likely in, best first


NO_ANALYSIS = Analysis()
