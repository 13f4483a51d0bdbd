"""Peak resident memory of the processes the bench started, read from the kernel.

``VmHWM`` in /proc/<pid>/status is the process's high-water mark of resident memory since it
started: read just before a layout is stopped, it is the peak over the whole load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessMemory:
    """One process: what it is (from its command line) and its peak RSS."""

    pid: int
    role: str
    peak_mb: float


def _parent(pid: int) -> int | None:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (2nd field) may hold spaces: the fields after its ')' are fixed.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(found)


def process_role(argv: list[str]) -> str:
    """A short name for a process of the layouts (rasa, action server, HAProxy, consumer)."""
    if len(argv) > 1 and Path(argv[0]).name.startswith("python"):
        argv = argv[1:]  # a console script (rasa, intake) runs under its interpreter
    words = [Path(argv[0]).name, *argv[1:]] if argv else ["?"]
    joined = " ".join(words)
    port = ""
    if "--port" in argv[:-1]:
        port = f" :{argv[argv.index('--port') + 1]}"
    if "run" in words and "actions" in words:
        return f"action server{port}"
    if words[0] == "rasa" and "run" in words:
        return f"Rasa{port}"
    if words[0] == "haproxy":
        return "HAProxy"
    if "analytics" in words and "consume" in words:
        return "analytics consumer"
    return joined[:60]


def _peak_mb(pid: int) -> float | None:
    try:
        status = (_PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB → MB
    return None


def peak_rss() -> list[ProcessMemory]:
    """Every live process this one started (children and theirs), with its peak RSS."""
    result = []
    for pid in _descendants(os.getpid()):
        try:
            raw = (_PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        argv = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
        peak = _peak_mb(pid)
        if peak is not None and argv:
            result.append(ProcessMemory(pid, process_role(argv), peak))
    return result
