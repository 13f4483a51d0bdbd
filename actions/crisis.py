"""The crisis response (the lines for this kind of danger first) and resuming afterwards."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, latest_categories, latest_danger, now, state_of
from bot.dialogue import Danger, on_continue, on_crisis
from bot.intake.fields import HOUSEHOLD, NAME, SAFE_CONTACT

#: Questions whose answer is the resident's own words (so abuse words may be the answer).
FREE_TEXT_SLOTS = frozenset({SAFE_CONTACT.slot, HOUSEHOLD.slot, NAME.slot})

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
        if during_intake and _already_answered_abuse(state.crisis_kind, danger):
            # 「夫がいる夜は電話しないで」 answers the question; the lines were given already.
            return _as_answer(tracker)
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
        return apply_turn(dispatcher, state, turn)


def _already_answered_abuse(answered_kind: str | None, danger: Danger) -> bool:
    """Abuse words during the intake, after the abuse lines were given: not a new danger."""
    return answered_kind in ("abuse", "violence_now") and set(danger.kinds) <= {"abuse"}


def _as_answer(tracker: Tracker) -> list[EventType]:
    """Let the form read the message as the answer to the question it asked."""
    requested = tracker.get_slot("requested_slot")
    text = (tracker.latest_message or {}).get("text") or ""
    if requested in FREE_TEXT_SLOTS and text.strip():
        return [SlotSet(requested, text)]
    return []


class ActionContinueConsultation(Action):
    """「大丈夫です、続けます」「相談を続ける」: back to the pending worry or offer."""

    def name(self) -> str:
        return "action_continue_consultation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_continue(state, directory()))
