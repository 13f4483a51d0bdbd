"""Yes, no, start over, and asking for a person: their meaning depends on the last question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, state_of
from bot.dialogue import on_affirm, on_deny, on_request_human, on_start_over


class ActionHandleAffirm(Action):
    def name(self) -> str:
        return "action_handle_affirm"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_affirm(state, directory()))


class ActionHandleDeny(Action):
    def name(self) -> str:
        return "action_handle_deny"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_deny(state, directory()))


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_request_human(state, directory()))


class ActionStartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_start_over())
