"""Load and validate ``data/cities/*.yml`` into a ``Directory``.

The city files are edited by hand by people who know the municipality, not the code, and a wrong
entry means a resident phones the wrong office. So the loader is strict and fails at start-up
with a message naming the file and the field path (``data/cities/ube.yml:
windows[3].contacts[0].source_url: missing``) instead of letting a bad entry reach a resident:

* required fields, known keys only (a typo such as ``sorce_url`` is an error, not a silent skip);
* known category codes and layers; window ids unique and prefixed with the city code;
* every window has a source (plan file + section), every contact a source URL and fact id;
* every routing id exists in the same city and lists the category it is routed for;
* a category routed to the catch-all window is marked ``gap: true`` in ``routing_notes`` (and
  vice versa), so 制度の狭間 stay visible to analysts.

``default_directory()`` caches the result: the bot loads the directory once per process.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import yaml

from bot import settings
from bot.directory.routing import Directory, ordered_cities
from bot.directory.schema import (
    ANY_ATTRIBUTE_KEY,
    CATEGORY_CODES,
    COMPOUND_KEY,
    CONTACT_KINDS,
    GENERIC_CODE,
    LAYERS,
    City,
    CityHall,
    Contact,
    Line,
    Plan,
    RoutingNote,
    SourceRef,
    Window,
)

GENERIC_FILE = "_generic.yml"

_CITY_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_WINDOW_ID_TAIL = re.compile(r"^[a-z0-9_]+$")
_FACT_ID = re.compile(r"^[A-Z][0-9]+$")
_DIGITS = re.compile(r"^[0-9]+$")
# YAML folds a long `>-` paragraph with spaces; Japanese needs none between its characters.
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")

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
_LINE_KEYS = {"id", "name", "provider", "summary", "categories", "contacts", "department"}
_WINDOW_KEYS = {
    "id",
    "name",
    "kana",
    "layer",
    "summary",
    "categories",
    "operation",
    "department",
    "sites",
    "contacts",
    "response_time",
    "source",
    "any_attribute",
}
_CONTACT_KEYS = {
    "kind",
    "value",
    "source_url",
    "fact_id",
    "needs_check",
    "label",
    "note",
    "area_code_hint",
}


class DirectoryError(ValueError):
    """A city file is missing, malformed or inconsistent; the message names file and field."""


def default_cities_dir() -> Path:
    return settings.PROJECT_ROOT / "data" / "cities"


@functools.lru_cache(maxsize=1)
def default_directory() -> Directory:
    """The directory from the default data folder, loaded once per process."""
    return load_directory()


def load_directory(cities_dir: Path | None = None) -> Directory:
    """Read and validate every ``*.yml`` in ``cities_dir`` (default ``data/cities``)."""
    folder = Path(cities_dir) if cities_dir is not None else default_cities_dir()
    if not folder.is_dir():
        raise DirectoryError(f"{_label(folder)}: not a directory")
    files = sorted(folder.glob("*.yml"))
    generic_path = folder / GENERIC_FILE
    if generic_path not in files:
        raise DirectoryError(f"{_label(generic_path)}: missing (the fallback for other cities)")

    cities: list[City] = []
    generic: City | None = None
    seen_ids: dict[str, Path] = {}
    for path in files:
        if path.name.startswith("_") and path.name != GENERIC_FILE:
            raise DirectoryError(f"{_label(path)}: only {GENERIC_FILE} may start with '_'")
        city = _CityParser(path).parse(is_generic=path == generic_path)
        for window in city.windows:
            if window.id in seen_ids:
                raise DirectoryError(
                    f"{_label(path)}: window id {window.id!r} already used in "
                    f"{_label(seen_ids[window.id])}"
                )
            seen_ids[window.id] = path
        if city.is_generic:
            generic = city
        else:
            cities.append(city)
    assert generic is not None  # guaranteed by the check above
    return Directory(cities=ordered_cities(cities), generic=generic)


def tidy(text: str) -> str:
    """Collapse folded-YAML whitespace; drop it entirely between two Japanese characters."""
    return _SPACE_BETWEEN_WIDE.sub("", " ".join(text.split()))


def _label(path: Path) -> str:
    """A path as people read it in errors: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(settings.PROJECT_ROOT))
    except ValueError:
        return str(path)


class _CityParser:
    """Validates one city file; every error goes through ``fail`` to name file and field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = _label(path)

    def fail(self, where: str, problem: str) -> NoReturn:
        raise DirectoryError(
            f"{self.file}: {where}: {problem}" if where else f"{self.file}: {problem}"
        )

    # --- primitives -----------------------------------------------------------------------

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a mapping, got {type(value).__name__}")
        return value

    def only_keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            self.fail(f"{where}.{extra[0]}" if where else extra[0], "unknown field")

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        path = f"{where}.{key}" if where else key
        if key not in data or data[key] is None:
            self.fail(path, "missing")
        value = data[key]
        if not isinstance(value, str):
            self.fail(path, f"must be text (quote it in YAML), got {type(value).__name__}")
        if not value.strip():
            self.fail(path, "empty")
        return value.strip()

    def optional_text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        if data.get(key) is None:
            return None
        return self.text(data, key, where)

    def flag(self, data: Mapping[str, Any], key: str, where: str, *, required: bool) -> bool:
        path = f"{where}.{key}" if where else key
        if key not in data:
            if required:
                self.fail(path, "missing")
            return False
        value = data[key]
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
        return value

    def sequence(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        path = f"{where}.{key}" if where else key
        if key not in data or data[key] is None:
            self.fail(path, "missing")
        value = data[key]
        if not isinstance(value, list):
            self.fail(path, "must be a list")
        return value

    # --- records --------------------------------------------------------------------------

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

    def source(self, value: Any, where: str) -> SourceRef:
        if value is None:
            self.fail(where, "missing")
        data = self.mapping(value, where)
        self.only_keys(data, {"file", "section"}, where)
        return SourceRef(
            file=self.text(data, "file", where), section=self.text(data, "section", where)
        )

    def plan(self, data: Mapping[str, Any]) -> Plan:
        if data.get("plan") is None:
            self.fail("plan", "missing")
        plan = self.mapping(data["plan"], "plan")
        self.only_keys(plan, {"title", "period", "source"}, "plan")
        return Plan(
            title=self.text(plan, "title", "plan"),
            period=self.optional_text(plan, "period", "plan"),
            source=self.source(plan.get("source"), "plan.source"),
        )

    def city_hall(self, data: Mapping[str, Any]) -> CityHall:
        if data.get("city_hall") is None:
            self.fail("city_hall", "missing")
        hall = self.mapping(data["city_hall"], "city_hall")
        self.only_keys(hall, {"name", "contacts"}, "city_hall")
        contacts = tuple(
            self.contact(item, f"city_hall.contacts[{i}]")
            for i, item in enumerate(self.sequence(hall, "contacts", "city_hall"))
        )
        return CityHall(name=self.text(hall, "name", "city_hall"), contacts=contacts)

    def contact(self, value: Any, where: str) -> Contact:
        data = self.mapping(value, where)
        self.only_keys(data, _CONTACT_KEYS, where)
        kind = self.text(data, "kind", where)
        if kind not in CONTACT_KINDS:
            self.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(CONTACT_KINDS)}")
        source_url = self.text(data, "source_url", where)
        if not source_url.startswith(("https://", "http://")):
            self.fail(f"{where}.source_url", "must be an http(s) URL")
        fact_id = self.text(data, "fact_id", where)
        if not _FACT_ID.match(fact_id):
            self.fail(f"{where}.fact_id", f"{fact_id!r} is not a fact id like U6")
        note = self.optional_text(data, "note", where)
        hint = self.optional_text(data, "area_code_hint", where)
        if hint is not None and (kind not in ("phone", "fax") or not _DIGITS.match(hint)):
            self.fail(f"{where}.area_code_hint", "only digits, and only on a phone or fax")
        return Contact(
            kind=kind,
            value=self.text(data, "value", where),
            source_url=source_url,
            fact_id=fact_id,
            needs_check=self.flag(data, "needs_check", where, required=True),
            label=self.optional_text(data, "label", where),
            note=None if note is None else tidy(note),
            area_code_hint=hint,
        )

    def window(self, value: Any, where: str, city_code: str) -> Window:
        data = self.mapping(value, where)
        self.only_keys(data, _WINDOW_KEYS, where)
        window_id = self.text(data, "id", where)
        prefix, _, tail = window_id.partition(".")
        if prefix != city_code or not _WINDOW_ID_TAIL.match(tail):
            self.fail(f"{where}.id", f"{window_id!r} must look like '{city_code}.some_name'")
        layer = self.text(data, "layer", where)
        if layer not in LAYERS:
            self.fail(f"{where}.layer", f"{layer!r} is not one of {', '.join(LAYERS)}")

        categories = self.categories(data, where)

        sites = data.get("sites")
        if sites is not None and (
            isinstance(sites, bool) or not isinstance(sites, int) or sites < 1
        ):
            self.fail(f"{where}.sites", "must be a positive whole number or null")

        contacts = tuple(
            self.contact(item, f"{where}.contacts[{j}]")
            for j, item in enumerate(self.sequence(data, "contacts", where))
        )
        return Window(
            id=window_id,
            city_code=city_code,
            name=self.text(data, "name", where),
            layer=layer,
            summary=tidy(self.text(data, "summary", where)),
            categories=categories,
            source=self.source(data.get("source"), f"{where}.source"),
            kana=self.optional_text(data, "kana", where),
            operation=self.optional_text(data, "operation", where),
            department=self.optional_text(data, "department", where),
            sites=sites,
            contacts=contacts,
            response_time=self.optional_text(data, "response_time", where),
            any_attribute=self.flag(data, "any_attribute", where, required=False),
        )

    def categories(self, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
        categories = self.sequence(data, "categories", where)
        if not categories:
            self.fail(f"{where}.categories", "empty")
        for j, code in enumerate(categories):
            if code not in CATEGORY_CODES:
                self.fail(f"{where}.categories[{j}]", f"unknown category {code!r}")
        if len(set(categories)) != len(categories):
            self.fail(f"{where}.categories", "duplicate category")
        return tuple(categories)

    def line(self, value: Any, where: str, city_code: str) -> Line:
        """A line residents can use (prefectural centre, department line): needs a phone."""
        data = self.mapping(value, where)
        self.only_keys(data, _LINE_KEYS, where)
        line_id = self.text(data, "id", where)
        prefix, _, tail = line_id.partition(".")
        if prefix != city_code or not _WINDOW_ID_TAIL.match(tail):
            self.fail(f"{where}.id", f"{line_id!r} must look like '{city_code}.some_name'")
        contacts = tuple(
            self.contact(item, f"{where}.contacts[{j}]")
            for j, item in enumerate(self.sequence(data, "contacts", where))
        )
        if not any(c.kind == "phone" for c in contacts):
            self.fail(f"{where}.contacts", "a line needs at least one sourced phone")
        return Line(
            id=line_id,
            name=self.text(data, "name", where),
            provider=self.text(data, "provider", where),
            summary=tidy(self.text(data, "summary", where)),
            categories=self.categories(data, where),
            contacts=contacts,
            department=self.optional_text(data, "department", where),
        )

    def routing(
        self, data: Mapping[str, Any], by_id: Mapping[str, Window]
    ) -> tuple[dict[str, tuple[str, ...]], str, str]:
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
