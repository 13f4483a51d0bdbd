"""One logistic regression per worry category over sparse features (multi-label).

Kept apart from the Rasa component so that fitting and scoring are plain numpy/scikit-learn: the
component fits it on whole training examples, scores a message and each of its sentences with
it, and stores the weights as arrays, never as pickles, so a model file cannot execute code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse
from scipy.special import expit

from bot.nlu.categories import CATEGORIES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CategoryRegression:
    weights: np.ndarray  # (categories, features)
    intercepts: np.ndarray  # (categories,)
    # ``weights.T`` laid out column by column, made once: ``row @ weights.T`` on the row-major
    # weights made scipy copy all 9 × 52,827 of them for every message and sentence scored
    # (0.68 ms each, 5 % of a turn's CPU in a profile of one instance at saturation; 0.01 ms
    # with this copy).
    _columns: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_columns", np.ascontiguousarray(self.weights.T))

    def scores(self, vector: scipy.sparse.csr_matrix | None) -> dict[str, float]:
        """Probability of each category for one row; empty when the features do not fit."""
        if vector is None:
            return {}
        if vector.shape[1] != self.weights.shape[1]:
            logger.warning("Feature size changed since training; retrain the model.")
            return {}
        logits = vector @ self._columns + self.intercepts
        probabilities = expit(np.asarray(logits).ravel())
        return {code: float(p) for code, p in zip(CATEGORIES, probabilities, strict=True)}


def fit_category_regression(
    features: scipy.sparse.csr_matrix, targets: np.ndarray, c: float, seed: int
) -> CategoryRegression:
    """Fit one balanced logistic regression per category (column of ``targets``)."""
    from sklearn.linear_model import LogisticRegression

    weights = np.zeros((len(CATEGORIES), features.shape[1]))
    intercepts = np.zeros(len(CATEGORIES))
    for index, code in enumerate(CATEGORIES):
        column = targets[:, index]
        if column.min() == column.max():
            logger.warning("Category %s has no positive (or no negative) examples.", code)
            intercepts[index] = -10.0 if column.max() == 0 else 10.0
            continue
        model = LogisticRegression(
            C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=seed
        )
        model.fit(features, column)
        weights[index] = model.coef_[0]
        intercepts[index] = model.intercept_[0]
    return CategoryRegression(weights, intercepts)
