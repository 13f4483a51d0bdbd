"""The crisis response (the lines for this kind of danger first) and resuming afterwards."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, latest_categories, latest_danger, now, state_of
from bot.dialogue import on_continue, on_crisis
from bot.intake.safety import abuse_words_answer_the_question

logger = logging.getLogger(__name__)


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        danger = latest_danger(tracker)
        during_intake = tracker.active_loop_name == "intake_form"
        requested = tracker.get_slot("requested_slot")
        answer: list[EventType] = []
        if during_intake and abuse_words_answer_the_question(requested, danger.kinds):
            # 「夫がいる夜は電話しないで」 answers the open question; the abuse lines are sent
            # only if this conversation has not had them yet.
            answer = _as_answer(tracker, requested)
            if state.crisis_kind in ("abuse", "violence_now"):
                return answer
        # The kind only: the resident's words and ids stay out of the logs.
        logger.warning("Crisis response sent (kind=%s, about=%s)", danger.kind, danger.about)
        turn = on_crisis(
            state,
            latest_categories(tracker),
            danger,
            now(),
            directory(),
            during_intake=during_intake,
        )
        return [*apply_turn(dispatcher, state, turn), *answer]


def _as_answer(tracker: Tracker, requested: str) -> list[EventType]:
    """Let the form read the message as the answer to the question it asked."""
    text = (tracker.latest_message or {}).get("text") or ""
    return [SlotSet(requested, text)] if text.strip() else []


class ActionContinueConsultation(Action):
    """「大丈夫です、続けます」「相談を続ける」: back to the pending worry or offer."""

    def name(self) -> str:
        return "action_continue_consultation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_continue(state, directory()))
