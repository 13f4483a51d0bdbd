"""When a long conversation moves to a new Rasa session, and what it takes along.

Why: every turn reads the current session back from the tracker store, ships it to the action
server and lets the rule policy walk it, so a turn cost more the longer the conversation ran
(issue 11: messages 101–120 took 2.8 times as long as messages 1–20). Rasa bounds a session
only by time (``session_expiration_time``). Here a session also ends once it holds
``SESSION_MESSAGE_LIMIT`` messages of the resident, at the start of the next message and only
where nothing in flight needs the turns before: no form is running. No rule of this bot looks
at earlier actions, only at slots (tests/dialogue/test_session_length.py checks data/rules.yml), and
every slot is carried into the new session, so the resident notices nothing.

What the turns before are still needed for: a ticket shows staff the resident's own words, and
who the worry is about is read from the messages that told a worry. Those words are carried in
the ``earlier_words`` slot (the opening ones and the latest, ``EARLIER_WORDS_LIMIT`` in all), a
small list instead of every event of every turn.

Pure Python on event dictionaries (Rasa's ``as_dict`` form, which the action server receives),
so the Rasa server (``bot.runtime.sessions``) and the actions share one reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SESSION_MESSAGE_LIMIT = 20
#: Carried at most: the first ``OPENING_WORDS`` (how the worry was first told: the ticket's
#: one-line summary quotes it) and the latest of the rest, as many as a ticket shows.
EARLIER_WORDS_LIMIT = 50
OPENING_WORDS = 10
EARLIER_WORDS_SLOT = "earlier_words"


@dataclass(frozen=True)
class ResidentWords:
    """One message the resident typed (a button's payload is not typed)."""

    text: str
    at: float  # seconds since the epoch, as Rasa stamps events
    told_worry: bool  # the classifier found a worry category in it

    def as_slot_value(self) -> dict[str, Any]:
        return {"text": self.text, "at": self.at, "told_worry": self.told_worry}


def should_start_new_session(messages_in_session: int, active_loop: str | None) -> bool:
    """True when the session is long enough to end and no form is waiting for an answer."""
    return messages_in_session >= SESSION_MESSAGE_LIMIT and not active_loop


def current_session(events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """The events after the latest ``session_started`` (all of them when there is none).

    The tracker of the turn that starts a new session still holds the session before it.
    """
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1 :]
    return events


def _told_worry(event: Mapping[str, Any]) -> bool:
    parse = event.get("parse_data") or {}
    return bool((parse.get("worry_categories") or {}).get("categories"))


def typed_words(events: Iterable[Mapping[str, Any]]) -> list[ResidentWords]:
    """The resident's typed messages among ``events``, oldest first."""
    found = []
    for event in events:
        text = str(event.get("text") or "")
        if event.get("event") == "user" and text and not text.startswith("/"):
            at = float(event.get("timestamp") or 0)
            found.append(ResidentWords(text, at, _told_worry(event)))
    return found


def earlier_words(slot_value: Any) -> list[ResidentWords]:
    """The words carried from sessions before, read leniently (a slot can hold anything)."""
    if not isinstance(slot_value, list):
        return []
    words = []
    for item in slot_value:
        if isinstance(item, Mapping) and isinstance(item.get("text"), str) and item["text"]:
            try:
                at = float(item.get("at") or 0)
            except (TypeError, ValueError):
                at = 0.0
            words.append(ResidentWords(item["text"], at, bool(item.get("told_worry"))))
    return words


def words_to_carry(slot_value: Any, ending_session: Iterable[Mapping[str, Any]]) -> list[Any]:
    """The ``earlier_words`` slot's value for the next session: what it held, then the ending
    session's typed messages; past ``EARLIER_WORDS_LIMIT``, the opening ones and the latest."""
    words = earlier_words(slot_value) + typed_words(ending_session)
    if len(words) > EARLIER_WORDS_LIMIT:
        latest = EARLIER_WORDS_LIMIT - OPENING_WORDS
        words = words[:OPENING_WORDS] + words[-latest:]
    return [word.as_slot_value() for word in words]


def conversation_words(slot_value: Any, events: Sequence[Mapping[str, Any]]) -> list[ResidentWords]:
    """Everything the resident typed that is still known: carried words, then this session's."""
    return earlier_words(slot_value) + typed_words(current_session(events))
