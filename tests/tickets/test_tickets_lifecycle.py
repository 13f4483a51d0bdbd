"""Status changes follow lifecycle.TRANSITIONS; anything else is refused, naming both ends."""

from __future__ import annotations

import pytest

from bot.tickets import (
    TRANSITIONS,
    ConsentRequired,
    InvalidTransition,
    Priority,
    Role,
    Status,
    TicketError,
    TicketStore,
    Urgency,
    derive_priority,
)
from bot.tickets.lifecycle import check_transition


def test_every_status_has_a_way_forward_and_closed_can_only_reopen() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.CLOSED] == {Status.IN_PROGRESS}
    assert Status.NEW not in set().union(*TRANSITIONS.values())  # nothing goes back to new


def test_invalid_transition_message_names_from_and_to_in_both_languages() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition("new", "referred")
    message = str(caught.value)
    assert "「new」から「referred」" in message
    assert "from 'new' to 'referred'" in message
    assert (caught.value.current, caught.value.requested) == ("new", "referred")


def test_priority_rule() -> None:
    assert derive_priority(True, None) is Priority.URGENT
    assert derive_priority(True, Urgency.NOT_URGENT) is Priority.URGENT  # crisis wins
    assert derive_priority(False, Urgency.TODAY) is Priority.URGENT
    assert derive_priority(False, "今日中") is Priority.URGENT  # slot values are plain strings
    assert derive_priority(False, None) is Priority.NORMAL
    assert derive_priority(False, Urgency.THIS_WEEK) is Priority.HIGH
    assert derive_priority(False, Urgency.NOT_URGENT) is Priority.NORMAL


def test_full_path_new_to_closed(store: TicketStore, make_submission, make_user) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    staff = make_user("tanaka")
    ref = store.create_ticket(make_submission()).reference

    assert store.assign(ref, "tanaka", by=coordinator).status is Status.ASSIGNED
    assert store.change_status(ref, Status.IN_PROGRESS, by=staff).status is Status.IN_PROGRESS
    referred = store.refer(ref, by=staff, note="支援会議で検討")
    assert referred.status is Status.REFERRED
    assert store.change_status(ref, "closed", by=coordinator).status is Status.CLOSED
    # Reopen: the resident came back about the same worry.
    assert store.change_status(ref, "in_progress", by=staff).status is Status.IN_PROGRESS

    changes = [
        (e.data["from"], e.data["to"]) for e in store.events(ref) if e.kind == "status_changed"
    ]
    assert changes == [
        ("new", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "referred"),
        ("referred", "closed"),
        ("closed", "in_progress"),
    ]


@pytest.mark.parametrize("target", ["in_progress", "referred", "new"])
def test_new_ticket_refuses_skipping_ahead(
    store: TicketStore, make_submission, target: str
) -> None:
    ref = store.create_ticket(make_submission()).reference
    with pytest.raises(InvalidTransition, match=f"from 'new' to '{target}'"):
        store.change_status(ref, target, by="system")
    assert store.events(ref)[-1].kind == "created"  # nothing recorded for a refusal


def test_assign_via_change_status_is_refused(store: TicketStore, make_submission) -> None:
    ref = store.create_ticket(make_submission()).reference
    with pytest.raises(TicketError, match="assign"):
        store.change_status(ref, "assigned", by="system")


def test_closed_ticket_cannot_be_assigned_until_reopened(
    store: TicketStore, make_submission, make_user
) -> None:
    make_user("tanaka")
    ref = store.create_ticket(make_submission()).reference
    store.change_status(ref, "closed", by="system")
    with pytest.raises(InvalidTransition, match="from 'closed' to 'assigned'"):
        store.assign(ref, "tanaka", by="system")


def test_referral_needs_consent_to_the_support_meeting(
    store: TicketStore, make_submission, make_user
) -> None:
    make_user("tanaka")
    ref = store.create_ticket(
        make_submission(key="intake:no-meeting", support_meeting=False)
    ).reference
    store.assign(ref, "tanaka", by="system")
    store.change_status(ref, "in_progress", by="system")
    with pytest.raises(ConsentRequired, match="重層的支援会議"):
        store.refer(ref, by="system")
    with pytest.raises(ConsentRequired):
        store.change_status(ref, "referred", by="system")
    ticket = store.get_by_idempotency_key("intake:no-meeting")
    assert ticket is not None and ticket.status is Status.IN_PROGRESS
