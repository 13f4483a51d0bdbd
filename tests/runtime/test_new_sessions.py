"""A long conversation moves to a new session in the Rasa server: the slots (city, worries,
what the bot waits for) go along, the words a ticket needs go along, and reading the
conversation back costs what a short one costs (only the new session is read)."""

from __future__ import annotations

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.sessions import EARLIER_WORDS_SLOT, SESSION_MESSAGE_LIMIT
from bot.privacy.logs import uninstall
from bot.runtime.sessions import (
    new_session_events,
    uninstall_session_length_limit,
)
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _worry_turn(tracker: DialogueStateTracker, domain: Domain, n: int) -> None:
    parse = {
        "intent": {"name": "share_worry", "confidence": 1.0},
        "worry_categories": {"categories": ["housing"] if n == 0 else []},
    }
    # Stamped now, as Rasa stamps them: the store reads a session from its start's timestamp on.
    tracker.update(UserUttered(f"message {n}", parse_data=parse), domain)
    tracker.update(ActionExecuted("action_route_worry"), domain)
    tracker.update(BotUttered(f"reply {n}"), domain)
    tracker.update(ActionExecuted("action_listen"), domain)


def _long_conversation(domain: Domain, messages: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("long-resident", domain.slots)
    tracker.update(SessionStarted(), domain)
    tracker.update(ActionExecuted("action_listen"), domain)
    for n in range(messages):
        _worry_turn(tracker, domain, n)
        if n == 0:
            tracker.update(SlotSet("city", "ube"), domain)
            tracker.update(SlotSet("worries", ["housing"]), domain)
            tracker.update(SlotSet("awaiting", "handoff_offer"), domain)
    return tracker


def test_a_short_conversation_keeps_its_session(domain) -> None:
    tracker = _long_conversation(domain, SESSION_MESSAGE_LIMIT - 1)
    assert new_session_events(tracker, domain) == []


def test_a_running_form_keeps_its_session(domain) -> None:
    """In the middle of the intake questions the form's own turns matter: no new session."""
    tracker = _long_conversation(domain, SESSION_MESSAGE_LIMIT + 3)
    tracker.update(ActiveLoop("intake_form"), domain)
    assert new_session_events(tracker, domain) == []


def test_a_long_conversation_moves_on_with_its_state_and_words(domain) -> None:
    """After the new session the tracker holds the same city, worries and awaited answer,
    once each, and the resident's words for the ticket."""
    tracker = _long_conversation(domain, SESSION_MESSAGE_LIMIT)
    events = new_session_events(tracker, domain)
    assert isinstance(events[0], SessionStarted)
    assert events[-1] == ActionExecuted("action_listen")
    for event in events:
        tracker.update(event, domain)
    assert tracker.get_slot("city") == "ube"
    assert tracker.get_slot("worries") == ["housing"]
    assert tracker.get_slot("awaiting") == "handoff_offer"
    words = tracker.get_slot(EARLIER_WORDS_SLOT)
    assert [w["text"] for w in words] == [f"message {n}" for n in range(SESSION_MESSAGE_LIMIT)]
    assert words[0]["told_worry"] and not words[1]["told_worry"]
    assert len([e for e in events if isinstance(e, SlotSet) and e.key == "city"]) == 1
    # The new session is short again: the next message does not start another one.
    _worry_turn(tracker, domain, 99)
    assert new_session_events(tracker, domain) == []


async def test_only_the_new_session_is_read_back(tmp_path, domain) -> None:
    """What every later turn pays for: the stored conversation read back holds the new
    session only, with its slots."""
    from bot.trackers.store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.sqlite3'}")
    try:
        tracker = _long_conversation(domain, SESSION_MESSAGE_LIMIT)
        await store.save(tracker)
        for event in new_session_events(tracker, domain):
            tracker.update(event, domain)
        _worry_turn(tracker, domain, 99)
        await store.save(tracker)
        read = await store.retrieve("long-resident")
    finally:
        store.engine.dispose()
        uninstall()
    assert read is not None
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["message 99"]
    assert read.get_slot("city") == "ube"
    assert len(read.get_slot(EARLIER_WORDS_SLOT)) == SESSION_MESSAGE_LIMIT


def test_building_the_tracker_store_installs_the_check(tmp_path) -> None:
    """The Rasa process checks the length from its first message (the e2e test in
    tests/e2e/test_rest_to_console.py runs a long conversation through the real server)."""
    from bot.trackers.store import PrivateSQLTrackerStore

    uninstall_session_length_limit()
    rasa_check = MessageProcessor._update_tracker_session
    store = PrivateSQLTrackerStore(host=f"sqlite:///{tmp_path / 'trackers.sqlite3'}")
    try:
        assert MessageProcessor._update_tracker_session is not rasa_check
    finally:
        store.engine.dispose()
        uninstall()
        uninstall_session_length_limit()
    assert MessageProcessor._update_tracker_session is rasa_check
