"""What happens to a message over the limit: one polite slow-down reply, never plain silence.

Shared by the web chat and the LINE channel so both floods are answered the same way:

- within the limits, the message goes on to the bot;
- the first refused message of a window gets ``SLOW_DOWN`` and how to reach a person now
  (119/110 and the lines staffed at this hour, from ``data/crisis_lines.yml``): a resident who
  typed fast in distress still learns where to call;
- later refused messages in that window are not sent to the bot (LINE stays quiet, the web
  answers 429 with the same words);
- a refused message that the crisis rules flag (``bot.nlu.crisis_rules``) is answered, every
  time, with the bot's own first crisis answer for its kind. It still does not reach the bot,
  so crisis words cannot be used to push a flood through to the ticket desk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogue.crisis_reply import Danger, first_answer
from bot.directory import staffed_lines_now
from bot.nlu.crisis_rules import find_crises
from bot.ratelimit.limiter import (
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
)
from bot.settings import Settings

SLOW_DOWN = (
    "メッセージが続いています。少し時間をおいてから、もう一度送ってください。"
    "急ぎのときは、電話で相談できます。"
)
LIFE_NOW = "いま命があぶないときは、すぐに 119（救急）か 110（警察）に電話してください。"
PERSON_NOW = "今つながる相談の電話です。"


@dataclass(frozen=True)
class FloodDecision:
    """``allowed``: send the message to the bot. Otherwise ``replies`` (maybe empty) to send."""

    allowed: bool
    replies: tuple[str, ...] = ()
    retry_after: float = 0.0
    crisis: bool = False


def hashed(value: str) -> str:
    """Keys without raw ids: Redis may be shared and inspected, LINE user ids are personal."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


class FloodGuard:
    """Applies several limits to one message and decides what the resident is told."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        timezone: str = "Asia/Tokyo",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.limiter = limiter
        zone = ZoneInfo(timezone)
        self._now = now or (lambda: datetime.now(zone))

    @classmethod
    def from_settings(cls, settings: Settings) -> FloodGuard:
        """Redis counters when ``REDIS_URL`` is set (several instances), else in-process."""
        limiter: RateLimiter = (
            RedisRateLimiter.from_url(settings.redis_url)
            if settings.redis_url
            else InMemoryRateLimiter()
        )
        return cls(limiter, timezone=settings.timezone)

    async def check(self, keys: Sequence[tuple[str, Limit]], text: str | None) -> FloodDecision:
        """Count the message under every ``(key, limit)``; refused if any limit is passed."""
        verdicts = [await self.limiter.hit(key, limit) for key, limit in keys]
        refused = [v for v in verdicts if not v.allowed]
        if not refused:
            return FloodDecision(allowed=True)
        retry_after = max(v.retry_after for v in refused)
        crises = find_crises(text) if text else []
        if crises:
            kinds = tuple(dict.fromkeys(match.kind for match in crises))
            danger = Danger(kind=kinds[0], kinds=kinds)
            replies = tuple(first_answer(danger, self._now()))
            return FloodDecision(False, replies, retry_after, crisis=True)
        if any(v.first_refusal for v in refused):
            return FloodDecision(False, self.slow_down_messages(), retry_after)
        return FloodDecision(False, (), retry_after)

    def slow_down_messages(self) -> tuple[str, ...]:
        """The slow-down reply and how to reach a person now (never an invented number)."""
        lines = staffed_lines_now(self._now(), "suicide")
        help_text = "\n".join(
            [LIFE_NOW, PERSON_NOW, *(line.render(mark_unverified=False) for line in lines)]
        )
        return (SLOW_DOWN, help_text)

    async def close(self) -> None:
        await self.limiter.close()
