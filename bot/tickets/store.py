"""The ticket store used by the Rasa actions (creation) and the staff console (everything else).

Every method opens its own short transaction and returns detached dataclasses, so callers never
hold a session. ``TicketStore`` is assembled from one module per job, and is the only name
callers need:

* ``users.UserStore`` — staff accounts and API tokens;
* ``creation.TicketCreation`` — ``create_ticket`` (the bot, the outbox drainer);
* ``workflow.TicketWorkflow`` — assign, change_status, refer, add_note, record_line_message,
  correct_field, clear_review (the console);
* this module — construction from settings and reading: get, count, events, list.

Staff actions take the acting ``User`` as ``by`` and are refused with ``TicketNotFound``
outside the user's scope; plain strings (``"bot"``, ``"system"``) are for trusted callers and
are recorded as given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.tickets.creation import TicketCreation
from bot.tickets.domain import Status, Ticket, TicketEvent, User
from bot.tickets.references import normalize_reference
from bot.tickets.review import DEFAULT_THRESHOLD, effective_priority_rank, priority_filter
from bot.tickets.rows import event_from_row, ticket_from_row
from bot.tickets.schema import TicketEventRow, TicketRow
from bot.tickets.scoping import json_list_contains, visible_to
from bot.tickets.workflow import TicketWorkflow

MAX_LIST_LIMIT = 500


class TicketStore(TicketCreation, TicketWorkflow):
    """Tickets, their event log, and (inherited) staff users and API tokens."""

    def __init__(
        self,
        engine_or_url: Engine | str,
        *,
        timezone: str = "Asia/Tokyo",
        clock: Callable[[], datetime] | None = None,
        review_threshold: int = DEFAULT_THRESHOLD,
    ) -> None:
        super().__init__(engine_or_url, clock=clock)
        self.timezone = timezone  # decides the reference year (settings.timezone)
        # Tickets per sender per 24 hours before the next one is marked (review.py).
        self.review_threshold = review_threshold

    @classmethod
    def from_settings(cls, settings: Settings) -> TicketStore:
        """The store every process builds: database, reference time zone, review threshold."""
        return cls(
            settings.database_url,
            timezone=settings.timezone,
            review_threshold=settings.review_tickets_per_day,
        )

    # --- reading (the console) ------------------------------------------------------------

    def get(self, reference: str, viewer: User) -> Ticket | None:
        """The ticket if the viewer may see it; None if absent *or* out of scope."""
        stmt = select(TicketRow).where(
            TicketRow.reference == normalize_reference(reference),
            visible_to(viewer, self.dialect),
        )
        with self.session() as session:
            row = session.execute(stmt).scalars().first()
            return ticket_from_row(row) if row else None

    def count(
        self,
        viewer: User,
        status: str | Iterable[str] | None = None,
        priority: str | None = None,
        category: str | None = None,
        window: str | None = None,
    ) -> int:
        """Number of tickets ``list`` would page through with the same filters."""
        stmt = select(func.count()).select_from(TicketRow)
        stmt = stmt.where(*self._filters(viewer, status, priority, category, window))
        with self.session() as session:
            return int(session.execute(stmt).scalar_one())

    def events(self, reference: str, viewer: User | None = None) -> Sequence[TicketEvent]:
        """The ticket's event log, oldest first; with a viewer, empty when out of scope."""
        reference = normalize_reference(reference)
        stmt = (
            select(TicketEventRow)
            .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
            .where(TicketRow.reference == reference)
            .order_by(TicketEventRow.id)
        )
        if viewer is not None:
            stmt = stmt.where(visible_to(viewer, self.dialect))
        with self.session() as session:
            return [event_from_row(row, reference) for row in session.execute(stmt).scalars()]

    # --- listing (defined last: the name shadows the builtin in the class body) -----------

    def list(
        self,
        viewer: User,
        status: str | Iterable[str] | None = None,
        priority: str | None = None,
        category: str | None = None,
        window: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Ticket]:
        """Tickets the viewer may see, urgent first, then oldest first (waiting longest).

        ``status`` accepts one status or several (e.g. every status but ``closed``).
        """
        stmt = (
            select(TicketRow)
            .where(*self._filters(viewer, status, priority, category, window))
            # A ticket marked for review ranks at most as "high" until the mark is cleared.
            .order_by(effective_priority_rank(), TicketRow.created_at, TicketRow.id)
            .limit(max(1, min(limit, MAX_LIST_LIMIT)))
            .offset(max(0, offset))
        )
        with self.session() as session:
            return [ticket_from_row(row) for row in session.execute(stmt).scalars()]

    # --- helpers --------------------------------------------------------------------------

    def _filters(
        self,
        viewer: User,
        status: str | Iterable[str] | None,
        priority: str | None,
        category: str | None,
        window: str | None,
    ) -> Sequence[Any]:
        conditions = [visible_to(viewer, self.dialect)]
        if status is not None:
            wanted = [status] if isinstance(status, str) else status
            conditions.append(TicketRow.status.in_([Status(s).value for s in wanted]))
        if priority is not None:
            conditions.append(priority_filter(priority))  # flagged tickets are not urgent
        if category is not None:
            conditions.append(json_list_contains(TicketRow.categories, category, self.dialect))
        if window is not None:
            conditions.append(json_list_contains(TicketRow.window_ids, window, self.dialect))
        return conditions
