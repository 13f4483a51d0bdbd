"""What staff do to a ticket after the bot created it: assign, move through the lifecycle, refer,
note, log a LINE message, correct a field, clear the review mark.

Each method locks the ticket row for its transaction (``_load_for_update``), so concurrent staff
actions apply one after the other, and leaves exactly one event per change in the append-only
log. Staff actions take the acting ``User`` as ``by`` and are refused with ``TicketNotFound``
outside the user's scope; plain strings (``"bot"``, ``"system"``) are for trusted callers and
are recorded as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.tickets.domain import (
    AboutWhom,
    ContactMethod,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
    Urgency,
    User,
)
from bot.tickets.errors import (
    ConsentRequired,
    InvalidAssignee,
    InvalidTransition,
    TicketError,
    TicketNotFound,
)
from bot.tickets.lifecycle import ASSIGNABLE, check_transition, derive_priority
from bot.tickets.references import normalize_reference
from bot.tickets.review import check_can_clear
from bot.tickets.rows import append_event, event_from_row, ticket_from_row
from bot.tickets.schema import TicketEventRow, TicketRow, UserRow
from bot.tickets.scoping import can_see, visible_to
from bot.tickets.users import UserStore, user_from_row

Actor = User | str
MAX_NOTE_LENGTH = 10_000

# Fields staff may correct after the fact, with the parser that validates the new value.
CORRECTABLE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "about_whom": lambda v: AboutWhom(v).value if v else None,
    "age_band": lambda v: str(v) if v else None,
    "household": lambda v: str(v) if v else None,
    "urgency": lambda v: Urgency(v).value if v else None,
    "contact_method": lambda v: ContactMethod(v).value if v else None,
    "contact_value": lambda v: str(v) if v else None,
    "display_name": lambda v: str(v) if v else None,
    "safe_contact": lambda v: str(v) if v else None,
    "worry_text_summary": lambda v: str(v or ""),
    "categories": lambda v: [str(c) for c in v],
}


class TicketWorkflow(UserStore):
    """The staff actions of ``TicketStore`` (mixed in; see the module docstring)."""

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    def assign(self, reference: str, to_user: User | str, by: Actor) -> Ticket:
        """Give the ticket to a staff member who can see it; a ``new`` ticket becomes
        ``assigned``. Closed and referred tickets must be reopened first."""
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            current = Status(row.status)
            if current not in ASSIGNABLE:
                raise InvalidTransition(current.value, Status.ASSIGNED.value)
            assignee = self._assignee(session, to_user, row)
            if row.assigned_to != assignee.username:
                self._append(
                    session,
                    row,
                    EventKind.ASSIGNED,
                    actor,
                    {"from": row.assigned_to, "to": assignee.username},
                )
                row.assigned_to = assignee.username
            if current is Status.NEW:
                self._set_status(session, row, Status.ASSIGNED, actor)
            return ticket_from_row(row)

    def change_status(self, reference: str, new_status: Status | str, by: Actor) -> Ticket:
        """Move along ``lifecycle.TRANSITIONS``; ``referred`` goes through ``refer``."""
        requested = Status(new_status)
        if requested is Status.REFERRED:
            return self.refer(reference, by)
        if requested is Status.ASSIGNED:
            raise TicketError(
                "担当者の割り当ては assign() で行ってください / use assign() to assign a ticket"
            )
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            check_transition(row.status, requested)
            self._set_status(session, row, requested, actor)
            return ticket_from_row(row)

    def refer(self, reference: str, by: Actor, note: str | None = None) -> Ticket:
        """Hand the case to 多機関協働; needs the resident's consent to the 重層的支援会議."""
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            check_transition(row.status, Status.REFERRED)
            if not row.consent_support_meeting:
                raise ConsentRequired(row.reference)
            self._set_status(session, row, Status.REFERRED, actor)
            self._append(session, row, EventKind.REFERRED, actor, {"note": note})
            return ticket_from_row(row)

    def add_note(self, reference: str, text: str, by: Actor) -> TicketEvent:
        """Internal staff note (never shown to the resident); allowed in every status."""
        text = text.strip()
        if not text or len(text) > MAX_NOTE_LENGTH:
            raise TicketError(
                f"メモは1〜{MAX_NOTE_LENGTH}文字で入力してください"
                f" / a note must be 1–{MAX_NOTE_LENGTH} characters"
            )
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            event = self._append(session, row, EventKind.NOTE_ADDED, actor, {"text": text})
            return event_from_row(event, row.reference)

    def record_line_message(
        self, reference: str, text: str, by: Actor, *, retry_key: str | None = None
    ) -> TicketEvent:
        """Log a message staff sent to the resident through LINE (``console/line_contact``).

        The text is kept: staff wrote it, and whoever takes the case over must know what the
        resident was told. Who and when come with every event. ``retry_key`` (the push's
        ``X-Line-Retry-Key``) is kept too and makes this idempotent: a form sent again after
        its push reached LINE but its log failed is logged now, and never twice (checked under
        the ticket's row lock, so two concurrent sends of one form cannot both log)."""
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            if retry_key is not None:
                logged = select(TicketEventRow).where(
                    TicketEventRow.ticket_id == row.id,
                    TicketEventRow.kind == EventKind.LINE_MESSAGE_SENT.value,
                )
                for earlier in session.execute(logged).scalars():
                    if (earlier.data or {}).get("retry_key") == retry_key:
                        return event_from_row(earlier, row.reference)
            data = {"text": text.strip()}
            if retry_key is not None:
                data["retry_key"] = retry_key
            event = self._append(session, row, EventKind.LINE_MESSAGE_SENT, actor, data)
            return event_from_row(event, row.reference)

    def correct_field(self, reference: str, field: str, value: Any, by: Actor) -> Ticket:
        """Fix what the bot recorded (see ``CORRECTABLE_FIELDS``); old and new go to the log.
        Correcting ``urgency`` re-derives the priority."""
        if field not in CORRECTABLE_FIELDS:
            raise TicketError(f"項目 {field} は修正できません / field {field!r} is not correctable")
        try:
            new_value = CORRECTABLE_FIELDS[field](value)
        except (ValueError, TypeError) as error:
            raise TicketError(f"不正な値です / invalid value for {field}: {error}") from None
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            old_value = getattr(row, field)
            if old_value == new_value:
                return ticket_from_row(row)
            setattr(row, field, new_value)
            data: dict[str, Any] = {"field": field, "old": old_value, "new": new_value}
            priority = derive_priority(bool(row.crisis), row.urgency)
            if priority.value != row.priority:
                data["priority"] = {"from": row.priority, "to": priority.value}
                row.priority = priority.value
            self._append(session, row, EventKind.FIELD_CORRECTED, actor, data)
            return ticket_from_row(row)

    def clear_review(self, reference: str, by: User) -> Ticket:
        """A coordinator or admin confirms a flagged ticket is genuine (see ``review.py``)."""
        check_can_clear(by)
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            if row.needs_review:
                row.needs_review = False
                self._append(
                    session, row, EventKind.REVIEW_CLEARED, actor, {"reason": row.review_reason}
                )
            return ticket_from_row(row)

    # --- helpers --------------------------------------------------------------------------

    def _load_for_update(self, session: Session, reference: str, by: Actor) -> tuple[Any, str]:
        """Lock the ticket row (PostgreSQL) so concurrent staff actions apply one by one."""
        stmt = select(TicketRow).where(TicketRow.reference == normalize_reference(reference))
        if isinstance(by, User):
            stmt = stmt.where(visible_to(by, self.dialect))
            actor = by.username
        else:
            actor = by.strip()
            if not actor:
                raise TicketError("操作者が空です / actor must not be empty")
        row = session.execute(stmt.with_for_update()).scalars().first()
        if row is None:
            raise TicketNotFound(normalize_reference(reference))
        return row, actor

    def _assignee(self, session: Session, to_user: User | str, row: TicketRow) -> User:
        username = to_user.username if isinstance(to_user, User) else to_user
        stmt = select(UserRow).where(UserRow.username == username.strip().lower())
        found = session.execute(stmt).scalars().first()
        assignee = user_from_row(found) if found else None
        if assignee is None or not can_see(assignee, row.city, tuple(row.window_ids)):
            raise InvalidAssignee(
                f"{username} にはこの相談票を割り当てられません"
                f" (存在しない・無効・担当範囲外) / cannot assign {row.reference} to {username!r}:"
                " unknown, disabled or outside the ticket's city/window"
            )
        return assignee

    def _set_status(self, session: Session, row: TicketRow, new: Status, actor: str) -> None:
        old = row.status
        row.status = new.value
        self._append(session, row, EventKind.STATUS_CHANGED, actor, {"from": old, "to": new.value})

    def _append(
        self, session: Session, row: TicketRow, kind: EventKind, actor: str, data: dict[str, Any]
    ) -> TicketEventRow:
        return append_event(session, row, kind, actor, data, self.now())
