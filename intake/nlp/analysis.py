"""What the NLP layer found in one message."""

from __future__ import annotations

from dataclasses import dataclass

from intake.nlp.pii import PiiSpan, redact


@dataclass(frozen=True)
class WhenHint:
    """A relative date in the message: `label` ("yesterday") is `days_ago` before it was sent; `phrase` as in the file."""

    label: str
    days_ago: int
    phrase: str


@dataclass(frozen=True)
class Analysis:
    """Signals read from one message; the flow decides what to do with them.

    Evidence holds the matched phrases exactly as written in the pattern files, never
    the reporter's own words, so it can be logged and shown to staff without copying the
    message: `danger_evidence` as phrases, `strand_evidence` and `incident_type_evidence`
    as (label, phrase) pairs. `postcodes` are normalised like "MK9 3EJ". `when` hints
    carry their pattern phrase; `pii` points into the message by offsets.
    """

    danger: bool = False  # enough for the 999 advice, which favours recall
    danger_sure: bool = False  # enough to pause the form: chosen for precision of at least 0.90 on dev
    danger_score: float = 0.0  # the learned classifier's probability of danger now
    danger_evidence: tuple[str, ...] = ()
    strands: tuple[str, ...] = ()
    incident_types: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # catalog codes the first message is likely in, best first
    strand_evidence: tuple[tuple[str, str], ...] = ()
    incident_type_evidence: tuple[tuple[str, str], ...] = ()
    when: tuple[WhenHint, ...] = ()
    pii: tuple[PiiSpan, ...] = ()
    failed: bool = False  # reading it failed: counted as possible danger, and shown to no one unredacted

    def redact(self, text: str) -> str:
        """The message this analysis was made from, with its personal details replaced by labels."""
        return redact(text, self.pii)


NO_ANALYSIS = Analysis()
# The evidence for what the learned classifier, rather than a pattern, found: it quotes no one.
MODEL_EVIDENCE = "(read by the learned classifier)"
# The danger evidence of a message that could not be read: a fact about the reading, not the reporter's words.
UNREADABLE = "(the message could not be read, so it is treated as possible danger)"
