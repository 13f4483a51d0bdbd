"""Rate limits for the residents' channels (web chat, LINE): slow a flood down politely.

``Limit`` / ``RateLimiter`` count hits per key (in-process, or Redis shared by several
instances); ``FloodGuard`` turns the counts into what a resident is told (see ``guard``).
"""

from bot.ratelimit.guard import SLOW_DOWN, FloodDecision, FloodGuard, hashed
from bot.ratelimit.limiter import (
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
    Verdict,
)

__all__ = [
    "SLOW_DOWN",
    "FloodDecision",
    "FloodGuard",
    "InMemoryRateLimiter",
    "Limit",
    "RateLimiter",
    "RedisRateLimiter",
    "Verdict",
    "hashed",
]
