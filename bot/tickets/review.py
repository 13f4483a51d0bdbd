"""Per-sender review flag: a script cannot flood staff with "urgent" tickets.

Every consented intake still becomes a ticket — a resident in real trouble may well write
several times a day, and dropping a ticket would lose exactly that person. But from the
``threshold + 1``-th ticket of one sender within 24 hours, the ticket is *marked for review*:

* it keeps the priority the bot derived (the record stays truthful, the 危機 badge stays), but
* it does not count as urgent: the ``urgent`` filter and count leave it out, and the queue
  ranks it right after the genuinely urgent tickets (with the "high" ones), not above them —
  so a flood cannot push real emergencies down, yet a flagged ticket is not buried either;
* a coordinator or admin clears the mark after a look (``TicketStore.clear_review``, logged
  as ``review_cleared``); from then on it is an ordinary ticket again.

The queue's side of the rule (rank and urgent filter) is ``effective_priority_rank`` and
``priority_filter`` here, so the store's queries and this policy cannot drift apart.

Senders are counted by ``sender_hash`` (SHA-256 of the conversation's sender id, with a
domain prefix), stored on the ticket, so the count needs no raw id and has an index.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.tickets.domain import Priority, Role, User
from bot.tickets.errors import TicketError
from bot.tickets.lifecycle import PRIORITY_RANK
from bot.tickets.schema import TicketRow

DEFAULT_THRESHOLD = 3
WINDOW = timedelta(hours=24)
CLEARING_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def sender_hash(sender_id: str) -> str:
    """Stable pseudonym of a sender id (LINE user id, web chat id) for counting."""
    return hashlib.sha256(f"intake-sender:{sender_id}".encode()).hexdigest()


def review_reason(session: Session, hashed: str, now: datetime, threshold: int) -> str | None:
    """Why a new ticket from this sender must be reviewed, or None when it need not be."""
    stmt = select(func.count()).where(
        TicketRow.sender_hash == hashed, TicketRow.created_at > now - WINDOW
    )
    earlier = int(session.execute(stmt).scalar_one())
    if earlier < threshold:
        return None
    return (
        f"同じ送信者から24時間で{earlier + 1}件目の相談票です（{threshold}件を超えると確認が必要）"
    )


def check_can_clear(user: User) -> None:
    """Only city-wide roles decide that a flagged ticket is genuine."""
    if user.role not in CLEARING_ROLES:
        raise TicketError(
            "確認済みにできるのはコーディネーターと管理者です"
            " / only coordinators and admins can clear the review mark"
        )


def effective_priority_rank() -> Any:
    """The queue's sort key: ``PRIORITY_RANK``, but a marked urgent ticket ranks as "high".

    Right after the genuinely urgent tickets, among the "high" ones: a flood cannot push real
    emergencies down, and a flagged ticket is not buried either.
    """
    flagged_urgent = and_(
        TicketRow.needs_review.is_(True), TicketRow.priority == Priority.URGENT.value
    )
    return case(
        (flagged_urgent, PRIORITY_RANK[Priority.HIGH]),
        *[(TicketRow.priority == p.value, r) for p, r in PRIORITY_RANK.items()],
        else_=len(PRIORITY_RANK),
    )


def priority_filter(priority: Priority | str) -> Any:
    """Tickets that count as ``priority``: a marked ticket is never counted as urgent."""
    wanted = Priority(priority)
    condition = TicketRow.priority == wanted.value
    if wanted is Priority.URGENT:
        return and_(condition, TicketRow.needs_review.is_(False))
    return condition
