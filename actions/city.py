"""Actions for the resident's city: set it (re-routing any waiting worries) or ask again."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, state_of
from bot.dialogue import on_ask_city, on_city


class ActionSetCity(Action):
    def name(self) -> str:
        return "action_set_city"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        named = next(tracker.get_latest_entity_values("city"), None)
        state = state_of(tracker)
        # The slot may already hold the new city (from_entity mapping); the turn needs the
        # state as it was before this message to know whether the city changed.
        before = state.evolve(city=None) if named else state
        turn = on_city(before, named, directory())
        return apply_turn(dispatcher, state, turn)


class ActionAskCity(Action):
    def name(self) -> str:
        return "action_ask_city"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_ask_city(state))
