"""The outbox drainer: a long-running process that delivers queued intakes by itself.

An intake queued while the database was down (an urgent one, at night) must reach staff as
soon as the database answers again, without anyone noticing and acting. The drainer polls the
outbox every few seconds (a directory listing: nothing touches the database while the outbox is
empty), delivers what it finds with ``bot.tickets.outbox.drain_once``, and while the database
stays down backs off exponentially, capped, with jitter so that several drainers (one per host)
do not hammer a recovering database in step. Running several is safe: each entry is claimed
with a file lock (see ``bot.tickets.outbox``).

It builds its store like every other process (``TicketStore.from_settings``), so a queued
intake gets the same reference time zone and review threshold as one created directly.

Run it as ``intake outbox drain`` (``make run`` starts it) or ``python -m bot.tickets.drainer``;
SIGTERM/SIGINT stop it between two deliveries. Logs carry counts and error class names only.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from dataclasses import dataclass

from bot.private_files import private_umask
from bot.settings import Settings, load_settings
from bot.tickets.outbox import DrainReport, Outbox, drain_once
from bot.tickets.store import TicketStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delay after the n-th failure in a row: base·2^(n-1), capped, then "equal jitter".

    Equal jitter (half fixed, half random) rather than full jitter: the wait never collapses
    to zero, so a dead database is not retried in a tight loop, yet drainers spread out.
    """

    base_seconds: float
    max_seconds: float

    def delay(self, failures: int, rng: random.Random) -> float:
        exponent = min(max(failures - 1, 0), 32)  # 2**32·base is far past any cap
        ceiling = min(self.max_seconds, self.base_seconds * 2**exponent)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class Drainer:
    """One delivery loop over one outbox."""

    def __init__(
        self,
        store: TicketStore,
        outbox: Outbox,
        *,
        poll_seconds: float,
        backoff: Backoff,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.poll_seconds = poll_seconds
        self.backoff = backoff
        self.rng = rng or random.Random()
        self.failures = 0  # failed passes in a row
        self.delivered: list[str] = []  # references delivered by this drainer (counts in logs)

    def step(self) -> float:
        """Run one pass; returns how long to wait before the next one."""
        try:
            report = drain_once(self.store, self.outbox)
        except Exception as error:  # the loop must outlive a full disk or a bug in one pass
            log.error("outbox pass failed: %s", type(error).__name__)
            return self._failed()
        self.delivered.extend(report.delivered)
        self._log(report)
        if report.unavailable:
            return self._failed()
        if self.failures:
            log.info("ticket database reachable again")
        self.failures = 0
        return self.poll_seconds

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set (checked between passes and during waits)."""
        log.info("outbox drainer started on %s", self.outbox.directory)
        while not stop.is_set():
            stop.wait(self.step())
        log.info("outbox drainer stopped")

    def _failed(self) -> float:
        self.failures += 1
        delay = self.backoff.delay(self.failures, self.rng)
        log.warning(
            "ticket database unavailable (%d in a row), %d waiting; next try in %.1f s",
            self.failures,
            len(self.outbox),
            delay,
        )
        return delay

    @staticmethod
    def _log(report: DrainReport) -> None:
        if report.delivered or report.failed:
            log.info(
                "outbox: delivered %d, moved to failed/ %d, waiting %d",
                len(report.delivered),
                report.failed,
                report.remaining,
            )


def drainer_from_settings(settings: Settings) -> Drainer:
    """The drainer ``run_forever`` runs: the settings' database, outbox, poll and backoff.

    The store comes from ``TicketStore.from_settings`` so that queued intakes are created
    exactly like direct ones (time zone of the reference year, ``REVIEW_TICKETS_PER_DAY``).
    """
    return Drainer(
        TicketStore.from_settings(settings),
        Outbox(settings.var_dir / "outbox"),
        poll_seconds=settings.outbox_poll_seconds,
        backoff=Backoff(settings.outbox_backoff_base_seconds, settings.outbox_backoff_max_seconds),
    )


def run_forever(settings: Settings | None = None) -> int:
    """Run until SIGTERM or SIGINT; the exit status is 0 after a clean stop."""
    private_umask()  # the outbox and a new SQLite database hold residents' data
    drainer = drainer_from_settings(settings or load_settings())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        drainer.run(stop)
    finally:
        drainer.store.dispose()
    return 0


def main() -> int:
    """``python -m bot.tickets.drainer``: log to stderr at INFO (counts only), run until stopped.

    Kept next to ``intake outbox drain`` so that a service manager can start the drainer
    without the CLI's argument parsing; both end in ``run_forever``.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return run_forever()


if __name__ == "__main__":
    raise SystemExit(main())
