"""Parse the records inside a city file: windows, contacts, lines, plan and city hall.

Why a module of its own: a wrong record means a resident phones the wrong office, so each record
is checked on its own terms (known layer and category codes, window ids prefixed with the city
code, a source for every window, a source URL and fact id for every contact, a sourced phone for
every line). How the records fit together as a city (routing, gaps) is ``city_file``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.directory.fields import FieldReader, tidy
from bot.directory.schema import (
    CATEGORY_CODES,
    CONTACT_KINDS,
    LAYERS,
    CityHall,
    Contact,
    Line,
    Plan,
    SourceRef,
    Window,
)

_WINDOW_ID_TAIL = re.compile(r"^[a-z0-9_]+$")
_FACT_ID = re.compile(r"^[A-Z][0-9]+$")
_DIGITS = re.compile(r"^[0-9]+$")

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


class RecordReader(FieldReader):
    """Turns one mapping of a city file into a schema record, or fails naming the field."""

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
        contacts = self.contacts(hall, "city_hall")
        return CityHall(name=self.text(hall, "name", "city_hall"), contacts=contacts)

    def contacts(self, data: Mapping[str, Any], where: str) -> tuple[Contact, ...]:
        return tuple(
            self.contact(item, f"{where}.contacts[{j}]")
            for j, item in enumerate(self.sequence(data, "contacts", where))
        )

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

    def record_id(self, data: Mapping[str, Any], where: str, city_code: str) -> str:
        """Window and line ids look like ``ube.some_name`` so they are unique across cities."""
        record_id = self.text(data, "id", where)
        prefix, _, tail = record_id.partition(".")
        if prefix != city_code or not _WINDOW_ID_TAIL.match(tail):
            self.fail(f"{where}.id", f"{record_id!r} must look like '{city_code}.some_name'")
        return record_id

    def window(self, value: Any, where: str, city_code: str) -> Window:
        data = self.mapping(value, where)
        self.only_keys(data, _WINDOW_KEYS, where)
        window_id = self.record_id(data, where, city_code)
        layer = self.text(data, "layer", where)
        if layer not in LAYERS:
            self.fail(f"{where}.layer", f"{layer!r} is not one of {', '.join(LAYERS)}")

        categories = self.categories(data, where)

        sites = data.get("sites")
        if sites is not None and (
            isinstance(sites, bool) or not isinstance(sites, int) or sites < 1
        ):
            self.fail(f"{where}.sites", "must be a positive whole number or null")

        contacts = self.contacts(data, where)
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
        line_id = self.record_id(data, where, city_code)
        contacts = self.contacts(data, where)
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
