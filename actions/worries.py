"""Actions for a worry: route it, ask when the bot could not tell what it was, and show the
rest of a phone-sized answer (「くわしく」「ほかの窓口」, ``bot.dialogue.answer_shape``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, latest_categories, send, state_of
from bot.dialogue import on_fallback, on_worry
from bot.dialogue.answer_shape import on_more_detail, on_other_windows
from bot.dialogue.state import AWAITING_INTAKE_CONFIRM
from bot.intake import questions


class ActionRouteWorry(Action):
    def name(self) -> str:
        return "action_route_worry"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(
            dispatcher, state, on_worry(state, latest_categories(tracker), directory())
        )


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        if state.awaiting == AWAITING_INTAKE_CONFIRM:
            # 「おくって」 at the summary: asking about worries again dropped the whole intake,
            # unsent and unsaid. The summary's question stays open, with its buttons.
            send(dispatcher, questions.CONFIRM_UNCLEAR, questions.CONFIRM_BUTTONS)
            return []
        return apply_turn(dispatcher, state, on_fallback(state, directory()))


class ActionShowMoreDetail(Action):
    def name(self) -> str:
        return "action_show_more_detail"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_more_detail(state, directory()))


class ActionShowOtherWindows(Action):
    def name(self) -> str:
        return "action_show_other_windows"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_other_windows(state, directory()))
