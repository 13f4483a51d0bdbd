"""Rasa lock stores for this project (named in the endpoints files by module path)."""

from bot.locks.store import DegradingRedisLockStore

__all__ = ["DegradingRedisLockStore"]
