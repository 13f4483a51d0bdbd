"""The ticket status lifecycle and priority rule, as data that staff documentation can quote.

Allowed transitions::

    new         → assigned, closed
    assigned    → in_progress, closed
    in_progress → referred, closed
    referred    → closed, in_progress
    closed      → in_progress   (reopen)

Why the extras beyond the straight line new → assigned → in_progress → referred → closed:

* ``new → closed`` and ``assigned → closed``: duplicates, tests and abandoned intakes must be
  closable without pretending someone worked on them (a note should say why).
* ``referred → in_progress``: the 多機関協働 meeting can hand the case back to the window.
* ``closed → in_progress`` (reopen): residents come back about the same worry; reopening keeps
  the history in one ticket instead of scattering it.

Every change is recorded in the event log, so the extra edges lose no accountability.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.tickets.domain import Priority, Status, Urgency
from bot.tickets.errors import InvalidTransition

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.CLOSED}),
    Status.ASSIGNED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.REFERRED, Status.CLOSED}),
    Status.REFERRED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

# Statuses in which (re)assignment is allowed; assigning a ``new`` ticket also moves it on.
ASSIGNABLE: frozenset[Status] = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS})


def check_transition(current: Status | str, requested: Status | str) -> Status:
    """Return the requested status, or raise ``InvalidTransition`` naming both ends."""
    try:
        current_status, requested_status = Status(current), Status(requested)
    except ValueError:
        raise InvalidTransition(str(current), str(requested)) from None
    if requested_status not in TRANSITIONS[current_status]:
        raise InvalidTransition(current_status.value, requested_status.value)
    return requested_status


def derive_priority(crisis: bool, urgency: Urgency | str | None) -> Priority:
    """urgent: crisis or 今日中; high: 今週中; normal: 急がない or not asked."""
    urgency = Urgency(urgency) if urgency else None
    if crisis or urgency is Urgency.TODAY:
        return Priority.URGENT
    if urgency is Urgency.THIS_WEEK:
        return Priority.HIGH
    return Priority.NORMAL


PRIORITY_RANK: Mapping[Priority, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}
