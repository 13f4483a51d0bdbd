"""Real rasa-sdk trackers for action tests, built the way the action server receives them."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SLOT_DEFAULTS: dict[str, Any] = {
    "city": None,
    "worries": None,
    "pending_categories": None,
    "routed_windows": None,
    "awaiting": None,
    "fallback_count": 0.0,
    "crisis_detected": False,
}


def make_tracker(
    text: str,
    intent: str,
    *,
    slots: dict[str, Any] | None = None,
    categories: list[str] | None = None,
    entities: list[dict[str, Any]] | None = None,
    crisis: dict[str, Any] | None = None,
    history: list[str] | None = None,
    input_channel: str = "rest",
    requested_slot: str | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest_message: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "worry_categories": {"categories": categories or [], "confidence": {}},
        "crisis": crisis or {"detected": False, "kind": None, "source": None},
    }
    events = [
        {"event": "user", "text": earlier, "timestamp": 1_790_000_000.0 + i, "parse_data": {}}
        for i, earlier in enumerate(history or [])
    ]
    events.append(
        {
            "event": "user",
            "text": text,
            "timestamp": 1_790_000_100.0,
            "parse_data": latest_message,
            "input_channel": input_channel,
        }
    )
    all_slots = {**SLOT_DEFAULTS, **(slots or {})}
    if requested_slot:
        all_slots["requested_slot"] = requested_slot
    return Tracker(
        sender_id="test-resident",
        slots=all_slots,
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
