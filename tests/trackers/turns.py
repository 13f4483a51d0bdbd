"""A resident's turn as Rasa stores it, for the tracker-store tests: four events, numbered."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def add_turn(tracker: DialogueStateTracker, n: int) -> None:
    """「message n」 from the resident, an utterance, 「reply n」 and the wait for the next."""
    tracker.update(UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"reply {n}"))
    tracker.update(ActionExecuted("action_listen"))
