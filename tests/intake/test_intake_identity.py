"""Each intake's own id: the ticket's idempotency key."""

from __future__ import annotations

import uuid

from bot.intake.identity import intake_key, new_intake_id


def test_every_new_intake_gets_a_different_uuid() -> None:
    ids = {new_intake_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(uuid.UUID(i).version == 4 for i in ids)


def test_the_slot_is_the_key_so_a_retried_submission_is_recognised() -> None:
    key = "0b6c0a52-8d7e-4f0e-9a57-2f4f7f3a9c11"
    assert intake_key(key) == (key, True)
    assert intake_key(f" {key}\n") == (key, True)


def test_an_empty_slot_still_gives_a_fresh_key_and_says_so() -> None:
    for empty in (None, "", "  ", 3):
        key, from_slot = intake_key(empty)
        assert not from_slot
        assert uuid.UUID(key)
