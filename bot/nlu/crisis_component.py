"""Rasa component: the crisis decision (rules + dedicated classifier + abuse_dv worries).

It runs last in the NLU pipeline, so its decision is final: when it finds danger the intent
becomes ``crisis`` whatever DIET thought, and the parse result carries ``crisis`` (see
``CrisisAssessment.as_dict``) for the actions, ``intake classify`` and the ticket's urgency.

The classifier trains inside ``rasa train`` from its own files (``data/crisis/``) and the bot's
NLU data; ``fingerprint_addon`` hashes those files so a change to them retrains it. When the
model is missing (an old model archive), the rules and the abuse_dv category still decide: the
crisis answer never depends on the model alone, and never on it being present.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.categories import CRISIS_INTENT, CRISIS_KEY, WORRY_CATEGORIES_KEY
from bot.nlu.crisis_data import fingerprint, training_cases
from bot.nlu.crisis_detection import DEFAULT_THRESHOLD, assess
from bot.nlu.crisis_model import CrisisModel, Embedder
from bot.nlu.crisis_rules import find_crises
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

MODEL_FILE = "crisis_model.npz"


def _embedder(enabled: bool) -> Embedder | None:
    if not enabled:
        return None
    from bot.nlu.crisis_embedding import embed

    return embed


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CrisisClassifier(GraphComponent, IntentClassifier):
    """Makes ``crisis`` the intent when the rules, the model or an abuse_dv worry say danger."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "training_dir": "data/crisis",
            "nlu_dir": "data/nlu",
            "threshold": DEFAULT_THRESHOLD,
            "embeddings": False,
            "alpha": 1e-5,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: CrisisModel | None = None,
    ) -> None:
        self._config = self._merged(config)
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def _merged(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {**cls.get_default_config(), **config}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        merged = cls._merged(config)
        return fingerprint([_resolve(merged["training_dir"]), _resolve(merged["nlu_dir"])])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        cases = training_cases(
            _resolve(self._config["training_dir"]), _resolve(self._config["nlu_dir"])
        )
        model = CrisisModel(
            _embedder(bool(self._config["embeddings"])),
            alpha=float(self._config["alpha"]),
        )
        model.fit(
            [case.text for case in cases],
            [case.kind for case in cases],
            [case.about for case in cases],
            [case.victim for case in cases],
            seed=int(self._config["random_seed"]),
        )
        logger.info("Crisis classifier trained on %d examples", len(cases))
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            model.save(directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisClassifier:
        merged = cls._merged(config)
        try:
            with model_storage.read_from(resource) as directory:
                model = CrisisModel.load(
                    directory / MODEL_FILE, _embedder(bool(merged["embeddings"]))
                )
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("No trained crisis classifier found: rules and categories decide.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        texts = [message.get(TEXT) or "" for message in messages]
        wanted = [i for i, text in enumerate(texts) if text.strip()]
        predictions = (
            self._model.predict([texts[i] for i in wanted])
            if self._model is not None and wanted
            else []
        )
        by_index = dict(zip(wanted, predictions, strict=False))
        for index in wanted:
            message, text = messages[index], texts[index]
            categories = (message.get(WORRY_CATEGORIES_KEY) or {}).get("categories") or []
            decision = assess(
                text,
                find_crises(text),
                by_index.get(index),
                categories,
                threshold=float(self._config["threshold"]),
            )
            message.set(CRISIS_KEY, decision.as_dict(), add_to_output=True)
            current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if decision.detected:
                intent = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [
                    r
                    for r in message.get(INTENT_RANKING_KEY) or []
                    if r.get(INTENT_NAME_KEY) != CRISIS_INTENT
                ]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            elif current == CRISIS_INTENT:
                # DIET leaned to crisis but neither rules nor the crisis model agree: ask.
                intent = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 0.0}
                message.set(INTENT, intent, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
