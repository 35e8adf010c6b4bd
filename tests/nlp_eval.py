"""Score intake.nlp.analyse on the labelled set in tests/data/nlp/: `make eval` prints the tables.

Each row of tests/data/nlp/<lang>.yaml is scored in its own catalog language. Danger, every
strand and every incident type are binary labels per message; PII is scored per labelled
span (found when a redaction span of that label covers it). Rows are named by id only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from intake.nlp import analyse

DATA = Path(__file__).parent / "data" / "nlp"


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
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    # (task, label) -> Count; task is danger, strand, type or pii.
    overall: dict[tuple[str, str], Count] = field(default_factory=lambda: defaultdict(Count))
    by_language: dict[str, dict[tuple[str, str], Count]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Count)))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (row id, task, label) wrong either way

    def add(self, lang: str, row_id: str, task: str, label: str, predicted: bool, gold: bool) -> None:
        self.overall[(task, label)].add(predicted, gold)
        self.by_language[lang][(task, label)].add(predicted, gold)
        if predicted != gold:
            self.misses.append((row_id, task, label))

    def macro_f1(self, task: str, counts: dict[tuple[str, str], Count] | None = None) -> float:
        """Mean F1 over the labels of `task` that occur in the gold set (or were predicted)."""
        chosen = [c for (t, _), c in (counts or self.overall).items() if t == task and (c.tp + c.fn + c.fp)]
        return sum(c.f1 for c in chosen) / len(chosen) if chosen else 1.0


def load_rows() -> dict[str, list[dict]]:
    """Every labelled row, by catalog language (the file's name)."""
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(DATA.glob("*.yaml"))}


def _covered(text: str, spans, label: str, wanted: str) -> bool:
    start = text.find(wanted)
    return start >= 0 and any(s.label == label and s.start <= start and s.end >= start + len(wanted) for s in spans)


def evaluate() -> Scores:
    scores = Scores()
    for lang, rows in load_rows().items():
        for row in rows:
            text, row_id = row["text"], row["id"]
            result = analyse(text, lang)
            scores.add(lang, row_id, "danger", "danger", result.danger, bool(row.get("danger")))
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


def _table(counts: dict[tuple[str, str], Count]) -> list[str]:
    lines = [f"  {'task':<7} {'label':<22} {'P':>5} {'R':>5} {'F1':>5}  tp fp fn"]
    for (task, label), c in sorted(counts.items()):
        lines.append(f"  {task:<7} {label:<22} {c.precision:5.2f} {c.recall:5.2f} {c.f1:5.2f}  {c.tp:2} {c.fp:2} {c.fn:2}")
    return lines


def main() -> None:
    scores = evaluate()
    rows = load_rows()
    print(f"NLP evaluation: {sum(len(r) for r in rows.values())} messages in {len(rows)} languages\n")
    print("All languages, per label:")
    print("\n".join(_table(scores.overall)))
    danger = scores.overall[("danger", "danger")]
    print(
        f"\nSummary: danger P {danger.precision:.2f} R {danger.recall:.2f}; "
        f"strand macro-F1 {scores.macro_f1('strand'):.2f}; type macro-F1 {scores.macro_f1('type'):.2f}"
    )
    print(f"\n{'lang':<8} {'rows':>4} {'danger P':>8} {'danger R':>8} {'strand F1':>9} {'type F1':>7} {'pii R':>5}")
    for lang, counts in sorted(scores.by_language.items()):
        d = counts[("danger", "danger")]
        pii = [c for (t, _), c in counts.items() if t == "pii"]
        pii_recall = sum(c.tp for c in pii) / max(1, sum(c.tp + c.fn for c in pii))
        print(
            f"{lang:<8} {len(rows[lang]):>4} {d.precision:8.2f} {d.recall:8.2f} "
            f"{scores.macro_f1('strand', counts):9.2f} {scores.macro_f1('type', counts):7.2f} {pii_recall:5.2f}"
        )
    print(f"\nRows wrong on some label (id, task, label): {len(scores.misses)}")
    for miss in scores.misses:
        print("  " + " ".join(miss))


if __name__ == "__main__":
    main()
