"""Rasa's lookup of an event class by its type name, from a table instead of a class walk.

Why: Rasa 3.6 rebuilds the list of every ``Event`` subclass (recursively, with an
``inspect.isabstract`` check each) for every event it reads (``Event.resolve_by_type``). A
turn reads the whole conversation back from the tracker store, so late in a long conversation
this walk was a quarter of the Rasa process's CPU (py-spy at turn 100+, issue 11). The table
gives the same class for the same name — the first subclass in Rasa's own walk order — and is
rebuilt when a name is missing (a subclass imported later), so the answer never differs.

Installed by ``bot.trackers.store.PrivateSQLTrackerStore`` with the other ``bot.runtime``
changes; idempotent.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_RASA_RESOLVE = Event.__dict__["resolve_by_type"]
_table: dict[str, type[Event]] = {}


def _rebuild() -> None:
    table: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    _table.clear()
    _table.update(table)


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """What ``Event.resolve_by_type`` returns, from the table."""
    found = _table.get(type_name)
    if found is None:
        _rebuild()
        found = _table.get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install_event_type_table() -> None:
    """Make every event this process reads resolve its class from the table."""
    Event.resolve_by_type = staticmethod(resolve_by_type)


def uninstall_event_type_table() -> None:
    """Rasa's own walk again (tests share their process with other tests)."""
    Event.resolve_by_type = _RASA_RESOLVE


def rasa_resolve(type_name: str, default: Any = None) -> Any:
    """Rasa's own answer, for comparing (tests)."""
    return _RASA_RESOLVE.__func__(type_name, default)
