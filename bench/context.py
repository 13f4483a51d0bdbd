"""What was measured, on what: the commit, the machine, and the last `make train`'s time."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

from bench.common import MODEL, PROJECT_ROOT

_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ", re.MULTILINE)


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
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
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


def last_training_seconds(log: Path = PROJECT_ROOT / "var" / "logs" / "train.log") -> float | None:
    """Seconds of the last `make train`: from the first timestamp Rasa wrote in its log to the
    model archive's modification time. None when there is no log, or when the model is older
    than the log (that training failed, or is still running: its time is not the model's)."""
    if not log.exists() or not MODEL.exists():
        return None
    stamps = _STAMP.findall(log.read_text(encoding="utf-8", errors="replace"))
    if not stamps:
        return None
    started = datetime.strptime(stamps[0], "%Y-%m-%d %H:%M:%S").timestamp()
    finished = MODEL.stat().st_mtime
    return finished - started if finished >= started else None
