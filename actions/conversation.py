"""Yes, no, start over, and asking for a person: their meaning depends on the last question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, state_of
from bot.dialogue import on_affirm, on_deny, on_request_human, on_start_over
from bot.dialogue.sessions import EARLIER_WORDS_SLOT


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
        events = apply_turn(dispatcher, state, on_start_over())
        # Starting over forgets the state, not what was said: the words of the sessions before
        # (bot.dialogue.sessions) stay for a ticket, as this session's messages do.
        earlier = tracker.get_slot(EARLIER_WORDS_SLOT)
        return [*events, SlotSet(EARLIER_WORDS_SLOT, earlier)] if earlier else events
