"""Reading a conversation back gives the same events with the event-class table installed:
every type name Rasa knows resolves to the class Rasa's own walk gives, unknown names still
fail or take the default, and the Rasa process gets the table with its tracker store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.utils.common import all_subclasses

from bot.privacy.logs import uninstall
from bot.runtime.event_types import (
    install_event_type_table,
    rasa_resolve,
    resolve_by_type,
    uninstall_event_type_table,
)


@pytest.fixture
def table() -> Iterator[None]:
    install_event_type_table()
    try:
        yield
    finally:
        uninstall_event_type_table()


def test_every_known_type_name_resolves_as_rasa_resolves_it(table) -> None:
    """Same class for every event type Rasa defines (first match in Rasa's order)."""
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is rasa_resolve(name), name


def test_unknown_names_fail_or_take_the_default_as_before(table) -> None:
    """An unknown name raises, or gives the default; the old "topic" gives None."""
    with pytest.raises(ValueError):
        resolve_by_type("no_such_event")
    assert resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert resolve_by_type("topic") is None


def test_a_stored_conversation_reads_back_the_same(table) -> None:
    """Serialised events come back as the same events."""
    events = [UserUttered("家賃が払えない", {"name": "share_worry"}), SlotSet("city", "ube")]
    assert deserialise_events([e.as_dict() for e in events]) == events


def test_building_the_tracker_store_installs_it(tmp_path) -> None:
    """The Rasa process gets the table as soon as it builds its tracker store."""
    from bot.trackers.store import PrivateSQLTrackerStore

    uninstall_event_type_table()
    assert Event.__dict__["resolve_by_type"].__func__ is not resolve_by_type
    store = PrivateSQLTrackerStore(host=f"sqlite:///{tmp_path / 'trackers.sqlite3'}")
    try:
        assert Event.__dict__["resolve_by_type"].__func__ is resolve_by_type
    finally:
        store.engine.dispose()
        uninstall()
        uninstall_event_type_table()
