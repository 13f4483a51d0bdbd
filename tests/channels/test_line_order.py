"""One LINE user's deliveries reach Rasa in arrival order; other users never wait for them.

The webhook handles each delivery in its own background task. Without ``line_order`` a
resident's second delivery reached Rasa between the first delivery's events (seen in the scaled
test: LINE1, LINE4, LINE2, ...), and the bot answered a later message first.
"""

from __future__ import annotations

from line_testkit import LineHarness, make_event

from bot.channels.line_order import OwnerQueue, owner_of

ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32


def _from(user: str, text: str) -> dict[str, object]:
    return make_event(text=text, source={"type": "user", "userId": user}, reply_token=None)


async def test_a_users_later_delivery_waits_for_the_earlier_one(harness: LineHarness) -> None:
    """Two deliveries of one resident posted back to back: Rasa hears 1, 2, 3, then 4."""
    harness.bot.delay_seconds = 0.05  # Rasa takes a while per message, as it does
    first = [_from(ALICE, "1"), _from(ALICE, "2"), _from(ALICE, "3")]
    assert (await harness.client.post_events(*first))[0] == 200
    assert (await harness.client.post_events(_from(ALICE, "4")))[0] == 200
    await harness.settle()
    assert harness.bot.texts == ["1", "2", "3", "4"]


async def test_other_users_do_not_wait(harness: LineHarness) -> None:
    """Bob's message is answered while Alice's long delivery is still running: the order is
    kept per resident, not for everyone."""
    harness.bot.delay_seconds = 0.05
    await harness.client.post_events(_from(ALICE, "a1"), _from(ALICE, "a2"), _from(ALICE, "a3"))
    await harness.client.post_events(_from(BOB, "b1"))
    await harness.settle()
    assert harness.bot.texts.index("b1") < harness.bot.texts.index("a3")


async def test_nothing_is_kept_once_deliveries_are_done() -> None:
    """A lock per resident must not pile up for every user ever seen (memory)."""
    queue = OwnerQueue()
    async with queue.hold([_from(ALICE, "x"), _from(BOB, "y")]):
        assert len(queue) == 2
    assert len(queue) == 0
    assert owner_of({"source": {"type": "group", "groupId": "C1"}}) == "groupId:C1"
    assert owner_of({}) == ""
