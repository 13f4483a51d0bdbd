"""Ticket list filters from query parameters, shared by the queue page and the JSON API.

The page is forgiving (an unknown value is ignored, the select shows 「すべて」); the API is
strict (400) because a client with a typo should learn about it instead of receiving every
ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.tickets import Priority, Status

OPEN = "open"  # every status but closed: the default working queue
ALL = "all"
STATUS_CHOICES = (OPEN, ALL, *(s.value for s in Status))
OPEN_STATUSES = tuple(s.value for s in Status if s is not Status.CLOSED)


class FilterError(ValueError):
    """A query parameter has a value the store does not know."""


@dataclass(frozen=True)
class TicketFilters:
    status: str = OPEN  # one of STATUS_CHOICES
    priority: str | None = None
    category: str | None = None
    window: str | None = None

    def store_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``TicketStore.list`` / ``count``."""
        status: str | tuple[str, ...] | None
        if self.status == OPEN:
            status = OPEN_STATUSES
        elif self.status == ALL:
            status = None
        else:
            status = self.status
        return {
            "status": status,
            "priority": self.priority,
            "category": self.category,
            "window": self.window,
        }

    def query(self) -> dict[str, str]:
        """Non-default values, to rebuild links (pagination) with the same filters."""
        values = {
            "status": self.status if self.status != OPEN else None,
            "priority": self.priority,
            "category": self.category,
            "window": self.window,
        }
        return {k: v for k, v in values.items() if v}


def parse_filters(
    query: Mapping[str, str], *, strict: bool, default_status: str = OPEN
) -> TicketFilters:
    """Read ``status``, ``priority``, ``category`` and ``window``; see the module docstring."""

    def pick(name: str, allowed: tuple[str, ...] | None) -> str | None:
        value = (query.get(name) or "").strip()
        if not value:
            return None
        if allowed is not None and value not in allowed:
            if strict:
                raise FilterError(f"{name}: unknown value {value!r}")
            return None
        return value[:200]

    status = pick("status", STATUS_CHOICES) or default_status
    return TicketFilters(
        status=status,
        priority=pick("priority", tuple(p.value for p in Priority)),
        # Categories and windows are free-form codes: an unknown one simply matches nothing.
        category=pick("category", None),
        window=pick("window", None),
    )
