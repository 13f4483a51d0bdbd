"""Shared glue between rasa-sdk and ``bot.dialogue``: read the state, send a turn's replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import Button, ConversationState, Danger, Turn, city_message, read_state
from bot.directory import Directory, load_directory
from bot.nlu.categories import CRISIS_KEY, WORRY_CATEGORIES_KEY, canonical
from bot.settings import load_settings
from bot.tickets import Outbox, TicketStore


@lru_cache(maxsize=1)
def directory() -> Directory:
    """Loaded once per action-server process; a broken directory fails at the first use."""
    return load_directory(load_settings().cities_dir)


def now() -> datetime:
    return datetime.now(ZoneInfo(load_settings().timezone))


def state_of(tracker: Tracker) -> ConversationState:
    """The state, with the windows always the current city's (a city change re-routes them).

    Every action reads the state here, so no window, number or ticket of a city the resident
    corrected away from can reach them, whichever action answers the message.
    """
    return read_state(tracker.current_slot_values(), directory())


def latest_categories(tracker: Tracker) -> list[str]:
    """Categories of the latest message: from the classifier, or from a button's payload."""
    message: dict[str, Any] = tracker.latest_message or {}
    found = list((message.get(WORRY_CATEGORIES_KEY) or {}).get("categories") or [])
    found += [
        str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") == "category"
    ]
    return canonical(found)


def latest_danger(tracker: Tracker) -> Danger:
    """The kind of danger the NLU found in the latest message (suicide lines when unsure)."""
    return Danger.from_parse((tracker.latest_message or {}).get(CRISIS_KEY))


def apply_turn(
    dispatcher: CollectingDispatcher, before: ConversationState, turn: Turn
) -> list[EventType]:
    """Send the replies and return the slot events for whatever changed.

    An answer first tells the web page the conversation's city (``bot.dialogue.page_city``):
    first, so that the last message is still the one with the buttons.
    """
    page = city_message(turn.state, directory()) if turn.replies else None
    if page is not None:
        dispatcher.utter_message(json_message=page)
    for reply in turn.replies:
        send(dispatcher, reply.text, reply.buttons)
    # Starting over forgets the state but keeps the transcript (the conversation id stays).
    events: list[EventType] = [AllSlotsReset()] if turn.restart else []
    old_slots = ConversationState().as_slots() if turn.restart else before.stored_slots()
    for name, value in turn.state.as_slots().items():
        if old_slots.get(name) != value:
            events.append(SlotSet(name, value))
    return events


@lru_cache(maxsize=1)
def ticket_store() -> TicketStore:
    """One store (and connection pool) per action-server process."""
    return TicketStore.from_settings(load_settings())


def outbox() -> Outbox:
    return Outbox(load_settings().var_dir / "outbox")


def send(dispatcher: CollectingDispatcher, text: str, buttons: Sequence[Button] = ()) -> None:
    dispatcher.utter_message(text=text, buttons=[button.as_dict() for button in buttons])
