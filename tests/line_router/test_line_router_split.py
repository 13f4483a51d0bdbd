"""Splitting a LINE delivery per user: one owner per part, order kept, parts validly signed."""

from __future__ import annotations

import json
from typing import Any

from bot.line.signature import verify_signature
from bot.line_router.split import owner_of, routing_key, split_delivery

SECRET = "router-test-secret-0123456789abcd"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32


def _text(user: str, text: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "webhookEventId": event_id,
        "source": {"type": "user", "userId": user},
        "message": {"type": "text", "id": event_id, "text": text},
        "replyToken": "r-" + event_id,
    }


def test_each_user_gets_one_part_with_their_events_in_delivery_order() -> None:
    """One instance must see a user's messages in the order they were typed, and never
    another user's: the part is what that instance receives."""
    events = [
        _text(ALICE, "一つ目", "e1"),
        _text(BOB, "こんにちは", "e2"),
        _text(ALICE, "二つ目", "e3"),
        _text(ALICE, "三つ目", "e4"),
    ]
    parts = split_delivery({"destination": "Ubot", "events": events}, SECRET)
    assert [p.event_count for p in parts] == [3, 1]
    alice = json.loads(parts[0].body)
    assert [e["message"]["text"] for e in alice["events"]] == ["一つ目", "二つ目", "三つ目"]
    assert alice["destination"] == "Ubot"
    assert [e["webhookEventId"] for e in json.loads(parts[1].body)["events"]] == ["e2"]
    assert parts[0].routing_key != parts[1].routing_key


def test_every_part_carries_a_signature_the_channel_accepts() -> None:
    """The Rasa channel checks X-Line-Signature on the raw body it receives: a part signed
    wrongly would be refused with 401 and the resident never answered."""
    parts = split_delivery({"events": [_text(ALICE, "a", "1"), _text(BOB, "b", "2")]}, SECRET)
    assert all(verify_signature(SECRET, p.body, p.signature) for p in parts)
    assert not verify_signature(
        "another-secret-0123456789abcdefg", parts[0].body, parts[0].signature
    )


def test_routing_key_is_stable_and_does_not_show_the_user_id() -> None:
    """Every router must send one user to the same instance, and the LINE user id (personal
    data) must not travel in a header that proxies may log."""
    key = routing_key(owner_of(_text(ALICE, "x", "1")))
    assert key == routing_key(owner_of(_text(ALICE, "y", "2")))
    assert ALICE not in key and key.startswith("line-")


def test_groups_rooms_and_sourceless_events_are_keyed_by_chat_or_nothing() -> None:
    """A group's events go to one instance (its once-an-hour notice); an event with no source
    has no owner and may go anywhere (empty key: HAProxy picks)."""
    group = {"type": "message", "source": {"type": "group", "groupId": "C1", "userId": ALICE}}
    room = {"type": "join", "source": {"type": "room", "roomId": "R1"}}
    assert owner_of(group) == "chat:C1"
    assert owner_of(room) == "chat:R1"
    assert owner_of({"type": "message"}) == ""
    assert routing_key("") == ""
    parts = split_delivery({"events": [group, "not an event", {"type": "x"}]}, SECRET)
    assert [p.event_count for p in parts] == [1, 1]  # non-objects are dropped, as the channel does
