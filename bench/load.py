"""Drive Locust (bench/locustfile.py, in its own venv) headless and read back what it measured.

Locust is the load tool (as in Rasa's own load-testing guide); this module only builds its
command line, runs it, and turns the per-request lines the locustfile writes (``BENCH_RAW``)
into percentiles. Locust's own CSV files are kept next to them for anyone who wants its view.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import LOCUST_VENV, PROJECT_ROOT, progress

LOCUSTFILE = PROJECT_ROOT / "bench" / "locustfile.py"


@dataclass
class LoadResult:
    """What one Locust run measured (times in milliseconds)."""

    label: str
    seconds: float
    latencies: list[float]
    errors: int
    #: turn index (1-based) → latencies of that turn, for the conversation-length phase.
    by_turn: dict[int, list[float]] = field(default_factory=dict)
    users: int = 1
    locust_exit: int = 0

    @property
    def requests(self) -> int:
        """Requests answered or failed."""
        return len(self.latencies) + self.errors

    @property
    def rate(self) -> float:
        """Achieved messages per second over the run."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok_rate(self) -> float:
        """Messages answered successfully per second: the throughput figure."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def p(self, percent: float) -> float:
        """Percentile of successful requests (nearest rank); NaN when there were none."""
        return percentile(self.latencies, percent)


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile: the smallest value with ``percent`` % of values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _read_raw(path: Path) -> tuple[list[float], int, dict[int, list[float]], float]:
    """Latencies of successful requests, error count, latencies by turn, and the seconds from
    the first request's start to the last one's end."""
    latencies: list[float] = []
    by_turn: dict[int, list[float]] = {}
    errors = 0
    first, last = math.inf, -math.inf
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        record = json.loads(line)
        first = min(first, record["end"] - record["ms"] / 1000)
        last = max(last, record["end"])
        if record["error"]:
            errors += 1
            continue
        latencies.append(float(record["ms"]))
        if record.get("turn"):
            by_turn.setdefault(int(record["turn"]), []).append(float(record["ms"]))
    return latencies, errors, by_turn, (last - first if lines else 0.0)


def run_locust(
    label: str,
    host: str,
    out_dir: Path,
    *,
    users: int,
    seconds: int,
    turns: int = 10,
    conversations: int = 0,
    pacing: float = 0.0,
) -> LoadResult:
    """One headless Locust run against ``host`` for ``seconds`` (or until ``conversations``
    are done). All users start at once; with a ``pacing`` each waits a random moment before
    its first turn and random gaps after (bench/locustfile.py ``poisson_pacing``), so their
    turns arrive as a Poisson stream, not in the batches Locust starts users in."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f"{label}.jsonl"
    raw.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_TURNS": str(turns),
        "BENCH_CONVERSATIONS": str(conversations),
        "BENCH_PACING": str(pacing),
        "BENCH_RAW": str(raw),
    }
    command = [
        str(LOCUST_VENV / "bin" / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        # Longer than the locustfile's 60 s client timeout: every request sent is recorded, as
        # an answer or an error, none is cut off unrecorded when the time is up.
        "--stop-timeout",
        "75",
        "--csv",
        str(out_dir / label),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    progress(f"locust {label}: {users} users, pacing {pacing or 'none'} s, up to {seconds} s")
    started = time.monotonic()
    with (out_dir / f"{label}.log").open("wb") as log:
        finished = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    latencies, errors, by_turn, span = _read_raw(raw)
    # From the first request to the last answer: a server that falls behind stretches the run
    # past ``seconds`` (Locust lets every request in flight finish), lowering the rate.
    seconds_sending = span
    result = LoadResult(
        label, seconds_sending, latencies, errors, by_turn, users, finished.returncode
    )
    if not latencies and not errors:
        log_tail = (out_dir / f"{label}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"locust {label} sent nothing; its log:\n{log_tail}")
    progress(
        f"locust {label}: {result.requests} requests in {result.seconds:.0f} s "
        f"({result.rate:.1f} msg/s), p50 {result.p(50):.0f} ms, p95 {result.p(95):.0f} ms, "
        f"{errors} errors (Locust ran {wall:.0f} s)"
    )
    return result
