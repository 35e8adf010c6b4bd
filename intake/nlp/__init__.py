"""Read a reporter's message for signals the flow acts on: danger, motivation, incident type, dates, personal details.

`analyse` is safe to call on every message at every step: it never raises on what a
reporter typed. Call `check_patterns()` at start-up so that a bad pattern file stops
the app there, not on the first message in that language.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from intake.errors import ConfigError
from intake.nlp import classifier, embedding, pii, pipeline
from intake.nlp.analysis import MODEL_EVIDENCE, NO_ANALYSIS, UNREADABLE, Analysis, WhenHint
from intake.nlp.language import detect_language
from intake.nlp.normalise import normalise
from intake.nlp.patterns import pattern_language
from intake.nlp.pii import PiiSpan, redact
from intake.nlp.postcodes import find_postcodes

__all__ = [
    "NO_ANALYSIS",
    "Analysis",
    "PiiSpan",
    "WhenHint",
    "analyse",
    "check_patterns",
    "detect_language",
    "read_patterns",
    "redact",
    "unreadable",
    "warm",
]

logger = logging.getLogger(__name__)


# Messages longer than this are read in overlapping pieces: spaCy refuses a text past its
# max_length, and one piece at a time keeps memory flat whatever a reporter pastes.
CHUNK = 20_000
OVERLAP = 400  # longer than any phrase, so one cut across a chunk boundary is still read whole


def analyse(text: str, lang: str) -> Analysis:
    """Read one message of any length in catalog language `lang` (English phrases are always matched too).

    It never fails open: if reading fails, the message counts as possibly danger (the
    999 advice goes first) and none of it is shown unredacted.
    """
    if not isinstance(text, str) or not text.strip():
        return NO_ANALYSIS
    try:
        language = pattern_language(lang)
        if len(text) <= CHUNK:
            return _analyse(text, language)
        return merge([(start, _analyse(piece, language)) for start, piece in chunks(text)])
    except ConfigError:
        # A broken pattern file is our fault and must be loud.
        raise
    except Exception as crash:
        # A bug meeting odd input: the type alone is logged (the message never is), and the
        # reporter is treated as someone who may be in danger rather than as someone who is not.
        logger.error("nlp: analysis failed for a %d-character message (%s)", len(text), type(crash).__name__)
        return unreadable(text)


def unreadable(text: str) -> Analysis:
    """What a message that could not be read counts as: possible danger, and nothing of it shown."""
    return Analysis(
        danger=True, danger_sure=True, danger_evidence=(UNREADABLE,), pii=(PiiSpan("unchecked", 0, len(text)),), failed=True
    )


def chunks(text: str) -> list[tuple[int, str]]:
    """Overlapping pieces of at most CHUNK characters, cut at whitespace, each with where it starts."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + CHUNK, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + CHUNK // 2, end)
            end = cut if cut > start else end
        pieces.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - OVERLAP, start + 1)
    return pieces


def merge(read: list[tuple[int, Analysis]]) -> Analysis:
    """One analysis from the analyses of a message's pieces: spans moved to where they are in the whole."""

    def joined(field: str) -> tuple:
        return tuple(dict.fromkeys(item for _, analysis in read for item in getattr(analysis, field)))

    spans = [PiiSpan(s.label, s.start + start, s.end + start) for start, analysis in read for s in analysis.pii]
    danger = joined("danger_evidence")
    return Analysis(
        danger=bool(danger),
        danger_sure=any(analysis.danger_sure for _, analysis in read),
        danger_score=max(analysis.danger_score for _, analysis in read),
        danger_evidence=danger,
        strands=joined("strands"),
        strand_evidence=joined("strand_evidence"),
        incident_types=joined("incident_types"),
        incident_type_evidence=joined("incident_type_evidence"),
        when=joined("when"),
        pii=pii.merge(spans),
        postcodes=joined("postcodes"),
    )


def _analyse(text: str, lang: str) -> Analysis:
    # spaCy and the embedding engine cannot hold a lone surrogate; "?" keeps every offset where it was.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return with_model(read_patterns(text, lang), text)


def with_model(found: Analysis, text: str) -> Analysis:
    """The pattern reading, widened by the learned classifier where its score clears the thresholds chosen on dev."""
    model = classifier.shipped()
    scores = model.score(text)
    limits = model.thresholds
    score = scores.probabilities["danger"]
    model_danger = score >= limits["danger"]
    strands = [s.partition(":")[2] for s in scores.above(model.labels, limits["strand"]) if s.startswith("strand:")]
    types = [t.partition(":")[2] for t in scores.above(model.labels, limits["type"]) if t.startswith("type:")]
    strands = [s for s in strands if s not in found.strands]
    types = [t for t in types if t not in found.incident_types]
    if not (model_danger or strands or types or found.danger):
        return replace(found, danger_score=score)
    return replace(
        found,
        danger=found.danger or model_danger,
        danger_sure=found.danger or score >= limits["pause"],
        danger_score=score,
        danger_evidence=found.danger_evidence + ((MODEL_EVIDENCE,) if model_danger and not found.danger else ()),
        strands=found.strands + tuple(strands),
        strand_evidence=found.strand_evidence + tuple((s, MODEL_EVIDENCE) for s in strands),
        incident_types=found.incident_types + tuple(types),
        incident_type_evidence=found.incident_type_evidence + tuple((t, MODEL_EVIDENCE) for t in types),
    )


def read_patterns(text: str, lang: str) -> Analysis:
    """What the pattern files alone find in one piece of a message (training chooses thresholds against this)."""
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
        danger_sure=bool(danger),
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
    """Read and check every pattern file and the model's description now, so a bad one stops start-up; return counts by kind.

    The spaCy pipelines are built when first needed; a serving process calls `warm()` first.
    """
    counts = pipeline.check_all()
    counts["pii"] = {"shapes": pii.check()}
    counts["model"] = {"labels": classifier.check()}
    return counts


def warm() -> None:
    """Build every language's pipeline and load the classifier now, before a serving process or worker takes traffic."""
    pipeline.build_all()
    classifier.shipped()
    embedding.embed(["warm"])
