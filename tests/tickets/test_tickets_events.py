"""Every change lands in the event log with who and when; the log only grows."""

from __future__ import annotations

import pytest

from bot.tickets import EventKind, Role, TicketError, TicketStore


def test_log_records_actor_time_and_kind(
    store: TicketStore, make_submission, make_user, clock
) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    staff = make_user("tanaka")
    ref = store.create_ticket(make_submission()).reference
    store.assign(ref, staff, by=coordinator)
    store.change_status(ref, "in_progress", by=staff)
    note = store.add_note(ref, "  電話で本人と話した  ", by=staff)
    store.correct_field(ref, "urgency", "今日中", by=staff)
    store.refer(ref, by=coordinator, note="重層的支援会議へ")

    events = store.events(ref)
    assert [(e.kind.value, e.actor) for e in events] == [
        ("created", "bot"),
        ("assigned", "coord"),
        ("status_changed", "coord"),
        ("status_changed", "tanaka"),
        ("note_added", "tanaka"),
        ("field_corrected", "tanaka"),
        ("status_changed", "coord"),
        ("referred", "coord"),
    ]
    times = [e.at for e in events]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    assert times[-1] <= clock.current
    assert note.kind is EventKind.NOTE_ADDED and note.data == {"text": "電話で本人と話した"}
    assert events[1].data == {"from": None, "to": "tanaka"}
    assert events[5].data["old"] == "急がない" and events[5].data["new"] == "今日中"
    assert events[5].data["priority"] == {"from": "normal", "to": "urgent"}
    assert events[7].data == {"note": "重層的支援会議へ"}


def test_created_event_holds_no_personal_data(store: TicketStore, make_submission) -> None:
    ref = store.create_ticket(make_submission()).reference
    created = store.events(ref)[0]
    dumped = repr(created.data)
    assert "090" not in dumped and "山田" not in dumped and "家賃" not in dumped


def test_earlier_events_are_unchanged_by_later_actions(store: TicketStore, make_submission) -> None:
    ref = store.create_ticket(make_submission()).reference
    before = store.events(ref)
    store.add_note(ref, "メモ1", by="system")
    store.add_note(ref, "メモ2", by="system")
    after = store.events(ref)
    assert after[: len(before)] == before and len(after) == len(before) + 2


def test_empty_note_and_unknown_field_are_refused(store: TicketStore, make_submission) -> None:
    ref = store.create_ticket(make_submission()).reference
    with pytest.raises(TicketError):
        store.add_note(ref, "   ", by="system")
    with pytest.raises(TicketError, match="not correctable"):
        store.correct_field(ref, "city", "kurume", by="system")
    with pytest.raises(TicketError, match="invalid value"):
        store.correct_field(ref, "urgency", "そのうち", by="system")
    assert len(store.events(ref)) == 1
