"""Score intake.nlp.analyse on the labelled sets: `make eval` prints dev and the frozen set side by side.

The sets, all in the format of tests/data/nlp/LABELLING.md:

- dev (tests/data/nlp/*.yaml and tests/data/nlp/dev/): the first 303 messages, written beside
  the pattern files, and every fourth message written for the classifier (ids divisible by 4),
  which neither the patterns nor the model have seen. Rules, thresholds and models are chosen on it.
- train (tests/data/nlp/train/): the rest of what was written for the classifier; it learns
  from these, and they are never scored.
- frozen (tests/data/nlp/frozen/): written from the labelling guide alone by someone who saw
  no pattern, model or training row, then frozen (its SHA256SUMS is checked by a test).
  Scored only when a candidate is ready; never used to choose anything.

Each row is scored in its own catalog language. Danger, every strand and every incident type
are binary labels per message; PII is scored per labelled span (found when a redaction span
of that label covers it). Rows are named by id only, never by their words.

Every figure has a Wilson 95% interval. An F1 of tp/(tp + (fp+fn)/2) is a proportion of that
many trials, and gets its interval the same way; a macro-F1's interval is the mean of its
labels' bounds, which is conservative.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from intake.nlp import analyse

DATA = Path(__file__).parent / "data" / "nlp"
SETS = {"dev": (DATA, DATA / "dev"), "train": (DATA / "train", DATA / "train" / "replies"), "frozen": (DATA / "frozen",)}
Z = 1.959964  # two-sided 95%


def wilson(successes: float, trials: float) -> tuple[float, float]:
    """The Wilson score interval for a proportion; (0, 1) when there were no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + Z * Z / (2 * trials)) / (1 + Z * Z / trials)
    half = Z * math.sqrt(p * (1 - p) / trials + Z * Z / (4 * trials * trials)) / (1 + Z * Z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Figure:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:4.2f} [{self.low:4.2f}-{self.high:4.2f}]"


def _figure(successes: float, trials: float, empty: float = 1.0) -> Figure:
    low, high = wilson(successes, trials)
    return Figure(successes / trials if trials else empty, low, high)


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        self.tp += predicted and gold
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    @property
    def precision(self) -> float:
        return self.p.value

    @property
    def recall(self) -> float:
        return self.r.value

    @property
    def f1(self) -> float:
        return self.f.value

    @property
    def p(self) -> Figure:
        return _figure(self.tp, self.tp + self.fp)

    @property
    def r(self) -> Figure:
        return _figure(self.tp, self.tp + self.fn)

    @property
    def f(self) -> Figure:
        return _figure(self.tp, self.tp + (self.fp + self.fn) / 2, empty=0.0)


@dataclass
class Scores:
    # (task, label) -> Count; task is danger, strand, type or pii.
    overall: dict[tuple[str, str], Count] = field(default_factory=lambda: defaultdict(Count))
    by_language: dict[str, dict[tuple[str, str], Count]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Count)))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (row id, task, label) wrong either way
    rows: dict[str, int] = field(default_factory=dict)  # language -> rows scored

    def add(self, lang: str, row_id: str, task: str, label: str, predicted: bool, gold: bool) -> None:
        self.overall[(task, label)].add(predicted, gold)
        self.by_language[lang][(task, label)].add(predicted, gold)
        if predicted != gold:
            self.misses.append((row_id, task, label))

    def macro(self, task: str, counts: dict[tuple[str, str], Count] | None = None) -> Figure:
        """Mean F1 over the labels of `task` that occur in the gold set or were predicted."""
        chosen = [c.f for (t, _), c in (counts or self.overall).items() if t == task and (c.tp + c.fn + c.fp)]
        if not chosen:
            return Figure(1.0, 0.0, 1.0)
        mean = lambda values: sum(values) / len(chosen)  # noqa: E731
        return Figure(mean(f.value for f in chosen), mean(f.low for f in chosen), mean(f.high for f in chosen))

    def macro_f1(self, task: str, counts: dict[tuple[str, str], Count] | None = None) -> float:
        return self.macro(task, counts).value

    def pii_recall(self, counts: dict[tuple[str, str], Count] | None = None, label: str | None = None) -> Figure:
        chosen = [c for (t, lab), c in (counts or self.overall).items() if t == "pii" and label in (None, lab)]
        return _figure(sum(c.tp for c in chosen), sum(c.tp + c.fn for c in chosen))


def load_rows(name: str = "dev") -> dict[str, list[dict]]:
    """Every labelled row of one set, by catalog language (the file's name)."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for folder in SETS[name]:
        for path in sorted(folder.glob("*.yaml")):
            rows[path.stem].extend(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    return dict(sorted(rows.items()))


def _covered(text: str, spans, label: str, wanted: str) -> bool:
    start = text.find(wanted)
    return start >= 0 and any(s.label == label and s.start <= start and s.end >= start + len(wanted) for s in spans)


def evaluate(name: str = "dev") -> Scores:
    scores = Scores()
    for lang, rows in load_rows(name).items():
        scores.rows[lang] = len(rows)
        for row in rows:
            text, row_id = row["text"], row["id"]
            result = analyse(text, lang)
            scores.add(lang, row_id, "danger", "danger", result.danger, bool(row.get("danger")))
            # The bar for pausing the form is higher than for the 999 line: scored apart.
            scores.add(lang, row_id, "danger", "pause", result.danger_sure, bool(row.get("danger")))
            for task, gold, found in (
                ("strand", row.get("strands") or [], result.strands),
                ("type", row.get("types") or [], result.incident_types),
            ):
                for label in set(gold) | set(found):
                    scores.add(lang, row_id, task, label, label in found, label in gold)
            for label, wanted in (row.get("pii") or {}).items():
                for item in wanted:
                    scores.add(lang, row_id, "pii", label, _covered(text, result.pii, label, item), True)
    return scores


def _label_table(sets: dict[str, Scores]) -> list[str]:
    names = list(sets)
    head = f"  {'task':<7} {'label':<22}" + "".join(f" | {n + ' P':<16} {n + ' R':<16} {n + ' F1':<16} {'n':>4}" for n in names)
    lines = [head]
    keys = sorted({key for scores in sets.values() for key in scores.overall})
    for task, label in keys:
        line = f"  {task:<7} {label:<22}"
        for scores in sets.values():
            c = scores.overall.get((task, label), Count())
            line += f" | {c.p!s:<16} {c.r!s:<16} {c.f!s:<16} {c.tp + c.fn:>4}"
        lines.append(line)
    return lines


def _language_table(sets: dict[str, Scores]) -> list[str]:
    lines = []
    for name, scores in sets.items():
        lines.append(
            f"\n{name}: {'lang':<8} {'rows':>4}  {'danger P':<16} {'danger R':<16} {'strand F1':<16} {'type F1':<16} {'pii R':<16}"
        )
        for lang, counts in sorted(scores.by_language.items()):
            d = counts[("danger", "danger")]
            lines.append(
                f"{'':<{len(name) + 2}}{lang:<8} {scores.rows.get(lang, 0):>4}  {d.p!s:<16} {d.r!s:<16} "
                f"{scores.macro('strand', counts)!s:<16} {scores.macro('type', counts)!s:<16} {scores.pii_recall(counts)!s:<16}"
            )
    return lines


def summary(name: str, scores: Scores) -> str:
    danger = scores.overall[("danger", "danger")]
    pause = scores.overall[("danger", "pause")]
    pii = ", ".join(f"{label} {scores.pii_recall(label=label)}" for label in ("phone", "email", "postcode", "name", "address"))
    return (
        f"{name:<7} danger (999 line) P {danger.p} R {danger.r} F1 {danger.f}; pause P {pause.p} R {pause.r}; strands macro-F1 {scores.macro('strand')}; "
        f"types macro-F1 {scores.macro('type')}; pii recall {pii}"
    )


def main(argv: list[str]) -> None:
    names = argv or ["dev", "frozen"]
    sets = {name: evaluate(name) for name in names}
    for name, scores in sets.items():
        print(f"{name}: {sum(scores.rows.values())} messages in {len(scores.rows)} languages")
    print("\nSummary, with Wilson 95% intervals:")
    for name, scores in sets.items():
        print("  " + summary(name, scores))
    print("\nPer label:")
    print("\n".join(_label_table(sets)))
    print("\n".join(_language_table(sets)))
    # The frozen set's misses are not listed: reading them would be tuning on it.
    if "dev" in sets:
        print(f"\ndev rows wrong on some label (id, task, label): {len(sets['dev'].misses)}")
        for miss in sets["dev"].misses:
            print("  " + " ".join(miss))


if __name__ == "__main__":
    main(sys.argv[1:])
