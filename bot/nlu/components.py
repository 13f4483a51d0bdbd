"""Rasa component around the city rule layer.

It runs after the statistical classifiers so that its decision is final: a city is only ever
one of the four codes (or ``other``), never a guess from the model. The crisis decision has its
own component (``bot.nlu.crisis_component``).

A message that names a city and says nothing the dialogue answers otherwise (a greeting,
「いいえ」, a message the model could not place) is read as ``inform_city``: 「市をまちがえました、
益田です」 is a change of city, and the dialogue re-routes every worry there (see
``bot.dialogue.city_change``) instead of greeting the resident again.

The same component reads a wish to stop (「やめます」, ``bot.nlu.stop_rules``) as ``stop``, and
questions about the window just shown (「土曜日も？」「電話番号は？」)
as ``ask_window_info``, the facets under ``window_question`` (``bot.nlu.window_question_rules``).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.categories import CRISIS_INTENT, SHARE_WORRY_INTENT, WORRY_CATEGORIES_KEY
from bot.nlu.city_rules import detect_city_answer, detect_city_correction, find_city
from bot.nlu.stop_rules import is_stop_request
from bot.nlu.window_question_rules import detect_window_question

logger = logging.getLogger(__name__)

CITY_ENTITY = "city"
INFORM_CITY_INTENT = "inform_city"
#: Intents whose message, when it names a city, is about the city. Not here: worries, a crisis,
#: starting over, continuing, asking for a person, correcting the intake, and 「はい」 (at the
#: contact offer it starts the intake; the dialogue follows the new city there as well).
CITY_OVERRIDES_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "deny",
        "change_city",
        "inform",
        "nlu_fallback",
        "out_of_scope",
        "bot_challenge",
        "add_worry",
        "decline_answer",
    }
)

#: Wanting to stop (「やめます」「キャンセル」): in the intake form it ends the form instead of
#: being saved as an answer (``bot.nlu.stop_rules``); elsewhere it is taken like 「いいえ」.
STOP_INTENT = "stop"

WINDOW_QUESTION_INTENT = "ask_window_info"
#: Parse key for the facets asked ({"facets": [...]}); read by actions/window_questions.py.
WINDOW_QUESTION_KEY = "window_question"
#: Intents a question about a window never replaces: a crisis (always answered first), the
#: intake's answers (「夜なら大丈夫」 answers "when may we call?"), asking for a person,
#: starting over, correcting the intake. A worry is replaced only when the question points at
#: the window (「子育ての窓口は何時まで？」), see ``apply_window_question``.
WINDOW_QUESTION_KEEPS = frozenset(
    {
        CRISIS_INTENT,
        "inform",
        "request_human",
        "start_over",
        "correct_intake",
        "correct_field",
        "continue_consultation",
    }
)


class _StatelessComponent(GraphComponent):
    """Rule components have nothing to learn; training passes the data through."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _StatelessComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CityEntityExtractor(_StatelessComponent, EntityExtractorMixin):
    """Adds a ``city`` entity (ube, masuda, kurume, fuji or other) from the rule layer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Bare answers (「うべ」「その他」) are only trusted in short replies to the city question.
        return {"max_answer_length": 12}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entity = self._city_entity(message, text)
            if entity is None:
                _no_city_no_inform_city(message)
                continue
            entities = [
                e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != CITY_ENTITY
            ]
            entities.append(entity)
            message.set(ENTITIES, entities, add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) in CITY_OVERRIDES_INTENTS:
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: INFORM_CITY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                    add_to_output=True,
                )
        for message in messages:
            apply_stop_request(message)
            apply_window_question(message)
        return messages

    def _city_entity(self, message: Message, text: str) -> dict[str, Any] | None:
        corrected = detect_city_correction(text)
        if corrected is not None:
            return self._entity(corrected, 0, len(text))
        mention = find_city(text)
        if mention is not None:
            return self._entity(mention.code, mention.start, mention.end)
        stripped = text.strip()
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        short_answer = len(stripped) <= int(self._config["max_answer_length"])
        if stripped and (short_answer or intent == INFORM_CITY_INTENT):
            code = detect_city_answer(stripped)
            if code is not None:
                start = text.index(stripped)
                return self._entity(code, start, start + len(stripped))
        return None

    @staticmethod
    def _entity(code: str, start: int, end: int) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: CITY_ENTITY,
            ENTITY_ATTRIBUTE_VALUE: code,
            ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end,
            PREDICTED_CONFIDENCE_KEY: 1.0,
            EXTRACTOR: CityEntityExtractor.__name__,
        }


def _no_city_no_inform_city(message: Message) -> None:
    """The model's 「市の答え」 without any city the rules can read is a guess, not an answer.

    DIET puts text it has no features for (「😭」「🙏」「asdf」) on ``inform_city`` at just over
    the fallback threshold; the resident was then asked to choose their city again. Without a
    city there is nothing to inform: ask what is wrong instead (``nlu_fallback``).
    """
    if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != INFORM_CITY_INTENT:
        return
    message.set(
        INTENT,
        {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 0.0},
        add_to_output=True,
    )


def apply_stop_request(message: Message) -> None:
    """Read a short 「やめます」「キャンセルで」 as ``stop`` (never over a crisis or a worry)."""
    if not is_stop_request(message.get(TEXT) or ""):
        return
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if intent == CRISIS_INTENT or (message.get(WORRY_CATEGORIES_KEY) or {}).get("categories"):
        return
    message.set(
        INTENT, {INTENT_NAME_KEY: STOP_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True
    )


def apply_window_question(message: Message) -> None:
    """Read a question about the window just shown as ``ask_window_info`` with its facets.

    It rides on the city rule component (already in the pipeline, after the worry classifier
    and before the crisis component), so a crisis found later still wins and config.yml stays
    as it is. The facets (hours, phone, address, booking, bring, cityhall) go under the parse
    key ``window_question``, not as entities: story tests then need no annotation, and a city
    named in the same question stays as its entity.
    """
    text = message.get(TEXT) or ""
    question = detect_window_question(text)
    if question is None:
        return
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if intent in WINDOW_QUESTION_KEEPS:
        return
    worries = (message.get(WORRY_CATEGORIES_KEY) or {}).get("categories") or []
    if (intent == SHARE_WORRY_INTENT or worries) and not question.refers_to_window:
        return
    message.set(
        WINDOW_QUESTION_KEY,
        {"facets": list(question.facets), "days": list(question.days)},
        add_to_output=True,
    )
    message.set(
        INTENT,
        {INTENT_NAME_KEY: WINDOW_QUESTION_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
        add_to_output=True,
    )
