"""The learned classifier is data the repository can rebuild: seeded, no pickle, trained on the train set alone."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from intake.errors import ConfigError
from intake.nlp import analyse, classifier

ROOT = Path(__file__).resolve().parent.parent


def _trainer():
    spec = importlib.util.spec_from_file_location("train_nlp", ROOT / "tools" / "train_nlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_retraining_reproduces_the_shipped_model():
    meta, arrays = _trainer().train()
    shipped = json.loads((classifier.MODEL_DIR / "classifier.json").read_text())

    unchecked = ("trained_with", "thresholds")
    assert {k: v for k, v in meta.items() if k not in unchecked} == {k: v for k, v in shipped.items() if k not in unchecked}
    # A threshold is the best of a grid on dev, and two neighbours can score within a hair of each
    # other: the last bit of a float on another CPU may pick either. One grid step apart is the same model.
    step = _trainer().GRID[1] - _trainer().GRID[0]
    assert meta["thresholds"].keys() == shipped["thresholds"].keys()
    for task, value in shipped["thresholds"].items():
        assert abs(meta["thresholds"][task] - value) <= step + 1e-9, task
    shipped_model, retrained = (
        classifier.load(),
        (classifier.stage(arrays, "ngrams", len(meta["labels"])), classifier.stage(arrays, "mixed", len(meta["labels"]))),
    )
    # A weight a rounding away from the pruning cut may be kept in one run and not the other.
    tolerance = _trainer().KEEP + 2e-3
    for ours, theirs in ((shipped_model.ngrams, retrained[0]), (shipped_model.mixed, retrained[1])):
        assert np.abs(ours.weights.astype(np.float32) - theirs.weights.astype(np.float32)).max() <= tolerance
        assert np.allclose(ours.bias, theirs.bias, atol=2e-3)
        if ours.dense is not None:
            assert np.allclose(ours.dense, theirs.dense, atol=2e-3)


def test_the_cached_training_embeddings_are_what_the_embedding_model_gives_now():
    from intake.nlp import embedding
    from tests.nlp_eval import load_rows

    trainer = _trainer()
    cache = trainer.EmbeddingCache()
    texts = [row["text"] for listed in load_rows("train").values() for row in listed][::97]

    assert all(trainer._key(t) in cache.vectors for t in texts)
    assert np.allclose(cache(texts), embedding.embed(texts), atol=5e-3)


def test_the_shipped_model_names_the_data_it_learned_from():
    from tests.nlp_eval import load_rows

    rows = [row for listed in load_rows("train").values() for row in listed]

    assert classifier.shipped().meta["training_data_sha256"] == classifier.training_hash(rows)


def test_a_model_trained_on_other_features_stops_start_up_naming_the_file(tmp_path):
    for name in ("classifier.json", "classifier.npz"):
        (tmp_path / name).write_bytes((classifier.MODEL_DIR / name).read_bytes())
    meta = json.loads((tmp_path / "classifier.json").read_text())
    (tmp_path / "classifier.json").write_text(json.dumps({**meta, "features_version": 0}))

    with pytest.raises(ConfigError, match=r"classifier\.json"):
        classifier.load(tmp_path)


def test_a_missing_model_stops_start_up_saying_how_to_rebuild_it(tmp_path):
    with pytest.raises(ConfigError, match="make train"):
        classifier.check(tmp_path)
    with pytest.raises(ConfigError, match="make train"):
        classifier.load(tmp_path)


def test_start_up_checks_the_shipped_model_without_loading_its_weights():
    assert classifier.check() == len(classifier.load().labels)


def test_one_alarming_sentence_in_a_long_description_is_not_drowned_by_the_rest():
    calm = "The bins were left out again and the lift was broken for a week. " * 40
    alarming = "hes back outside my door right now with a knife pls help"

    assert analyse(calm + alarming + " " + calm, "en").danger
    assert analyse(alarming, "en").danger_score > analyse(calm, "en").danger_score
