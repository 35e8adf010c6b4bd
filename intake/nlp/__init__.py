"""Read a reporter's message for signals the flow acts on, starting with immediate danger.

`analyse` is safe to call on every message at every step: it never raises on what a
reporter typed. Call `check_patterns()` at start-up so that a bad pattern file stops
the app there, not on the first message in that language.
"""

from __future__ import annotations

import logging

from intake.errors import ConfigError
from intake.nlp import danger
from intake.nlp.analysis import NO_ANALYSIS, Analysis
from intake.nlp.language import detect_language
from intake.nlp.normalise import normalise
from intake.nlp.patterns import check_all
from intake.nlp.postcodes import find_postcodes

__all__ = ["NO_ANALYSIS", "Analysis", "analyse", "check_patterns", "detect_language"]

logger = logging.getLogger(__name__)


def analyse(text: str, lang: str) -> Analysis:
    """Find danger phrases (in `lang` and always English) and UK postcodes in one message."""
    if not isinstance(text, str) or not text.strip():
        return NO_ANALYSIS
    try:
        folded = normalise(text)
        evidence = danger.evidence(folded, lang)
        postcodes = find_postcodes(folded)
    except ConfigError:
        # A broken pattern file is our fault and must be loud.
        raise
    except Exception:
        # Anything else is a bug meeting odd input mid-conversation: log it and let the
        # conversation go on, rather than leave a reporter with no reply at all.
        logger.exception("nlp: analysis failed for a %d-character message", len(text))
        return NO_ANALYSIS
    if not evidence and not postcodes:
        return NO_ANALYSIS
    return Analysis(danger=bool(evidence), danger_evidence=evidence, postcodes=postcodes)


def check_patterns() -> dict[str, dict[str, int]]:
    """Load and validate every pattern file now; return phrase counts by kind and language."""
    return {danger.KIND: check_all(danger.KIND)}
