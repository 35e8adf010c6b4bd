"""A learned reader beside the pattern files: hashed character n-grams and one linear model per label.

Patterns memorise phrases; this generalises over spellings, typos, joined particles and
scripts, because it reads pieces of words rather than whole phrases. It is trained by
`make train` (tools/train_nlp.py) on tests/data/nlp/train/ only, seeded, and shipped as
data: intake/nlp/model/classifier.npz (weights) and classifier.json (labels, thresholds,
the feature recipe's version, and a hash of the training data). Never a pickle.

Only numpy is needed to read a message; scikit-learn is needed only to train.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from intake.errors import ConfigError
from intake.nlp.normalise import normalise

MODEL_DIR = Path(__file__).parent / "model"
FEATURES_VERSION = 1
BUCKETS = 1 << 18
NGRAMS = (2, 3, 4, 5)
# A long message is read a window at a time, so one frightened sentence inside a page of
# background is not drowned by it; the message scores as its most alarming window.
WINDOW_WORDS = 40
WINDOW_STEP = 20

_WORD = re.compile(r"\w+")


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (BUCKETS - 1)


@lru_cache(maxsize=1 << 16)
def _word_buckets(word: str) -> tuple[int, ...]:
    padded = f"<{word[:40]}>"
    grams = [f"w:{word}"]
    for n in NGRAMS:
        grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return tuple(_bucket(g) for g in grams)


def words(text: str) -> list[str]:
    """The message as the model sees it: folded like the pattern files, split into words."""
    return _WORD.findall(normalise(text))


def featurise(tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Bucket ids and weights (log counts, unit length) for a run of words."""
    counts: dict[int, int] = {}
    for word in tokens:
        for b in _word_buckets(word):
            counts[b] = counts.get(b, 0) + 1
    for first, second in pairwise(tokens):
        b = _bucket(f"b:{first} {second}")
        counts[b] = counts.get(b, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ids = np.fromiter(counts, dtype=np.int64, count=len(counts))
    values = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
    values /= np.linalg.norm(values)
    return ids, values


def windows(tokens: list[str]) -> list[list[str]]:
    if len(tokens) <= WINDOW_WORDS:
        return [tokens]
    return [tokens[i : i + WINDOW_WORDS] for i in range(0, len(tokens) - WINDOW_STEP, WINDOW_STEP)]


def training_hash(rows: list[dict]) -> str:
    """A hash of what the model learned from: each row's text and labels, in order."""
    digest = hashlib.sha256()
    for row in rows:
        labels = [bool(row.get("danger")), sorted(row.get("strands") or []), sorted(row.get("types") or [])]
        digest.update(json.dumps([row["text"], labels], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Scores:
    """The model's probability for each label, for the most alarming window of one message."""

    probabilities: dict[str, float]
    embedded: bool = False  # whether the second, embedding stage was needed

    def above(self, labels: tuple[str, ...], threshold: float) -> tuple[str, ...]:
        return tuple(label for label in labels if self.probabilities.get(label, 0.0) >= threshold)


@dataclass(frozen=True)
class Stage:
    """One linear model per label: sparse weights over n-gram buckets, and optionally dense ones over an embedding."""

    weights: np.ndarray  # (labels, BUCKETS), float16: half the memory, and no decision moves
    bias: np.ndarray  # (labels,)
    dense: np.ndarray | None = None  # (labels, embedding.DIM)

    def logits(self, ids: np.ndarray, values: np.ndarray, vector: np.ndarray | None = None) -> np.ndarray:
        out = self.weights[:, ids].astype(np.float32) @ values + self.bias if len(ids) else self.bias.copy()
        if self.dense is not None and vector is not None:
            out = out + self.dense @ vector
        return out


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


class Model:
    """Two stages: n-grams alone, then n-grams with a sentence embedding where the first leaves doubt.

    A reply of a few words ("yes", "2", a postcode) is embedded only when the first stage's
    danger score reaches `gate` (training sets it to the 999 line's threshold, chosen on dev):
    replies are most of a conversation, and a calm one pays for no embedding. Anything longer
    is embedded, at most EMBEDDED_WINDOWS windows of it, the ones the first stage finds most
    alarming, each cut to EMBEDDED_CHARACTERS.
    """

    EMBEDDED_WINDOWS = 2
    EMBEDDED_CHARACTERS = 400
    SHORT = 4  # words: below this a message is a reply, not an account

    def __init__(self, meta: dict, ngrams: Stage, mixed: Stage | None = None, embed=None):
        self.meta = meta
        self.embed = embed  # texts -> unit vectors; intake.nlp.embedding.embed unless training passes its cache
        self.labels: tuple[str, ...] = tuple(meta["labels"])
        self.thresholds: dict[str, float] = meta.get("thresholds", {})
        self.gate: float = meta.get("gate", 1.0)
        self.ngrams = ngrams
        self.mixed = mixed

    def score(self, text: str) -> Scores:
        tokens = words(text)
        parts = windows(tokens)
        features = [featurise(part) for part in parts]
        first = np.array([_sigmoid(self.ngrams.logits(ids, values)) for ids, values in features])
        best = first.max(axis=0)
        short = len(tokens) < self.SHORT and best[self.labels.index("danger")] < self.gate
        if self.mixed is None or short:
            return Scores(dict(zip(self.labels, (float(p) for p in best), strict=True)))
        from intake.nlp import embedding

        chosen = sorted(range(len(parts)), key=lambda i: -first[i].max())[: self.EMBEDDED_WINDOWS]
        texts = [text] if len(parts) == 1 else [" ".join(parts[i]) for i in chosen]
        texts = [t[: self.EMBEDDED_CHARACTERS] for t in texts]
        vectors = (self.embed or embedding.embed)(texts)
        second = np.array([_sigmoid(self.mixed.logits(*features[i], vector)) for i, vector in zip(chosen, vectors, strict=True)])
        best = second.max(axis=0)
        return Scores(dict(zip(self.labels, (float(p) for p in best), strict=True)), embedded=True)


def stage(stored, prefix: str, labels: int) -> Stage:
    """One stage from its arrays: an npz file as shipped, or the dict training is about to write."""
    weights = np.zeros((labels, BUCKETS), dtype=np.float16)
    weights[stored[f"{prefix}_rows"], stored[f"{prefix}_columns"]] = stored[f"{prefix}_values"]
    dense = stored[f"{prefix}_dense"].astype(np.float32) if f"{prefix}_dense" in stored else None
    return Stage(weights, stored[f"{prefix}_bias"].astype(np.float32), dense)


def load(folder: Path = MODEL_DIR) -> Model:
    """Read the shipped model; a missing or mismatched one stops start-up, naming the file."""
    meta_path, weights_path = folder / "classifier.json", folder / "classifier.npz"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("features_version") != FEATURES_VERSION or meta.get("buckets") != BUCKETS:
            raise ConfigError(f"{meta_path}: the model was trained on other features; run `make train`")
        with np.load(weights_path, allow_pickle=False) as stored:
            ngrams = stage(stored, "ngrams", len(meta["labels"]))
            mixed = stage(stored, "mixed", len(meta["labels"])) if "mixed_bias" in stored else None
    except (OSError, ValueError, KeyError) as error:
        raise ConfigError(f"{weights_path}: cannot read the NLP model ({error}); run `make train`") from error
    return Model(meta, ngrams, mixed)


def check(folder: Path = MODEL_DIR) -> int:
    """Check the shipped model's description and that its weights are there, without loading them; its label count."""
    meta_path, weights_path = folder / "classifier.json", folder / "classifier.npz"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{meta_path}: cannot read the NLP model ({error}); run `make train`") from error
    if meta.get("features_version") != FEATURES_VERSION or meta.get("buckets") != BUCKETS:
        raise ConfigError(f"{meta_path}: the model was trained on other features; run `make train`")
    if not weights_path.is_file():
        raise ConfigError(f"{weights_path}: the NLP model's weights are missing; run `make train`")
    return len(meta["labels"])


@lru_cache(maxsize=1)
def shipped() -> Model:
    return load()
