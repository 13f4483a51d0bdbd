"""A long conversation moves to a new session before its next message (``bot.dialogue.sessions``
says when and why).

Rasa checks the session at the start of every message (``MessageProcessor.
_update_tracker_session``, which runs ``action_session_start`` once a session has expired by
time). After that check, this one appends what Rasa's own session start appends when it
carries slots over — ``session_started``, the slots, ``action_listen`` — with two differences:
each slot is carried once with its current value (Rasa repeats every ``slot`` event of the old
session), and ``earlier_words`` gains the ending session's typed messages. The tracker store
then reads only the new session back (``SQLTrackerStore`` starts at the latest
``session_started``), so the next turns cost what a conversation's first turns cost.

No custom action is involved: the action server being down (tests/faults) must not stop it.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.sessions import EARLIER_WORDS_SLOT, should_start_new_session, words_to_carry

_RASA_UPDATE_TRACKER_SESSION = MessageProcessor._update_tracker_session


def new_session_events(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """The events that start a new session carrying this one's state; none while the
    session is short or a form is running."""
    # Every message passes here: count on the events themselves, and turn the session into
    # dictionaries only when it ends.
    events = list(tracker.events)
    start = next(
        (i + 1 for i in range(len(events) - 1, -1, -1) if isinstance(events[i], SessionStarted)),
        0,
    )
    messages = sum(isinstance(event, UserUttered) for event in events[start:])
    if not should_start_new_session(messages, tracker.active_loop_name):
        return []
    session = [event.as_dict() for event in events[start:]]
    # Stamped in order: the tracker store reads a session from its start's timestamp on, so
    # nothing carried may be older than the session_started it follows.
    started = SessionStarted()
    carried: list[Event] = [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if name != EARLIER_WORDS_SLOT and slot.value != slot.initial_value
    ]
    if any(slot.name == EARLIER_WORDS_SLOT for slot in domain.slots):
        words = words_to_carry(tracker.get_slot(EARLIER_WORDS_SLOT), session)
        carried.append(SlotSet(EARLIER_WORDS_SLOT, words))
    return [started, *carried, ActionExecuted(ACTION_LISTEN_NAME)]


async def _update_tracker_session(
    self: MessageProcessor,
    tracker: DialogueStateTracker,
    output_channel: OutputChannel,
    metadata: dict[str, Any] | None = None,
) -> None:
    await _RASA_UPDATE_TRACKER_SESSION(self, tracker, output_channel, metadata)
    for event in new_session_events(tracker, self.domain):
        tracker.update(event, self.domain)


def install_session_length_limit() -> None:
    """Start a new session in long conversations (see the module docstring)."""
    MessageProcessor._update_tracker_session = _update_tracker_session


def uninstall_session_length_limit() -> None:
    """Rasa's own session check again (tests share their process with other tests)."""
    MessageProcessor._update_tracker_session = _RASA_UPDATE_TRACKER_SESSION
