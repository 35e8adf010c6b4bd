"""How fast analyse() reads a message in each language, and the memory its pipelines take.

Ratios are to a baseline measured in the same run: the bare spaCy tokenizer of the same
language over the same folded text, so the figure is what the matchers, the PII shapes and
the classifier add. Two mixes: the dev set's messages of up to 160 characters (mostly
descriptions of an incident, which the classifier's embedding stage reads), and the replies
of a whole conversation (mostly short answers, which it does not).
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from pathlib import Path

import spacy

from intake.nlp import analyse, pipeline
from intake.nlp.normalise import normalise
from intake.nlp.patterns import pattern_language
from tests.nlp_eval import load_rows

ROUNDS = 20


def _per_message(fn, texts: list[str]) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            times.append(time.perf_counter() - start)
    return times


# What one reporter sends in a whole conversation besides the description.
CONVERSATION = [
    "hello",
    "no",
    "1",
    "2",
    "Stay anonymous",
    "yes",
    "yesterday evening",
    "MK9 3EJ",
    "1 3",
    "skip",
    "the man at number 4",
    "2",
    "yes",
    "daytime",
    "YES",
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    rows = load_rows()
    rss = _rss_mb()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for lang in rows:
        analyse("warm up", lang)
    loaded = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    analyse("he is outside my door with a knife", "en")  # loads the embedding model too
    print(f"Pipelines for {len(rows)} catalog languages loaded: {loaded / 1e6:.1f} MB traced Python memory")
    print(f"Resident memory: {_rss_mb():.0f} MB in all, {_rss_mb() - rss:.0f} MB for the readers and the classifier")
    conversation = CONVERSATION * 4
    ours = _per_message(lambda t: analyse(t, "en"), conversation)
    bare_en = spacy.blank("en")
    base = _per_message(lambda t: bare_en.make_doc(pipeline.match_form(normalise(t))), conversation)
    print(
        f"A conversation's replies (en): median {statistics.median(ours) * 1e3:.3f} ms, "
        f"bare tokenizer {statistics.median(base) * 1e3:.3f} ms, ratio {statistics.median(ours) / statistics.median(base):.1f}"
    )
    print(f"\n{'lang':<8} {'msgs/s':>8} {'median ms':>9} {'base ms':>8} {'ratio':>6} {'added ms':>8}")
    for lang, listed in rows.items():
        texts = [row["text"] for row in listed if len(row["text"]) <= 160]
        code = pattern_language(lang)
        bare = spacy.blank(pipeline._SPACY_CODE.get(code, code))
        ours = _per_message(lambda t, lang=lang: analyse(t, lang), texts)
        base = _per_message(lambda t, bare=bare: bare.make_doc(pipeline.match_form(normalise(t))), texts)
        median, base_median = statistics.median(ours), statistics.median(base)
        print(
            f"{lang:<8} {1 / statistics.mean(ours):8.0f} {median * 1e3:9.3f} {base_median * 1e3:8.3f} "
            f"{median / base_median:6.1f} {(median - base_median) * 1e3:8.3f}"
        )


if __name__ == "__main__":
    main()
