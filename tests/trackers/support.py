"""What the tracker-store tests share: a resident's turn as Rasa stores it, and a broker that
records what the store publishes."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def add_turn(tracker: DialogueStateTracker, n: int) -> None:
    """「message n」 from the resident, an utterance, 「reply n」 and the wait for the next."""
    tracker.update(UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"reply {n}"))
    tracker.update(ActionExecuted("action_listen"))


class RecordingBroker:
    """Records what the store publishes (the test's own broker: one call per batch)."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def publish_many(self, events: list[dict[str, Any]]) -> None:
        self.batches.append(list(events))

    def publish(self, event: dict[str, Any]) -> None:
        self.batches.append([event])
