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

A message of several sentences is also read sentence by sentence with the same regression
(``bot.nlu.segments``, ``add_sentence_worries``), so a worry buried in a long message is not
drowned by the others.

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
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.categories import (
    CATEGORIES,
    SHARE_WORRY_INTENT,
    WORRY_CATEGORIES_KEY,
    categories_of_intent,
)
from bot.nlu.category_regression import CategoryRegression, fit_category_regression
from bot.nlu.category_scoring import (
    ScoringPolicy,
    add_sentence_worries,
    decide,
    spread_ranking,
)
from bot.nlu.lexicon import lexicon_hits
from bot.nlu.reading import message_reading
from bot.nlu.reading_featurizer import SENTENCE_READING_FEATURES

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "worry_category_weights.npz"


def _sentence_vector(
    message: Message, sentence: Features | None = None
) -> scipy.sparse.csr_matrix | None:
    """The message's sentence-level sparse features from every featurizer, as one row.

    ``sentence``: those features when the caller already has them. Rasa stacks every
    featurizer's matrices anew (scipy ``hstack``) each time they are asked for, a few percent
    of a turn's CPU each time."""
    if sentence is None:
        _, sentence = message.get_sparse_features(TEXT)
    if sentence is None:
        return None
    return scipy.sparse.csr_matrix(sentence.features.tocsr()[-1])


def _sentence_vectors(message: Message, sequence: Features | None) -> list[scipy.sparse.csr_matrix]:
    """Each sentence of a message of several: its features, as the whole message's are built.

    The word columns of a sentence are the sum of its tokens' rows (word counts add up); the
    reading columns come from the reading featurizer, which builds them for each sentence the
    way it builds them for the message (n-grams across token boundaries included), so the one
    regression trained on whole examples reads a sentence as it would read a short message.
    """
    sentences = message.get(SENTENCE_READING_FEATURES) or []
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if not sentences or sequence is None or sequence.features.shape[0] != len(tokens):
        return []
    rows = sequence.features.tocsr()
    vectors = []
    for begin, end, reading_row in sentences:
        inside = [i for i, token in enumerate(tokens) if begin <= token.start < end]
        word_columns = rows.shape[1] - reading_row.shape[1]
        if not inside or word_columns < 0:
            continue
        words = scipy.sparse.csr_matrix(rows[inside, :word_columns].sum(axis=0))
        vector = scipy.sparse.hstack([words, reading_row]).tocsr()
        vectors.append(vector)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WorryCategoryClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "threshold": 0.5,
            "regression_weight": 0.6,
            "lexicon_floor": 0.55,
            "sentence_threshold": 0.6,
            "regularisation_c": 4.0,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        regression: CategoryRegression | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._regression = regression
        self._policy = ScoringPolicy(
            threshold=float(self._config["threshold"]),
            regression_weight=float(self._config["regression_weight"]),
            lexicon_floor=float(self._config["lexicon_floor"]),
            sentence_threshold=float(self._config["sentence_threshold"]),
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
        self._regression = fit_category_regression(
            scipy.sparse.vstack(rows).tocsr(),
            np.array(labels),
            c=float(self._config["regularisation_c"]),
            seed=int(self._config["random_seed"]),
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self._regression is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / WEIGHTS_FILE,
                weights=self._regression.weights,
                intercepts=self._regression.intercepts,
            )

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
                regression = CategoryRegression(stored["weights"], stored["intercepts"])
                return cls(config, model_storage, resource, regression)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained worry-category weights found; categories come from DIET.")
            return cls(config, model_storage, resource)

    def _scores(self, vector: scipy.sparse.csr_matrix | None) -> dict[str, float]:
        return self._regression.scores(vector) if self._regression is not None else {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not message.get(TEXT):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            sequence, sentence = message.get_sparse_features(TEXT)
            decision = decide(
                self._scores(_sentence_vector(message, sentence)),
                spread_ranking(ranking),
                lexicon_hits(message_reading(message)),
                self._policy,
            )
            parts = _sentence_vectors(message, sequence)
            if parts:
                decision = add_sentence_worries(
                    decision,
                    [self._scores(vector) for vector in parts],
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
