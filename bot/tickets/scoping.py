"""Who may see which ticket, as SQL conditions.

"No one sees another city's tickets": every role is confined to its city, window staff further
to tickets routed to their window. Scoping is applied in the query itself (not after loading),
so pagination, counts and "not found" all agree with what the viewer may see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from bot.tickets.domain import Role, User
from bot.tickets.schema import TicketRow


def json_list_contains(column: Any, value: str, dialect_name: str) -> Any:
    """``value in column`` for a JSON list column, on PostgreSQL (jsonb @>) and SQLite."""
    if dialect_name == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    items = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(items).where(items.c.value == value))


def visible_to(viewer: User, dialect_name: str) -> Any:
    """Condition on ``TicketRow`` that is true exactly for tickets the viewer may see."""
    if viewer.disabled:
        return false()
    same_city = TicketRow.city == viewer.city
    if viewer.role in (Role.COORDINATOR, Role.ADMIN):
        return same_city
    if viewer.role is Role.STAFF and viewer.window_id:
        return and_(
            same_city, json_list_contains(TicketRow.window_ids, viewer.window_id, dialect_name)
        )
    return false()


def can_see(viewer: User, city: str, window_ids: tuple[str, ...]) -> bool:
    """The same rule in Python, for checks on an already-loaded ticket (e.g. assignees)."""
    if viewer.disabled or viewer.city != city:
        return False
    if viewer.role in (Role.COORDINATOR, Role.ADMIN):
        return True
    return viewer.role is Role.STAFF and viewer.window_id in window_ids
