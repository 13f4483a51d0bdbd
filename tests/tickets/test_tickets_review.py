"""A sender who hands over more than a few tickets a day cannot flood staff with "urgent".

Every ticket is still created (a resident in real trouble may write several times), but past
the daily threshold it is marked for review, counted by a hash of the sender id, and does not
rank or filter as urgent until a coordinator clears the mark. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.tickets import Priority, Role, TicketError, TicketStore
from bot.tickets.review import sender_hash


def _urgent(make_submission, sender: str):
    return make_submission(sender=sender, urgency="今日中")


def test_tickets_past_the_daily_threshold_are_created_but_marked(
    store: TicketStore, make_submission
) -> None:
    tickets = [store.create_ticket(_urgent(make_submission, "flood")) for _ in range(5)]
    assert len({t.reference for t in tickets}) == 5, "every ticket is still created"
    assert [t.needs_review for t in tickets] == [False, False, False, True, True]
    assert tickets[3].review_reason and "24" in tickets[3].review_reason
    assert tickets[3].priority is Priority.URGENT  # what the bot derived stays on record
    other = store.create_ticket(_urgent(make_submission, "someone-else"))
    assert not other.needs_review, "another sender is not affected"


def test_retry_of_the_same_submission_does_not_count_twice(
    store: TicketStore, make_submission
) -> None:
    for _ in range(5):
        ticket = store.create_ticket(make_submission(key="intake:retry", sender="retry"))
    assert not ticket.needs_review


def test_the_count_is_per_day(store: TicketStore, make_submission, clock) -> None:
    for _ in range(3):
        store.create_ticket(make_submission(sender="daily"))
    clock.set(clock.current + timedelta(hours=25))
    assert not store.create_ticket(make_submission(sender="daily")).needs_review


def test_threshold_is_configurable(db_url: str, make_submission, clock) -> None:
    store = TicketStore(db_url, clock=clock, review_threshold=1)
    try:
        first = store.create_ticket(make_submission(sender="x"))
        second = store.create_ticket(make_submission(sender="x"))
    finally:
        store.dispose()
    assert (first.needs_review, second.needs_review) == (False, True)


def test_sender_is_counted_by_hash_not_by_raw_id(store: TicketStore, make_submission) -> None:
    store.create_ticket(make_submission(sender="U1234567890abcdef"))
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT sender_hash FROM tickets")).scalar_one()
    assert stored == sender_hash("U1234567890abcdef")
    assert "U1234567890abcdef" not in stored and len(stored) == 64


def test_marked_tickets_are_not_in_the_urgent_list_until_cleared(
    store: TicketStore, make_submission, make_user
) -> None:
    coordinator = make_user("sato", Role.COORDINATOR)
    for _ in range(4):
        store.create_ticket(_urgent(make_submission, "flood"))
    genuine = store.create_ticket(make_submission(sender="genuine", urgency="急がない"))
    genuine_urgent = store.create_ticket(_urgent(make_submission, "real"))

    urgent = store.list(coordinator, priority="urgent")
    assert len(urgent) == 4 and all(not t.needs_review for t in urgent)
    assert store.count(coordinator, priority="urgent") == 4
    ordered = [t.reference for t in store.list(coordinator)]
    flagged = [t for t in store.list(coordinator) if t.needs_review][0]
    assert ordered.index(genuine_urgent.reference) < ordered.index(flagged.reference)
    assert ordered.index(flagged.reference) < ordered.index(genuine.reference), (
        "a flagged ticket is not buried below ordinary ones: staff still see it early"
    )

    cleared = store.clear_review(flagged.reference, by=coordinator)
    assert not cleared.needs_review
    assert store.count(coordinator, priority="urgent") == 5
    kinds = [e.kind.value for e in store.events(flagged.reference)]
    assert kinds[-1] == "review_cleared"


def test_only_city_wide_roles_clear_the_mark(
    store: TicketStore, make_submission, make_user
) -> None:
    staff = make_user("tanaka", Role.STAFF)
    for _ in range(4):
        ticket = store.create_ticket(make_submission(sender="flood"))
    with pytest.raises(TicketError):
        store.clear_review(ticket.reference, by=staff)
    assert store.get(ticket.reference, staff).needs_review
