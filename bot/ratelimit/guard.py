"""What happens to a message over the limit: counted here, answered by the dialogue's policy.

Shared by the web chat and the LINE channel so both floods are handled the same way:

- within the limits, the message goes on to the bot;
- a refused message that names a danger gets ``replies.crisis(text)`` every time (it still
  does not reach the bot, so crisis words cannot push a flood through to the ticket desk);
- otherwise the first refused message of a window gets ``replies.slow_down()``;
- later refused messages in that window get nothing here (LINE stays quiet; the web's 429
  carries the short ``later_refusal_reply``, still with 119/110).

What the replies say is dialogue policy (``bot.dialogue.flood_reply.FloodReplies``), passed
in by the channel, so that this package only counts and imports no dialogue or NLU code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.ratelimit.limiter import (
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
)
from bot.settings import Settings


class FloodReplies(Protocol):
    """What a held-back resident is told."""

    def crisis(self, text: str) -> tuple[str, ...]:
        """The crisis answer when ``text`` names a danger, else ``()``."""
        ...

    def slow_down(self) -> tuple[str, ...]:
        """The polite slow-down reply with how to reach a person now."""
        ...


@dataclass(frozen=True)
class FloodDecision:
    """``allowed``: send the message to the bot. Otherwise ``replies`` (maybe empty) to send."""

    allowed: bool
    replies: tuple[str, ...] = ()
    retry_after: float = 0.0
    crisis: bool = False


class FloodGuard:
    """Applies several limits to one message and decides which reply, if any, it earns."""

    def __init__(self, limiter: RateLimiter, replies: FloodReplies) -> None:
        self.limiter = limiter
        self.replies = replies

    @classmethod
    def from_settings(cls, settings: Settings, replies: FloodReplies) -> FloodGuard:
        """Redis counters when ``REDIS_URL`` is set (several instances), else in-process."""
        limiter: RateLimiter = (
            RedisRateLimiter.from_url(settings.redis_url)
            if settings.redis_url
            else InMemoryRateLimiter()
        )
        return cls(limiter, replies)

    async def check(self, keys: Sequence[tuple[str, Limit]], text: str | None) -> FloodDecision:
        """Count the message under every ``(key, limit)``; refused if any limit is passed."""
        verdicts = [await self.limiter.hit(key, limit) for key, limit in keys]
        refused = [v for v in verdicts if not v.allowed]
        if not refused:
            return FloodDecision(allowed=True)
        retry_after = max(v.retry_after for v in refused)
        crisis = self.replies.crisis(text) if text else ()
        if crisis:
            return FloodDecision(False, crisis, retry_after, crisis=True)
        if any(v.first_refusal for v in refused):
            return FloodDecision(False, self.replies.slow_down(), retry_after)
        return FloodDecision(False, (), retry_after)

    async def close(self) -> None:
        await self.limiter.close()
