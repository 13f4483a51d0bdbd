"""What a resident is told when over the limit: one polite reply, a person to call, no silence."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogue.flood_reply import FloodReplies
from bot.dialogue.flood_texts import SLOW_DOWN
from bot.ratelimit import FloodGuard, InMemoryRateLimiter, Limit, RedisRateLimiter

TWO = Limit(2, 60)
NIGHT = datetime(2024, 5, 1, 2, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def guard(limiter: object | None = None) -> FloodGuard:
    replies = FloodReplies(now=lambda: NIGHT)
    return FloodGuard(limiter or InMemoryRateLimiter(), replies)  # type: ignore[arg-type]


async def test_flood_gets_one_slow_down_reply_with_how_to_reach_a_person() -> None:
    g = guard()
    decisions = [await g.check([("s", TWO)], "こんにちは") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, False, False, False]
    assert decisions[2].replies[0] == SLOW_DOWN
    help_text = "\n".join(decisions[2].replies)
    assert "119" in help_text and "110" in help_text
    # A line where a person answers at 2:30 a.m. comes from the crisis data, with its number.
    assert "・" in help_text and any(ch.isdigit() for ch in help_text.split("・", 1)[1])
    assert decisions[3].replies == () and decisions[4].replies == ()


async def test_crisis_words_over_the_limit_are_always_answered_with_the_crisis_lines() -> None:
    """Over the limit, 「死にたい」 is never met with silence, however many came before."""
    g = guard()
    for _ in range(3):
        await g.check([("s", TWO)], "あ")
    decision = await g.check([("s", TWO)], "もう死にたい")
    assert not decision.allowed and decision.crisis
    assert decision.replies and "119" in "\n".join(decision.replies)
    again = await g.check([("s", TWO)], "死にたい")
    assert again.crisis and again.replies


async def test_any_refused_key_refuses_the_message() -> None:
    """A busy address stops a script that makes a new conversation per message."""
    g = guard()
    decisions = [await g.check([(f"sender-{n}", TWO), ("ip", Limit(3, 60))], "x") for n in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[3].replies and not decisions[4].replies


async def test_guard_on_real_redis(redis_limiter: RedisRateLimiter) -> None:
    g = guard(redis_limiter)
    decisions = [await g.check([("s", TWO)], "x") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].replies[0] == SLOW_DOWN


def test_the_rate_limit_package_imports_no_dialogue_or_nlu_code() -> None:
    """Counting stays apart from what the bot says: the replies are passed in by channels."""
    import ast
    from pathlib import Path

    import bot.ratelimit

    package = Path(bot.ratelimit.__file__).parent
    imported = {
        node.module or ""
        for path in package.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    }
    assert not {m for m in imported if m.startswith(("bot.dialogue", "bot.nlu", "bot.directory"))}
