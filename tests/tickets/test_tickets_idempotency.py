"""A submission retried with the same key never creates a second ticket."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from bot.tickets import Priority, Status, TicketStore
from bot.tickets.schema import TicketRow


def _ticket_count(store: TicketStore) -> int:
    with store.session() as session:
        return int(session.execute(select(func.count()).select_from(TicketRow)).scalar_one())


def test_created_ticket_keeps_everything_the_bot_sent(store: TicketStore, make_submission) -> None:
    submission = make_submission(sender="sender-1", crisis=True)
    ticket = store.create_ticket(submission)
    assert ticket.status is Status.NEW and ticket.priority is Priority.URGENT
    assert ticket.summary == submission.summary
    assert ticket.consent == submission.consent
    assert ticket.messages == submission.messages
    assert ticket.window_ids == ("ube.seikatsu_support",)
    assert ticket.categories == ("生活困窮",)
    assert (ticket.channel, ticket.conversation_id, ticket.crisis) == ("web", "sender-1", True)


def test_same_key_twice_returns_the_same_ticket(store: TicketStore, make_submission) -> None:
    first = store.create_ticket(make_submission(key="intake:same"))
    again = store.create_ticket(make_submission(key="intake:same"))
    assert again == first
    assert _ticket_count(store) == 1
    assert [e.kind for e in store.events(first.reference)] == ["created"]
    # A new submission in the same conversation is a new ticket.
    assert store.create_ticket(make_submission(key="intake:other")).reference != first.reference


def test_concurrent_creates_with_one_key_make_one_ticket(
    store: TicketStore, make_submission
) -> None:
    workers = 8
    barrier = threading.Barrier(workers)
    refs: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            refs.append(store.create_ticket(make_submission(key="intake:race")).reference)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert refs == ["UBE-2026-000001"] * workers
    assert _ticket_count(store) == 1
    # The losers' sequence increments were rolled back: the next number has no gap.
    assert store.create_ticket(make_submission()).reference == "UBE-2026-000002"


def _bot_submission(intake_id: str, words: str):
    """A submission exactly as the bot builds it for one sender (the key comes from here)."""
    from datetime import datetime, timezone

    from bot.intake.summary import Conversation, build_submission

    at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
    conversation = Conversation(
        sender_id="U1234567890abcdef1234567890abcdef",
        city="ube",
        categories=("debt",),
        window_ids=("ube.seikatsu_support",),
        messages=((words, at),),
        crisis=False,
        channel="line",
        intake_id=intake_id,
    )
    slots = {"intake_consent": "yes", "intake_contact_method": "電話"}
    return build_submission(slots, conversation, at)


def test_two_consultations_of_one_sender_are_two_tickets_and_a_retry_is_not(
    store: TicketStore,
) -> None:
    """Each intake has its own id: the sender's second consultation is stored, not merged."""
    from bot.intake.identity import new_intake_id

    first_id, second_id = new_intake_id(), new_intake_id()
    first = store.create_ticket(_bot_submission(first_id, "借金が返せません"))
    retried = store.create_ticket(_bot_submission(first_id, "借金が返せません"))
    second = store.create_ticket(_bot_submission(second_id, "一週間後、また相談です"))
    assert retried.reference == first.reference
    assert second.reference != first.reference
    assert [m.text for m in second.messages] == ["一週間後、また相談です"]
    assert _ticket_count(store) == 2
