"""The ticket store used by the Rasa actions (creation) and the staff console (everything else).

Every method opens its own short transaction and returns detached dataclasses, so callers never
hold a session. Staff actions take the acting ``User`` as ``by`` and are refused with
``TicketNotFound`` outside the user's scope; plain strings (``"bot"``, ``"system"``) are for
trusted callers and are recorded as given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.tickets.domain import (
    BOT_ACTOR,
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    EventKind,
    IntakeSummary,
    Priority,
    ResidentMessage,
    Status,
    Submission,
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
from bot.tickets.lifecycle import ASSIGNABLE, PRIORITY_RANK, check_transition, derive_priority
from bot.tickets.references import (
    allocate_sequence,
    format_reference,
    local_year,
    normalize_reference,
)
from bot.tickets.review import DEFAULT_THRESHOLD, check_can_clear, review_reason, sender_hash
from bot.tickets.schema import TicketEventRow, TicketRow, UserRow
from bot.tickets.scoping import can_see, json_list_contains, visible_to
from bot.tickets.users import UserStore, user_from_row

log = logging.getLogger(__name__)

Actor = User | str
MAX_CREATE_ATTEMPTS = 5
MAX_LIST_LIMIT = 500
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


def ticket_from_row(row: TicketRow) -> Ticket:
    return Ticket(
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        city=row.city,
        categories=tuple(row.categories),
        window_ids=tuple(row.window_ids),
        priority=Priority(row.priority),
        status=Status(row.status),
        assigned_to=row.assigned_to,
        summary=IntakeSummary(
            worry_text_summary=row.worry_text_summary,
            about_whom=row.about_whom,
            age_band=row.age_band,
            household=row.household,
            urgency=row.urgency,
            contact_method=row.contact_method,
            contact_value=row.contact_value,
            display_name=row.display_name,
            safe_contact=row.safe_contact,
        ),
        consent=Consent(
            shared_items=tuple(row.consent_items),
            window_ids=tuple(row.consent_window_ids),
            given_at=row.consent_given_at,
            support_meeting=bool(row.consent_support_meeting),
        ),
        messages=tuple(
            ResidentMessage(text=m["text"], at=datetime.fromisoformat(m["at"]))
            for m in row.resident_messages
        ),
        crisis=bool(row.crisis),
        channel=Channel(row.channel),
        conversation_id=row.conversation_id,
        idempotency_key=row.idempotency_key,
        crisis_kind=row.crisis_kind,
        needs_review=bool(row.needs_review),
        review_reason=row.review_reason,
    )


def _event_from_row(row: TicketEventRow, reference: str) -> TicketEvent:
    return TicketEvent(
        reference=reference, kind=EventKind(row.kind), actor=row.actor, at=row.at, data=row.data
    )


class TicketStore(UserStore):
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

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    # --- creation (the bot) ---------------------------------------------------------------

    def create_ticket(self, submission: Submission, actor: str = BOT_ACTOR) -> Ticket:
        """Store a consented intake; the same ``idempotency_key`` always yields the same ticket.

        Raises SQLAlchemy's ``OperationalError`` when the database is unreachable; callers that
        must not lose the intake use ``bot.tickets.outbox.submit`` instead.
        """
        existing = self.get_by_idempotency_key(submission.idempotency_key)
        if existing is not None:
            return existing
        for attempt in range(1, MAX_CREATE_ATTEMPTS + 1):
            try:
                return self._insert(submission, actor)
            except IntegrityError:
                existing = self.get_by_idempotency_key(submission.idempotency_key)
                if existing is not None:
                    return existing  # a concurrent call with the same key won
                if attempt == MAX_CREATE_ATTEMPTS:
                    raise
                # Two first tickets of a (city, year) raced on the sequence row: try again.
        raise AssertionError("unreachable")

    def _insert(self, submission: Submission, actor: str) -> Ticket:
        now = self.now()
        summary, consent = submission.summary, submission.consent
        with self.session() as session, session.begin():
            year = local_year(now, self.timezone)
            seq = allocate_sequence(session, submission.city, year)
            hashed = sender_hash(submission.conversation_id)
            reason = review_reason(session, hashed, now, self.review_threshold)
            row = TicketRow(
                reference=format_reference(submission.city, year, seq),
                idempotency_key=submission.idempotency_key,
                created_at=now,
                updated_at=now,
                city=submission.city,
                ref_year=year,
                ref_seq=seq,
                categories=list(submission.categories),
                window_ids=list(submission.window_ids),
                priority=derive_priority(submission.crisis, summary.urgency).value,
                status=Status.NEW.value,
                assigned_to=None,
                about_whom=summary.about_whom.value if summary.about_whom else None,
                age_band=summary.age_band,
                household=summary.household,
                urgency=summary.urgency.value if summary.urgency else None,
                contact_method=summary.contact_method.value if summary.contact_method else None,
                contact_value=summary.contact_value,
                display_name=summary.display_name,
                safe_contact=summary.safe_contact,
                worry_text_summary=summary.worry_text_summary,
                consent_items=list(consent.shared_items),
                consent_window_ids=list(consent.window_ids),
                consent_given_at=consent.given_at,
                consent_support_meeting=consent.support_meeting,
                resident_messages=[
                    {"text": m.text, "at": m.at.isoformat()} for m in submission.messages
                ],
                crisis=submission.crisis,
                crisis_kind=submission.crisis_kind,
                channel=submission.channel.value,
                conversation_id=submission.conversation_id,
                sender_hash=hashed,
                needs_review=reason is not None,
                review_reason=reason,
            )
            session.add(row)
            session.flush()
            # No personal data in the event: the ticket row already holds it.
            self._append(
                session,
                row,
                EventKind.CREATED,
                actor,
                {
                    "priority": row.priority,
                    "crisis": row.crisis,
                    "channel": row.channel,
                    "window_ids": row.window_ids,
                    "needs_review": row.needs_review,
                },
            )
        log.info(
            "ticket %s created (%s%s)",
            row.reference,
            row.priority,
            ", marked for review" if row.needs_review else "",
        )
        return ticket_from_row(row)

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

    def get_by_idempotency_key(self, key: str) -> Ticket | None:
        """Unscoped lookup for the bot and the outbox (they are the ticket's source)."""
        with self.session() as session:
            stmt = select(TicketRow).where(TicketRow.idempotency_key == key)
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
            return [_event_from_row(row, reference) for row in session.execute(stmt).scalars()]

    # --- workflow (the console) -----------------------------------------------------------

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
            return _event_from_row(event, row.reference)

    def record_line_message(self, reference: str, text: str, by: Actor) -> TicketEvent:
        """Log a message staff sent to the resident through LINE (``console/line_contact``).

        The text is kept: staff wrote it, and whoever takes the case over must know what the
        resident was told. Who and when come with every event."""
        with self.session() as session, session.begin():
            row, actor = self._load_for_update(session, reference, by)
            data = {"text": text.strip()}
            event = self._append(session, row, EventKind.LINE_MESSAGE_SENT, actor, data)
            return _event_from_row(event, row.reference)

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
        # A ticket marked for review ranks at most as "high" until the mark is cleared.
        flagged_urgent = and_(
            TicketRow.needs_review.is_(True), TicketRow.priority == Priority.URGENT.value
        )
        rank = case(
            (flagged_urgent, PRIORITY_RANK[Priority.HIGH]),
            *[(TicketRow.priority == p.value, r) for p, r in PRIORITY_RANK.items()],
            else_=len(PRIORITY_RANK),
        )
        stmt = (
            select(TicketRow)
            .where(*self._filters(viewer, status, priority, category, window))
            .order_by(rank, TicketRow.created_at, TicketRow.id)
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
            conditions.append(TicketRow.priority == Priority(priority).value)
            if Priority(priority) is Priority.URGENT:  # flagged tickets are not urgent (review.py)
                conditions.append(TicketRow.needs_review.is_(False))
        if category is not None:
            conditions.append(json_list_contains(TicketRow.categories, category, self.dialect))
        if window is not None:
            conditions.append(json_list_contains(TicketRow.window_ids, window, self.dialect))
        return conditions

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
        now = self.now()
        row.updated_at = now
        event = TicketEventRow(ticket_id=row.id, kind=kind.value, actor=actor, at=now, data=data)
        session.add(event)
        session.flush()
        return event
