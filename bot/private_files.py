"""Files our processes create are readable by their own user only.

Tickets, conversations (Rasa's trackers), the outbox and logs under var/ hold residents'
personal data. With the usual umask 022 every new SQLite database, outbox entry and log file
is world-readable on a shared host. Each entry point (``scripts/run_all.sh``, the console, the
outbox drainer, the purge) sets the umask before it creates anything.
"""

from __future__ import annotations

import os

PRIVATE_UMASK = 0o077  # new files 0600, new folders 0700


def private_umask() -> int:
    """Make what this process creates from now on private to its user; returns the old mask."""
    return os.umask(PRIVATE_UMASK)
