"""Rasa component: multi-label worry categories (複合化) for a message.

DIET alone can only predict label combinations it saw in training; residents combine worries
freely (介護+失業+借金). This component learns one logistic regression per category from the
same training data (multi-intent labels are split on ``+``), combines it with DIET's ranking and
a reading lexicon (``bot.nlu.category_scoring``), and then:

- puts ``{"categories": [...], "confidence": {...}}`` under ``worry_categories`` in the parse
  result, which the actions and ``intake classify`` read;
- sets the intent to ``share_worry`` when any category is found, so the dialogue has one intent
  for "a worry" whatever its mix, and to ``nlu_fallback`` when DIET guessed a worry the
  categories do not support (a clarifying question is better than a wrong window).

Weights are stored as plain numpy arrays, not pickles, so a model file cannot execute code.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.special import expit

from bot.nlu.categories import (
    CATEGORIES,
    SHARE_WORRY_INTENT,
    WORRY_CATEGORIES_KEY,
    categories_of_intent,
)
from bot.nlu.category_scoring import ScoringPolicy, decide, spread_ranking
from bot.nlu.lexicon import lexicon_hits
from bot.nlu.reading import message_reading

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "worry_category_weights.npz"


def _sentence_vector(message: Message) -> scipy.sparse.csr_matrix | None:
    """The message's sentence-level sparse features from every featurizer, as one row."""
    _, sentence = message.get_sparse_features(TEXT)
    if sentence is None:
        return None
    return scipy.sparse.csr_matrix(sentence.features.tocsr()[-1])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WorryCategoryClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "threshold": 0.5,
            "regression_weight": 0.6,
            "lexicon_floor": 0.55,
            "regularisation_c": 4.0,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: np.ndarray | None = None,
        intercepts: np.ndarray | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._weights = weights
        self._intercepts = intercepts
        self._policy = ScoringPolicy(
            threshold=float(self._config["threshold"]),
            regression_weight=float(self._config["regression_weight"]),
            lexicon_floor=float(self._config["lexicon_floor"]),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WorryCategoryClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        for example in training_data.intent_examples:
            vector = _sentence_vector(example)
            if vector is None:
                continue
            rows.append(vector)
            wanted = set(categories_of_intent(example.get(INTENT)))
            labels.append([1 if code in wanted else 0 for code in CATEGORIES])
        if not rows:
            logger.warning("No featurised training examples: worry categories stay untrained.")
            return self._resource
        features = scipy.sparse.vstack(rows).tocsr()
        targets = np.array(labels)
        weights = np.zeros((len(CATEGORIES), features.shape[1]))
        intercepts = np.zeros(len(CATEGORIES))
        for index, code in enumerate(CATEGORIES):
            column = targets[:, index]
            if column.min() == column.max():
                logger.warning("Category %s has no positive (or no negative) examples.", code)
                intercepts[index] = -10.0 if column.max() == 0 else 10.0
                continue
            model = LogisticRegression(
                C=float(self._config["regularisation_c"]),
                class_weight="balanced",
                max_iter=2000,
                solver="liblinear",
                random_state=int(self._config["random_seed"]),
            )
            model.fit(features, column)
            weights[index] = model.coef_[0]
            intercepts[index] = model.intercept_[0]
        self._weights, self._intercepts = weights, intercepts
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self._weights is None or self._intercepts is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, weights=self._weights, intercepts=self._intercepts)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> WorryCategoryClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                stored = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
                return cls(config, model_storage, resource, stored["weights"], stored["intercepts"])
        except (ValueError, FileNotFoundError):
            logger.warning("No trained worry-category weights found; categories come from DIET.")
            return cls(config, model_storage, resource)

    def _regression_scores(self, message: Message) -> dict[str, float]:
        vector = _sentence_vector(message)
        if vector is None or self._weights is None or self._intercepts is None:
            return {}
        if vector.shape[1] != self._weights.shape[1]:
            logger.warning("Feature size changed since training; retrain the model.")
            return {}
        logits = vector @ self._weights.T + self._intercepts
        probabilities = expit(np.asarray(logits).ravel())
        return {code: float(p) for code, p in zip(CATEGORIES, probabilities, strict=True)}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not message.get(TEXT):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            decision = decide(
                self._regression_scores(message),
                spread_ranking(ranking),
                lexicon_hits(message_reading(message)),
                self._policy,
            )
            message.set(
                WORRY_CATEGORIES_KEY,
                {"categories": decision.categories, "confidence": decision.confidence},
                add_to_output=True,
            )
            self._set_intent(message, decision.categories, decision.confidence)
        return messages

    @staticmethod
    def _set_intent(message: Message, categories: list[str], confidence: dict[str, float]) -> None:
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        if categories:
            top = max(confidence[code] for code in categories)
            intent = {INTENT_NAME_KEY: SHARE_WORRY_INTENT, PREDICTED_CONFIDENCE_KEY: top}
        elif categories_of_intent(current):
            # DIET guessed a worry the categories do not support: ask, don't route.
            top_confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
            intent = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: top_confidence,
            }
        else:
            return
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
