"""Train the NLP classifier on tests/data/nlp/train/, choose its thresholds on dev, write intake/nlp/model/.

    .venv/bin/python tools/train_nlp.py          (or: make train)

Seeded and deterministic: a test retrains and checks the result matches the shipped files.
The frozen set (tests/data/nlp/frozen/) is never read here.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.nlp import classifier, read_patterns  # noqa: E402
from intake.nlp.patterns import pattern_language  # noqa: E402
from intake.nlp.pipeline import labels as pattern_labels  # noqa: E402

SEED = 20261202
C = 4.0  # inverse regularisation; chosen on dev
GRID = [round(0.05 * i, 2) for i in range(1, 20)]
KEEP = 0.02  # weights smaller than this change no decision on dev, and are not shipped (a 12 MB file becomes a few)


def _rows(name: str) -> list[tuple[str, dict]]:
    from tests.nlp_eval import load_rows

    return [(lang, row) for lang, rows in load_rows(name).items() for row in rows]


def label_names() -> tuple[str, ...]:
    known = pattern_labels()
    return ("danger", *(f"strand:{s}" for s in known.strands), *(f"type:{t}" for t in known.incident_types))


def gold(row: dict) -> set[str]:
    return (
        ({"danger"} if row.get("danger") else set())
        | {f"strand:{s}" for s in row.get("strands") or ()}
        | {f"type:{t}" for t in row.get("types") or ()}
    )


def _matrix(texts: list[str]):
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for text in texts:
        ids, values = classifier.featurise(classifier.words(text))
        indices.extend(ids.tolist())
        data.extend(values.tolist())
        indptr.append(len(indices))
    return csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices), np.array(indptr)), shape=(len(texts), classifier.BUCKETS)
    )


EMBEDDINGS = ROOT / "tests" / "data" / "nlp" / "embeddings.npz"
EMBEDDING_WEIGHT = 1.0  # how loud the embedding is beside the n-grams; chosen on dev


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings by text, kept in tests/data/nlp/embeddings.npz so that retraining takes seconds.

    The reproduction test re-embeds a sample of it, so a cache that no longer matches the
    embedding model is caught. Texts not in it are embedded, and kept when `save` is called.
    """

    def __init__(self, path: Path = EMBEDDINGS):
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.changed = False
        if path.exists():
            with np.load(path, allow_pickle=False) as stored:
                self.vectors = dict(zip((k.decode() for k in stored["keys"]), stored["vectors"], strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        from intake.nlp import embedding

        missing = list(dict.fromkeys(t for t in texts if _key(t) not in self.vectors))
        if missing:
            for text, vector in zip(missing, embedding.embed(missing), strict=True):
                self.vectors[_key(text)] = vector.astype(np.float16)
            self.changed = True
        return np.stack([self.vectors[_key(t)].astype(np.float32) for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def save(self, keep: set[str]) -> None:
        keys = sorted(k for k in self.vectors if k in keep)
        np.savez_compressed(
            self.path, keys=np.array([k.encode() for k in keys]), vectors=np.stack([self.vectors[k] for k in keys])
        )


def _fit_stage(x, rows: list[tuple[str, dict]], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    weights = np.zeros((len(names), x.shape[1]), dtype=np.float32)
    bias = np.zeros(len(names), dtype=np.float32)
    for i, name in enumerate(names):
        y = np.array([name in gold(row) for _, row in rows], dtype=int)
        if y.sum() == 0:
            bias[i] = -10.0  # never seen: never predicted
            continue
        # No class weights and an unpenalised intercept: a reply that says nothing scores near its label's base rate.
        model = LogisticRegression(C=C, solver="liblinear", intercept_scaling=10.0, random_state=SEED, max_iter=1000)
        model.fit(x, y)
        weights[i] = model.coef_[0]
        bias[i] = model.intercept_[0]
    weights[np.abs(weights) < KEEP] = 0.0
    return weights, bias


def fit(rows: list[tuple[str, dict]], cache: EmbeddingCache) -> tuple[tuple[str, ...], classifier.Stage, classifier.Stage]:
    from scipy.sparse import csr_matrix, hstack

    names = label_names()
    texts = [row["text"] for _, row in rows]
    grams = _matrix(texts)
    ngram_weights, ngram_bias = _fit_stage(grams, rows, names)
    vectors = cache(texts) * EMBEDDING_WEIGHT
    both, both_bias = _fit_stage(hstack([grams, csr_matrix(vectors)]).tocsr(), rows, names)
    ngrams = classifier.Stage(ngram_weights, ngram_bias)
    mixed = classifier.Stage(both[:, : classifier.BUCKETS].copy(), both_bias, both[:, classifier.BUCKETS :] * EMBEDDING_WEIGHT)
    return names, ngrams, mixed


def _f(tp: int, fp: int, fn: int, beta: float = 1.0) -> float:
    b2 = beta * beta
    denominator = (1 + b2) * tp + b2 * fn + fp
    return (1 + b2) * tp / denominator if denominator else 0.0


def choose_thresholds(model: classifier.Model, dev: list[tuple[str, dict]]) -> dict[str, float]:
    """Thresholds for the patterns-or-model reading, each chosen on dev alone."""
    read = [(read_patterns(row["text"], pattern_language(lang)), model.score(row["text"]), gold(row)) for lang, row in dev]
    found_by_rules = [
        ({"danger"} if a.danger else set()) | {f"strand:{s}" for s in a.strands} | {f"type:{t}" for t in a.incident_types}
        for a, _, _ in read
    ]

    def counts(label: str, threshold: float) -> tuple[int, int, int]:
        tp = fp = fn = 0
        for rules, (_, scores, truth) in zip(found_by_rules, read, strict=True):
            predicted = label in rules or scores.probabilities[label] >= threshold
            tp += predicted and label in truth
            fp += predicted and label not in truth
            fn += label in truth and not predicted
        return tp, fp, fn

    # The 999 line favours recall (F2); the pause must be right at least 9 times in 10.
    danger = max(GRID, key=lambda t: (_f(*counts("danger", t), beta=2.0), t))
    precise = [t for t in GRID if (lambda tp, fp, fn: tp + fp and tp / (tp + fp) >= 0.90)(*counts("danger", t))]
    pause = min(precise, key=lambda t: (-counts("danger", t)[0], t)) if precise else 1.0
    thresholds = {"danger": danger, "pause": pause}
    for task in ("strand", "type"):
        names = [n for n in model.labels if n.startswith(task + ":")]

        def macro(t: float, names: list[str] = names) -> float:
            scored = [counts(n, t) for n in names]
            return sum(_f(*c) for c in scored if sum(c)) / max(1, sum(1 for c in scored if sum(c)))

        thresholds[task] = max(GRID, key=lambda t: (macro(t), t))
    return thresholds


def _sparse(prefix: str, stage: classifier.Stage) -> dict[str, np.ndarray]:
    label_ids, columns = np.nonzero(stage.weights)
    arrays = {
        f"{prefix}_rows": label_ids.astype(np.int16),
        f"{prefix}_columns": columns.astype(np.int32),
        f"{prefix}_values": stage.weights[label_ids, columns].astype(np.float16),
        f"{prefix}_bias": stage.bias.astype(np.float32),
    }
    if stage.dense is not None:
        arrays[f"{prefix}_dense"] = stage.dense.astype(np.float16)
    return arrays


def train(cache: EmbeddingCache | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """The model's meta and arrays, exactly as they would be written."""
    import sklearn

    from intake.nlp import embedding

    cache = cache or EmbeddingCache()
    rows, dev = _rows("train"), _rows("dev")
    names, ngrams, mixed = fit(rows, cache)
    arrays = {**_sparse("ngrams", ngrams), **_sparse("mixed", mixed)}
    meta = {
        "version": 2,
        "features_version": classifier.FEATURES_VERSION,
        "buckets": classifier.BUCKETS,
        "labels": list(names),
        "training_rows": len(rows),
        "training_data_sha256": classifier.training_hash([row for _, row in rows]),
        "seed": SEED,
        "C": C,
        "embedding": embedding.version(),
        "embedding_weight": EMBEDDING_WEIGHT,
        "trained_with": f"scikit-learn {sklearn.__version__}",
    }
    # A short reply is embedded only when the first stage alone already reads it as danger:
    # most of a conversation is replies, and they then cost no embedding.
    # Decisions are made on the weights as shipped (float16), so training and reading agree.
    shipped = classifier.stage(arrays, "ngrams", len(names)), classifier.stage(arrays, "mixed", len(names))
    always = classifier.Model({**meta, "gate": 0.0}, *shipped, embed=cache)
    meta["gate"] = choose_thresholds(always, dev)["danger"]
    model = classifier.Model(meta, always.ngrams, always.mixed, embed=cache)
    meta["thresholds"] = choose_thresholds(model, dev)
    return meta, arrays


def main() -> int:
    cache = EmbeddingCache()
    meta, arrays = train(cache)
    cache.save({_key(row["text"]) for name in ("train", "dev") for _, row in _rows(name)})
    classifier.MODEL_DIR.mkdir(exist_ok=True)
    np.savez_compressed(classifier.MODEL_DIR / "classifier.npz", **arrays)
    (classifier.MODEL_DIR / "classifier.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"trained on {meta['training_rows']} rows: {len(arrays['ngrams_values'])} + {len(arrays['mixed_values'])} weights kept; gate {meta['gate']}; thresholds {meta['thresholds']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
