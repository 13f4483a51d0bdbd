"""What was measured, on what: the commit and the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

from bench.common import PROJECT_ROOT


def _git(*args: str) -> str:
    finished = subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    return finished.stdout.strip()


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """Commit (and whether the tree had uncommitted changes), cores, memory, date."""
    # The results file is what the bench writes: a previous run's copy is not a change to
    # what is measured.
    dirty = bool(
        _git(
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!bench/results.md",
            ":!bench/results-quick.md",
        )
    )
    return {
        "commit": _git("rev-parse", "HEAD") or "unknown",
        "dirty": "yes (uncommitted changes to tracked files)" if dirty else "no",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "nproc": str(os.cpu_count() or 0),
        "ram": f"{_ram_gib():.1f} GiB",
        "cpu": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        # Anything else running skews every latency: the load when the bench began says so.
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
