"""Action for a question about the windows just shown (土曜日も？ 電話番号は？)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, state_of
from bot.dialogue.window_questions import on_window_question

WINDOW_QUESTION_KEY = "window_question"  # set by bot.nlu.components.apply_window_question


def latest_facets(tracker: Tracker) -> list[str]:
    """The facets the NLU read in the latest message (none: the main facts are given)."""
    message: dict[str, Any] = tracker.latest_message or {}
    return [str(f) for f in (message.get(WINDOW_QUESTION_KEY) or {}).get("facets") or []]


def latest_days(tracker: Tracker) -> list[str]:
    """The days the latest question named (「土曜日も？」): answered yes or no first."""
    message: dict[str, Any] = tracker.latest_message or {}
    return [str(d) for d in (message.get(WINDOW_QUESTION_KEY) or {}).get("days") or []]


class ActionAnswerWindowQuestion(Action):
    def name(self) -> str:
        return "action_answer_window_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        turn = on_window_question(
            state, latest_facets(tracker), directory(), days=latest_days(tracker)
        )
        return apply_turn(dispatcher, state, turn)
