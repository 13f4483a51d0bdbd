"""Parse one ``data/cities/<code>.yml`` into a ``City`` and check that it holds together.

Why a module of its own: the records can each be valid while the city as a whole is not. This is
where the file-wide rules live:

* the ``code`` matches the file name (``_generic.yml`` holds the fallback for other cities);
* window and line ids are unique within the file;
* every routing id exists in the same city and lists the category it is routed for, and the
  compound route goes to a 多機関協働 (multi_agency) window;
* a category routed to the catch-all window is marked ``gap: true`` in ``routing_notes`` (and
  vice versa), so 制度の狭間 stay visible to analysts.

Reading the whole folder and checking ids across files is ``loader``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from bot.directory.fields import tidy
from bot.directory.records import RecordReader
from bot.directory.schema import (
    ANY_ATTRIBUTE_KEY,
    CATEGORY_CODES,
    COMPOUND_KEY,
    GENERIC_CODE,
    City,
    RoutingNote,
    Window,
)

_CITY_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_CITY_KEYS = {
    "code",
    "name",
    "prefecture",
    "plan",
    "city_hall",
    "windows",
    "routing",
    "routing_notes",
    "advice",
    "lines",
}


class CityParser(RecordReader):
    """Validates one city file; every error goes through ``fail`` to name file and field."""

    def parse(self, *, is_generic: bool) -> City:
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            self.fail("", f"invalid YAML: {exc}")
        data = self.mapping(raw, "(top level)")
        self.only_keys(data, _CITY_KEYS, "")

        code = self.text(data, "code", "")
        expected = GENERIC_CODE if is_generic else self.path.stem
        if code != expected:
            self.fail("code", f"must be {expected!r} (the file name), got {code!r}")
        if not _CITY_CODE.match(code):
            self.fail("code", "must be lowercase ascii letters, digits or _")

        plan = None if is_generic and data.get("plan") is None else self.plan(data)
        advice = self.optional_text(data, "advice", "")
        if is_generic and advice is None:
            self.fail("advice", "missing (tell residents to ask their city hall)")

        windows = tuple(
            self.window(item, f"windows[{i}]", code)
            for i, item in enumerate(self.sequence(data, "windows", ""))
        )
        if not windows:
            self.fail("windows", "empty")
        by_id: dict[str, Window] = {}
        for i, window in enumerate(windows):
            if window.id in by_id:
                self.fail(f"windows[{i}].id", f"duplicate id {window.id!r}")
            by_id[window.id] = window

        lines = tuple(
            self.line(item, f"lines[{i}]", code) for i, item in enumerate(data.get("lines") or [])
        )
        for i, line in enumerate(lines):
            if line.id in by_id or any(other.id == line.id for other in lines[:i]):
                self.fail(f"lines[{i}].id", f"duplicate id {line.id!r}")

        routing, compound_id, any_id = self.routing(data, by_id)
        notes = self.routing_notes(data, routing, any_id)
        return City(
            code=code,
            name=self.text(data, "name", ""),
            prefecture=None if is_generic else self.text(data, "prefecture", ""),
            plan=plan,
            city_hall=self.city_hall(data),
            windows=windows,
            routing=routing,
            compound_id=compound_id,
            any_attribute_id=any_id,
            routing_notes=notes,
            advice=None if advice is None else tidy(advice),
            is_generic=is_generic,
            lines=lines,
        )

    def routing(
        self, data: Mapping[str, Any], by_id: Mapping[str, Window]
    ) -> tuple[dict[str, tuple[str, ...]], str, str]:
        """Every category routes to windows of this city that list it; returns the table and
        the compound and any-attribute window ids."""
        if data.get("routing") is None:
            self.fail("routing", "missing")
        table = self.mapping(data["routing"], "routing")
        self.only_keys(table, {*CATEGORY_CODES, COMPOUND_KEY, ANY_ATTRIBUTE_KEY}, "routing")
        routing: dict[str, tuple[str, ...]] = {}
        for category in CATEGORY_CODES:
            ids = self.sequence(table, category, "routing")
            if not ids:
                self.fail(f"routing.{category}", "empty (every category must route somewhere)")
            if len(set(ids)) != len(ids):
                self.fail(f"routing.{category}", "duplicate window id")
            for j, window_id in enumerate(ids):
                where = f"routing.{category}[{j}]"
                window = by_id.get(window_id) if isinstance(window_id, str) else None
                if window is None:
                    self.fail(where, f"unknown window id {window_id!r}")
                if category not in window.categories:
                    self.fail(where, f"window {window_id!r} does not list {category!r}")
            routing[category] = tuple(ids)

        special: dict[str, str] = {}
        for key in (COMPOUND_KEY, ANY_ATTRIBUTE_KEY):
            window_id = self.text(table, key, "routing")
            if window_id not in by_id:
                self.fail(f"routing.{key}", f"unknown window id {window_id!r}")
            special[key] = window_id
        if by_id[special[COMPOUND_KEY]].layer != "multi_agency":
            self.fail(f"routing.{COMPOUND_KEY}", "must be a multi_agency (多機関協働) window")
        return routing, special[COMPOUND_KEY], special[ANY_ATTRIBUTE_KEY]

    def routing_notes(
        self, data: Mapping[str, Any], routing: Mapping[str, tuple[str, ...]], any_id: str
    ) -> tuple[RoutingNote, ...]:
        """Notes on routes; ``gap: true`` exactly where a category falls to the catch-all."""
        raw = data.get("routing_notes") or []
        if not isinstance(raw, list):
            self.fail("routing_notes", "must be a list")
        notes: list[RoutingNote] = []
        valid_keys = {*CATEGORY_CODES, COMPOUND_KEY, ANY_ATTRIBUTE_KEY}
        for i, value in enumerate(raw):
            where = f"routing_notes[{i}]"
            item = self.mapping(value, where)
            self.only_keys(item, {"key", "gap", "note"}, where)
            key = self.text(item, "key", where)
            if key not in valid_keys:
                self.fail(f"{where}.key", f"{key!r} is not a category, compound or any_attribute")
            if any(n.key == key for n in notes):
                self.fail(f"{where}.key", f"second note for {key!r}")
            gap = self.flag(item, "gap", where, required=True)
            if gap and key not in CATEGORY_CODES:
                self.fail(f"{where}.gap", "only a category can be a gap")
            if gap and routing[key][0] != any_id:
                self.fail(
                    f"{where}.gap",
                    f"{key} is a gap but its primary window is {routing[key][0]!r}, "
                    f"not the any-attribute window {any_id!r}",
                )
            notes.append(RoutingNote(key=key, gap=gap, note=tidy(self.text(item, "note", where))))

        gaps = {n.key for n in notes if n.gap}
        for category in CATEGORY_CODES:
            if routing[category][0] == any_id and category not in gaps:
                self.fail(
                    f"routing.{category}",
                    "routed to the any-attribute window: add a routing_notes entry with gap: true",
                )
        return tuple(notes)
