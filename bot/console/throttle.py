"""In-memory login throttling per (username, client) and per client, without lock-outs.

Argon2 already makes each guess slow; this stops a patient attacker from trying thousands of
passwords. The design has to survive the obvious abuse of any throttle: an attacker who knows
a coordinator's username must not be able to lock the coordinator out.

* **Per (username, client address)**: after ``free_failures`` failed logins, each further
  failure doubles the wait (``base_delay`` … ``max_delay``). Only that client waits for that
  account — even with the right password, or the throttle would be a password oracle.
* **Per client address**: after ``ip_free_failures`` failures across *any* usernames, the
  client waits too (the same doubling). This stops spraying one common password over many
  accounts from one place.
* **Never per username alone**: a correct password from another client is always accepted,
  so a guesser elsewhere cannot lock staff out. Distributed guessing against one account is
  bounded by the per-client limits times the attacker's addresses, by argon2's cost and by the
  12-character minimum; the console logs a warning when an account keeps failing, for the
  city's monitoring.

The client address is the peer, or — behind ``console_trusted_proxy_hops`` reverse proxies —
the address those proxies appended to ``X-Forwarded-For`` (``bot.httputil.client_address``,
shared with the web chat). A forged header from an untrusted client is ignored, so it cannot be
used to dodge the limits.

State is per process and forgotten on restart: acceptable for one console process (the worst
case is a fresh allowance of guesses after a restart), and bounded in memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.httputil import client_address

__all__ = ["LoginThrottle", "client_address"]


@dataclass
class _Entry:
    failures: int
    blocked_until: float


class _Backoff:
    """Failures per key; past the free ones, each failure doubles the wait (capped)."""

    def __init__(
        self,
        free: int,
        base_delay: float,
        max_delay: float,
        max_entries: int,
        clock: Callable[[], float],
    ) -> None:
        self.free, self.base_delay, self.max_delay = free, base_delay, max_delay
        self.max_entries = max_entries  # random usernames must not grow memory without bound
        self._clock = clock
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()

    def retry_after(self, key: tuple[str, ...]) -> float:
        entry = self._entries.get(key)
        return 0.0 if entry is None else max(0.0, entry.blocked_until - self._clock())

    def failure(self, key: tuple[str, ...]) -> int:
        entry = self._entries.pop(key, None) or _Entry(failures=0, blocked_until=0.0)
        entry.failures += 1
        excess = entry.failures - self.free
        if excess > 0:
            delay = min(self.max_delay, self.base_delay * 2 ** (excess - 1))
            entry.blocked_until = self._clock() + delay
        self._entries[key] = entry
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return entry.failures

    def forget(self, key: tuple[str, ...]) -> None:
        self._entries.pop(key, None)


class LoginThrottle:
    """Per (username, client) and per client backoff; see the module docstring for why."""

    def __init__(
        self,
        free_failures: int = 5,
        base_delay: float = 30.0,
        max_delay: float = 900.0,
        ip_free_failures: int = 20,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.ip_free_failures = ip_free_failures
        self._pairs = _Backoff(free_failures, base_delay, max_delay, max_entries, clock)
        self._clients = _Backoff(ip_free_failures, base_delay, max_delay, max_entries, clock)
        # Failures per username over all clients: never blocks, only tells monitoring.
        self._accounts = _Backoff(10**9, base_delay, max_delay, max_entries, clock)

    @staticmethod
    def _user(username: str) -> str:
        return username.strip().lower()

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until this client may try this username again (0 when allowed now)."""
        return max(
            self._pairs.retry_after((self._user(username), client)),
            self._clients.retry_after((client,)),
        )

    def failure(self, username: str, client: str) -> int:
        """Record a failed login; returns the account's failures over all clients."""
        self._pairs.failure((self._user(username), client))
        self._clients.failure((client,))
        return self._accounts.failure((self._user(username),))

    def success(self, username: str, client: str) -> None:
        """A correct password clears this client's record for the account (not the client's
        failures on other accounts: a sprayer who owns one account is still capped)."""
        self._pairs.forget((self._user(username), client))
        self._accounts.forget((self._user(username),))
