"""The crisis response: national lines first, then an offer to continue."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, latest_categories, latest_crisis_kind, now, state_of
from bot.dialogue import on_crisis

logger = logging.getLogger(__name__)


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        kind = latest_crisis_kind(tracker)
        # The conversation id only: the resident's words stay out of the logs.
        logger.warning("Crisis response sent (kind=%s) in %s", kind, tracker.sender_id)
        turn = on_crisis(
            state,
            latest_categories(tracker),
            kind,
            now(),
            during_intake=tracker.active_loop_name == "intake_form",
        )
        return apply_turn(dispatcher, state, turn)
