"""CPU time of every process during a load run, per turn: where a layout's capacity goes.

Why: a saturation figure alone does not say what stops a layout. One Rasa instance is one
Python thread: it saturates when that thread fills one core, whatever the rest of the machine
does. The scaled layout saturates when the machine is full, so its ceiling on a given machine
is the machine's cores divided by the CPU every process spends on a turn (Rasa, the action
server, PostgreSQL, Redis, RabbitMQ, HAProxy, the analytics consumer and the load generator,
all on the same cores here). This table is what an operator sizes machines with.

Read from the kernel: utime + stime of every process in /proc (those that live through the
run) and the bench's own waited-for children (Locust, which exits before the second reading),
and the machine's busy time from /proc/stat.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.memory import process_role

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")
#: Processes under this many CPU seconds in a run are summed into one "other" row.
_SMALL_SECONDS = 0.2
#: Services the machine runs (by /proc/<pid>/comm): one row each, whatever their process count.
_SERVICES = {
    "postgres": "PostgreSQL",
    "redis-server": "Redis",
    "beam.smp": "RabbitMQ",
    "haproxy": "HAProxy",
}


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds so far: per live process (role, seconds), the bench's waited-for
    children, and the machine's busy and total seconds (all cores)."""

    processes: dict[int, tuple[str, float]]
    children_seconds: float
    machine_busy: float
    machine_total: float
    cores: int
    taken_at: float  # time.monotonic()


@dataclass(frozen=True)
class CpuUsage:
    """CPU seconds per role between two snapshots, and the machine's busy share."""

    by_role: list[tuple[str, float]]  # largest first
    machine_busy: float
    machine_total: float
    cores: int
    wall_seconds: float

    @property
    def busy_share(self) -> float:
        """Busy fraction of all cores over the run (1.0 = every core busy all the time)."""
        return self.machine_busy / self.machine_total if self.machine_total else 0.0

    @property
    def counted_seconds(self) -> float:
        """CPU seconds of every row (the processes this run made work)."""
        return sum(seconds for _, seconds in self.by_role)


def _role(pid: int) -> str | None:
    try:
        comm = (_PROC / str(pid) / "comm").read_text().strip()
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    if comm in _SERVICES:
        return _SERVICES[comm]
    argv = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    return process_role(argv) if argv else None  # no argv: a kernel thread


def _process_seconds(pid: int) -> float | None:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def snapshot() -> Snapshot:
    """The CPU seconds of every process and of the machine, now."""
    processes: dict[int, tuple[str, float]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        role = _role(int(entry.name))
        seconds = _process_seconds(int(entry.name))
        if role is not None and seconds is not None:
            processes[int(entry.name)] = (role, seconds)
    times = os.times()
    with (_PROC / "stat").open() as stat:
        jiffies = [int(value) for value in stat.readline().split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle, iowait
    return Snapshot(
        processes,
        times.children_user + times.children_system,
        (sum(jiffies) - idle) / _TICKS,
        sum(jiffies) / _TICKS,
        os.cpu_count() or 1,
        time.monotonic(),
    )


def usage(before: Snapshot, after: Snapshot, children_role: str) -> CpuUsage:
    """What each role spent between the snapshots; the bench's children (the load generator,
    run to completion in between) are ``children_role``."""
    totals: dict[str, float] = {}
    for pid, (role, seconds) in after.processes.items():
        earlier = before.processes.get(pid)
        spent = seconds - (earlier[1] if earlier and earlier[0] == role else 0.0)
        if spent > 0:
            totals[role] = totals.get(role, 0.0) + spent
    other = sum(seconds for seconds in totals.values() if seconds < _SMALL_SECONDS)
    rows = [(role, seconds) for role, seconds in totals.items() if seconds >= _SMALL_SECONDS]
    rows.append((children_role, after.children_seconds - before.children_seconds))
    rows.sort(key=lambda row: -row[1])
    if other:
        rows.append(("other (each under 0.2 s)", other))
    return CpuUsage(
        rows,
        after.machine_busy - before.machine_busy,
        after.machine_total - before.machine_total,
        after.cores,
        after.taken_at - before.taken_at,
    )
