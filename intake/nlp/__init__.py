"""Read a reporter's message for signals the flow acts on: danger, motivation, incident type, dates, personal details.

`analyse` is safe to call on every message at every step: it never raises on what a
reporter typed. Call `check_patterns()` at start-up so that a bad pattern file stops
the app there, not on the first message in that language.
"""

from __future__ import annotations

import logging

from intake.errors import ConfigError
from intake.nlp import pii, pipeline
from intake.nlp.analysis import NO_ANALYSIS, Analysis, WhenHint
from intake.nlp.language import detect_language
from intake.nlp.normalise import normalise
from intake.nlp.patterns import pattern_language
from intake.nlp.pii import PiiSpan, redact
from intake.nlp.postcodes import find_postcodes

__all__ = ["NO_ANALYSIS", "Analysis", "PiiSpan", "WhenHint", "analyse", "check_patterns", "detect_language", "redact", "warm"]

logger = logging.getLogger(__name__)


def analyse(text: str, lang: str) -> Analysis:
    """Read one message in catalog language `lang` (English phrases are always matched too)."""
    if not isinstance(text, str) or not text.strip():
        return NO_ANALYSIS
    try:
        return _analyse(text, pattern_language(lang))
    except ConfigError:
        # A broken pattern file is our fault and must be loud.
        raise
    except Exception:
        # Anything else is a bug meeting odd input mid-conversation: log it and let the
        # conversation go on, rather than leave a reporter with no reply at all.
        logger.exception("nlp: analysis failed for a %d-character message", len(text))
        return NO_ANALYSIS


def _analyse(text: str, lang: str) -> Analysis:
    # spaCy cannot hold a lone surrogate; "?" keeps every offset where it was.
    text = text.encode("utf-8", "replace").decode("utf-8")
    folded = normalise(text)
    loaded = pipeline.loaded(lang)
    # spaCy's vocabulary and tokenizer cache are not safe to grow from two threads at once.
    with loaded.lock:
        doc = loaded.nlp(pipeline.match_form(folded))
        danger = tuple(dict.fromkeys(pipeline.span_label(s)[1] for s in doc.spans[pipeline.DANGER]))
        strands = tuple(dict.fromkeys(pipeline.span_label(s) for s in doc.spans["strands"]))
        types = tuple(dict.fromkeys(pipeline.span_label(s) for s in doc.spans["incident_types"]))
        when = tuple(dict.fromkeys(pipeline.span_label(s) for s in doc.spans["when"]))
        names = loaded.names.spans(text)
    found_pii = pii.merge([*pii.find_shapes(text), *(PiiSpan("name", a, b) for a, b in names)])
    postcodes = find_postcodes(folded)
    if not (danger or strands or types or when or found_pii or postcodes):
        return NO_ANALYSIS
    return Analysis(
        danger=bool(danger),
        danger_evidence=danger,
        strands=tuple(dict.fromkeys(label for label, _ in strands)),
        strand_evidence=strands,
        incident_types=tuple(dict.fromkeys(label for label, _ in types)),
        incident_type_evidence=types,
        when=tuple(WhenHint(label, pipeline.labels().when[label], phrase) for label, phrase in when),
        pii=found_pii,
        postcodes=postcodes,
    )


def check_patterns() -> dict[str, dict[str, int]]:
    """Read and check every pattern file now, so a bad one stops start-up; return phrase counts by kind.

    The spaCy pipelines are built when first needed; a serving process calls `warm()` first.
    """
    counts = pipeline.check_all()
    counts["pii"] = {"shapes": pii.check()}
    return counts


def warm() -> None:
    """Build every language's pipeline now, before a serving process or worker takes traffic."""
    pipeline.build_all()
