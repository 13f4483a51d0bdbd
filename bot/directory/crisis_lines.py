"""National crisis lines (全国の緊急・相談の電話) and the bot's crisis reply.

When a resident mentions suicide, abuse or violence, the first reply must be right for the hour:
telling someone at 03:00 to call a line that closed at 22:00 fails them. So each line carries a
machine-readable schedule evaluated in Japan time (Asia/Tokyo has no daylight saving, so a fixed
+09:00 offset is exact and needs no tz database).

Lines the reference marks "check" are loaded with ``verified: false``. They are left out of the
resident text by default (the reference says a city must confirm them first); a deployment that
opts in with ``include_unverified=True`` gets them, always followed by 「要確認」.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from bot import settings
from bot.directory.loader import DirectoryError

JST = timezone(timedelta(hours=9), name="JST")

LINE_KINDS = ("emergency", "police", "suicide", "abuse", "dv")
SCHEDULE_TYPES = ("always", "daily", "monthly", "weekdays_daytime", "varies")
UNVERIFIED_MARK = "（要確認）"
# How many open lines to list: enough to offer a choice, few enough to read on a phone.
MAX_LINES_SHOWN = 2


@dataclass(frozen=True)
class Schedule:
    """When a line answers. ``end <= start`` means the window ends on the following day."""

    type: str
    start: time | None = None
    end: time | None = None
    day: int | None = None

    def is_open(self, moment: datetime) -> bool | None:
        """True/False for a JST time; None when the source gives no exact hours."""
        t = moment.timetz().replace(tzinfo=None)
        if self.type == "always":
            return True
        if self.type == "daily":
            assert self.start is not None and self.end is not None
            return _within(t, self.start, self.end)
        if self.type == "monthly":
            assert self.start is not None and self.end is not None and self.day is not None
            if self.end > self.start:
                return moment.day == self.day and self.start <= t < self.end
            yesterday = moment - timedelta(days=1)
            return (moment.day == self.day and t >= self.start) or (
                yesterday.day == self.day and t < self.end
            )
        # weekdays_daytime: closed at weekends for sure, otherwise the hours are not stated.
        if self.type == "weekdays_daytime" and moment.weekday() >= 5:
            return False
        return None


def _within(t: time, start: time, end: time) -> bool:
    if end > start:
        return start <= t < end
    return t >= start or t < end


@dataclass(frozen=True)
class CrisisLine:
    id: str
    name: str
    number: str
    hours: str
    schedule: Schedule
    kind: str
    source: str
    verified: bool
    note: str | None = None

    def is_open(self, now: datetime) -> bool | None:
        return self.schedule.is_open(to_jst(now))

    def render(self, mark_unverified: bool = True) -> str:
        """One bullet for the resident; unverified lines end with 「要確認」 unless the caller
        shows a 24-hour stand-in at night, where the policy keeps the flag in data and README."""
        text = f"・{self.name} {self.number}（{self.hours}）"
        return text if self.verified or not mark_unverified else text + UNVERIFIED_MARK


def to_jst(now: datetime) -> datetime:
    """Aware datetimes are converted; naive ones are taken to be Japan time already."""
    return now.replace(tzinfo=JST) if now.tzinfo is None else now.astimezone(JST)


def default_crisis_lines_path() -> Path:
    return settings.PROJECT_ROOT / "data" / "crisis_lines.yml"


def load_crisis_lines(path: Path | None = None) -> tuple[CrisisLine, ...]:
    """Read and validate ``data/crisis_lines.yml``; errors name the file and the field."""
    file = Path(path) if path is not None else default_crisis_lines_path()
    label = str(file)

    def fail(where: str, problem: str) -> DirectoryError:
        return DirectoryError(f"{label}: {where}: {problem}")

    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise fail("(file)", str(exc)) from exc
    items = raw.get("lines") if isinstance(raw, Mapping) else None
    if not isinstance(items, list) or not items:
        raise fail("lines", "missing or empty")
    lines = tuple(_parse_line(item, f"lines[{i}]", fail) for i, item in enumerate(items))
    if len({line.id for line in lines}) != len(lines):
        raise fail("lines", "duplicate id")
    return lines


def _parse_line(item: Any, where: str, fail: Any) -> CrisisLine:
    if not isinstance(item, Mapping):
        raise fail(where, "must be a mapping")
    for key in ("id", "name", "number", "hours", "kind", "source"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(f"{where}.{key}", 'missing (quote numbers such as "110")')
    if item["kind"] not in LINE_KINDS:
        raise fail(f"{where}.kind", f"must be one of {', '.join(LINE_KINDS)}")
    if not isinstance(item.get("verified"), bool):
        raise fail(f"{where}.verified", "must be true or false")
    return CrisisLine(
        id=item["id"],
        name=item["name"],
        number=item["number"],
        hours=item["hours"],
        schedule=_parse_schedule(item.get("schedule"), f"{where}.schedule", fail),
        kind=item["kind"],
        source=item["source"],
        verified=item["verified"],
        note=item.get("note"),
    )


def _parse_schedule(raw: Any, where: str, fail: Any) -> Schedule:
    if not isinstance(raw, Mapping) or raw.get("type") not in SCHEDULE_TYPES:
        raise fail(f"{where}.type", f"must be one of {', '.join(SCHEDULE_TYPES)}")
    kind = raw["type"]
    if kind not in ("daily", "monthly"):
        return Schedule(type=kind)
    try:
        start = time.fromisoformat(str(raw["start"]))
        end = time.fromisoformat(str(raw["end"]))
    except (KeyError, ValueError) as exc:
        raise fail(where, f"start/end must be HH:MM ({exc})") from exc
    day = raw.get("day")
    if kind == "monthly" and (not isinstance(day, int) or not 1 <= day <= 28):
        raise fail(f"{where}.day", "must be a day of the month (1-28)")
    return Schedule(type=kind, start=start, end=end, day=day if kind == "monthly" else None)


@functools.lru_cache(maxsize=1)
def default_crisis_lines() -> tuple[CrisisLine, ...]:
    """The crisis lines from the default data file, loaded once per process."""
    return load_crisis_lines()


def lines_open_now(
    now: datetime,
    *,
    kind: str | None = None,
    include_unverified: bool = False,
    lines: Sequence[CrisisLine] | None = None,
) -> list[CrisisLine]:
    """Lines answering at ``now`` (Japan time): verified first, one entry per number."""
    pool = default_crisis_lines() if lines is None else lines
    open_lines = [
        line
        for line in pool
        if (kind is None or line.kind == kind)
        and (line.verified or include_unverified)
        and line.is_open(now) is True
    ]
    open_lines.sort(key=lambda line: not line.verified)  # stable: keeps the file's order
    return _one_per_number(open_lines)


def _one_per_number(lines: Iterable[CrisisLine]) -> list[CrisisLine]:
    seen: set[str] = set()
    unique: list[CrisisLine] = []
    for line in lines:
        if line.number not in seen:
            seen.add(line.number)
            unique.append(line)
    return unique


def staffed_lines_now(
    now: datetime,
    kind: str,
    *,
    lines: Sequence[CrisisLine] | None = None,
    limit: int = MAX_LINES_SHOWN,
) -> list[CrisisLine]:
    """Lines for ``kind`` where a person answers at ``now``: never an empty list at any hour
    for a kind that has a 24-hour line.

    Verified lines open now come first. When none is open (at night for suicide), the 24-hour
    lines the reference still marks "check" are given (よりそいホットライン): the policy in
    ``crisis-lines.md`` is that a resident in crisis is never told that no line is open. They
    keep ``verified: false`` and so always render with 「要確認」, and the README lists them
    for a city to confirm.
    """
    pool = default_crisis_lines() if lines is None else lines
    verified = lines_open_now(now, kind=kind, lines=pool)
    if verified:
        return verified[:limit]
    always = [
        line
        for line in pool
        if line.kind == kind and not line.verified and line.schedule.type == "always"
    ]
    return _one_per_number(always)[:limit]


def line_by_id(line_id: str, lines: Sequence[CrisisLine] | None = None) -> CrisisLine:
    """One line by its id in the data file (e.g. ``jido_sodan_189``); a missing id is a bug."""
    pool = default_crisis_lines() if lines is None else lines
    for line in pool:
        if line.id == line_id:
            return line
    raise KeyError(f"crisis line {line_id!r} is not in the data file")
