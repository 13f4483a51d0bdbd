"""Ticket store: consented intakes become tickets that city staff work through.

Public API (import from here; submodules are implementation detail):

* ``TicketStore`` — tickets, event log, staff users, API tokens (``store.py``, ``users.py``)
* ``submit`` / ``drain_once`` / ``Outbox`` — never lose an intake when the DB is down
* ``upgrade_database`` — Alembic migrations to head (schema is never created otherwise)
* ``mask`` / ``mask_text`` — personal data for logs and analytics
* value types and exceptions below.
"""

from __future__ import annotations

from bot.tickets.domain import (
    AboutWhom,
    ApiTokenInfo,
    Channel,
    Consent,
    ContactMethod,
    EventKind,
    IntakeSummary,
    NewApiToken,
    Priority,
    ResidentMessage,
    Role,
    Status,
    Submission,
    SubmissionResult,
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
    UserError,
    WeakPassword,
)
from bot.tickets.lifecycle import TRANSITIONS, derive_priority
from bot.tickets.masking import mask, mask_text
from bot.tickets.migrate import downgrade_database, upgrade_database
from bot.tickets.outbox import DrainReport, Outbox, drain_once, submit
from bot.tickets.store import TicketStore

__all__ = [
    "TRANSITIONS",
    "AboutWhom",
    "ApiTokenInfo",
    "Channel",
    "Consent",
    "ConsentRequired",
    "ContactMethod",
    "EventKind",
    "DrainReport",
    "IntakeSummary",
    "InvalidAssignee",
    "InvalidTransition",
    "NewApiToken",
    "Outbox",
    "Priority",
    "ResidentMessage",
    "Role",
    "Status",
    "Submission",
    "SubmissionResult",
    "Ticket",
    "TicketError",
    "TicketEvent",
    "TicketNotFound",
    "TicketStore",
    "Urgency",
    "User",
    "UserError",
    "WeakPassword",
    "derive_priority",
    "downgrade_database",
    "drain_once",
    "mask",
    "mask_text",
    "submit",
    "upgrade_database",
]
