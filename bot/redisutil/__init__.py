"""Redis for optional shared state (LINE redelivery checks, rate limits, offered buttons).

``connect`` gives a client with short socket timeouts; ``FailOpen`` runs each call so that a
Redis outage degrades a feature instead of silencing a resident (see ``failopen``).
"""

from bot.redisutil.failopen import DEFAULT_TIMEOUT_SECONDS, FailOpen, close_quietly, connect

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "FailOpen", "close_quietly", "connect"]
