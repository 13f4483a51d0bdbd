"""In-memory login throttling: per-username backoff after repeated failures.

Argon2 already makes each guess slow; this stops a patient attacker from trying thousands of
passwords against one account. It is per process and forgets on restart, which is acceptable
for a single console process; a locked-out member of staff just waits a few minutes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Entry:
    failures: int
    blocked_until: float


class LoginThrottle:
    """After ``free_failures`` failed logins, each further failure doubles the wait."""

    def __init__(
        self,
        free_failures: int = 5,
        base_delay: float = 30.0,
        max_delay: float = 900.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_entries = max_entries  # random usernames must not grow memory without bound
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    @staticmethod
    def _key(username: str) -> str:
        return username.strip().lower()

    def retry_after(self, username: str) -> float:
        """Seconds until the next attempt is allowed (0 when allowed now)."""
        entry = self._entries.get(self._key(username))
        if entry is None:
            return 0.0
        return max(0.0, entry.blocked_until - self._clock())

    def failure(self, username: str) -> None:
        key = self._key(username)
        entry = self._entries.pop(key, None) or _Entry(failures=0, blocked_until=0.0)
        entry.failures += 1
        excess = entry.failures - self.free_failures
        if excess > 0:
            delay = min(self.max_delay, self.base_delay * 2 ** (excess - 1))
            entry.blocked_until = self._clock() + delay
        self._entries[key] = entry
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def success(self, username: str) -> None:
        self._entries.pop(self._key(username), None)
