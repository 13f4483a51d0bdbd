"""Conversation ids in analytics are salted hashes (issue 10): never the sender id itself."""

from __future__ import annotations

import pytest

from bot.analytics.identity import conversation_hash

SENDER = "U" + "fedcba9876543210" * 2


def test_hash_depends_on_the_salt_and_never_equals_the_sender() -> None:
    one = conversation_hash("salt-one-0123456789", SENDER)
    two = conversation_hash("salt-two-0123456789", SENDER)
    assert one != two
    assert SENDER not in (one, two)
    assert SENDER.lower() not in one
    assert len(one) == 64 and int(one, 16) >= 0
    assert conversation_hash("salt-one-0123456789", SENDER) == one  # stable
    assert conversation_hash("salt-one-0123456789", SENDER + "x") != one


@pytest.mark.parametrize("salt", ["", "   ", "short", None])
def test_empty_or_short_salt_is_refused(salt: str | None) -> None:
    with pytest.raises(ValueError, match="ANALYTICS_SALT"):
        conversation_hash(salt, SENDER)  # type: ignore[arg-type]


def test_empty_sender_is_refused() -> None:
    with pytest.raises(ValueError):
        conversation_hash("salt-one-0123456789", "")
