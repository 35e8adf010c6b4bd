"""How fast analyse() reads a message in each language, and the memory its pipelines take.

Ratios are to a baseline measured in the same run: the bare spaCy tokenizer of the same
language over the same folded text, so the figure is what the matchers and PII shapes add.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

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


def main() -> None:
    rows = load_rows()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for lang in rows:
        analyse("warm up", lang)
    loaded = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"Pipelines for {len(rows)} catalog languages loaded: {loaded / 1e6:.1f} MB traced Python memory")
    print(f"\n{'lang':<8} {'msgs/s':>8} {'median ms':>9} {'base ms':>8} {'ratio':>6} {'added ms':>8}")
    for lang, listed in rows.items():
        texts = [row["text"] for row in listed]
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
