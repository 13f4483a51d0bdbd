"""The worry-category regression scores a message as the logistic model it stored says.

Protected behaviour: ``scores`` is ``sigmoid(row · weightsᵀ + intercepts)`` per category, for
any sparse row (one word, many, none), whatever layout the weights were stored in: scoring
reads a column-ordered copy made once (``CategoryRegression._columns``), and that copy must
never drift from the weights the model was trained and saved with. A row of the wrong width
(a model trained with other featurizers) gives no scores, never wrong ones.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from scipy.special import expit

from bot.nlu.categories import CATEGORIES
from bot.nlu.category_regression import CategoryRegression

FEATURES = 5_000


def _regression(order: str) -> CategoryRegression:
    rng = np.random.default_rng(3)
    weights = np.asarray(rng.normal(size=(len(CATEGORIES), FEATURES)), order=order)
    return CategoryRegression(weights, rng.normal(size=len(CATEGORIES)))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("words", [0, 1, 40])
def test_scores_are_the_logistic_model_of_the_stored_weights(order: str, words: int) -> None:
    regression = _regression(order)
    row = scipy.sparse.random(1, FEATURES, density=words / FEATURES, format="csr", random_state=1)
    expected = expit(row.toarray()[0] @ regression.weights.T + regression.intercepts)
    scores = regression.scores(row)
    assert list(scores) == list(CATEGORIES)
    assert np.allclose([scores[code] for code in CATEGORIES], expected)


def test_a_row_of_another_width_gets_no_scores() -> None:
    regression = _regression("C")
    assert regression.scores(scipy.sparse.csr_matrix((1, FEATURES + 1))) == {}
    assert regression.scores(None) == {}
