"""Rate limits for the residents' channels (web chat, LINE): slow a flood down politely.

``Limit`` / ``RateLimiter`` count hits per key (in-process, or Redis shared by several
instances); ``FloodGuard`` turns the counts into a decision and asks the channel's
``FloodReplies`` (``bot.dialogue.flood_reply``) what the resident is told (see ``guard``).
"""

from bot.ratelimit.guard import FloodDecision, FloodGuard, FloodReplies
from bot.ratelimit.limiter import (
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
    Verdict,
)

__all__ = [
    "FloodDecision",
    "FloodGuard",
    "FloodReplies",
    "InMemoryRateLimiter",
    "Limit",
    "RateLimiter",
    "RedisRateLimiter",
    "Verdict",
]
