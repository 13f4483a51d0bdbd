"""Typed, immutable records for the window directory (相談窓口の一覧).

The directory is data about real offices that residents will phone, so every record keeps the
provenance a reviewer needs: which plan section names a window (``SourceRef``) and which public
page states each contact detail (``Contact.source_url`` / ``fact_id``). The records are frozen so
the bot can load the directory once and share it between requests without copying.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.categories import CATEGORIES

# The nine worry codes, shared with the NLU and the console.
CATEGORY_CODES: tuple[str, ...] = CATEGORIES

# 重層的支援体制整備事業 (社会福祉法 第106条の4) layers a window can belong to.
LAYERS: tuple[str, ...] = (
    "comprehensive",  # 包括的相談支援
    "outreach",  # アウトリーチ等を通じた継続的支援
    "participation",  # 参加支援
    "multi_agency",  # 多機関協働
    "community",  # 地域づくり
)

CONTACT_KINDS: tuple[str, ...] = ("phone", "fax", "address", "hours", "url", "note")

# Routing keys besides the categories.
COMPOUND_KEY = "compound"
ANY_ATTRIBUTE_KEY = "any_attribute"

# Preferred order of the cities a deployment knows; any other city file sorts after these.
CITY_ORDER: tuple[str, ...] = ("ube", "masuda", "kurume", "fuji")
GENERIC_CODE = "generic"


@dataclass(frozen=True)
class SourceRef:
    """Where in a city's plan a window (or the plan itself) is named."""

    file: str
    section: str


@dataclass(frozen=True)
class Contact:
    """One contact fact, exactly as a public page states it.

    ``needs_check`` marks facts the research called old or uncertain; they are never shown to a
    resident without 「要確認」. ``area_code_hint`` is set only where the printed number lacks an
    area code and a cited source states the city's code (富士市).
    """

    kind: str
    value: str
    source_url: str
    fact_id: str
    needs_check: bool = False
    label: str | None = None
    note: str | None = None
    area_code_hint: str | None = None

    @property
    def shown(self) -> str:
        """The fact as a resident sees it: a phone or fax number in the form a phone dials.

        Sources print numbers as 「55-2757」 (no area code; ``area_code_hint`` cites it) or
        「0545(62)7520」. Shown as 0545-55-2757 and 0545-62-7520, the digits are the source's,
        and the web chat and LINE make them a tap-to-call link, which they do only for the
        hyphenated form with its area code. Other facts are shown exactly as stated.
        """
        if self.kind not in ("phone", "fax"):
            return self.value
        number = _PRINTED_PARENS.sub(r"\1-\2-", self.value)
        if self.area_code_hint and not number.startswith("0"):
            number = f"{self.area_code_hint}-{number}"
        return number


# 0545(62)7520 and 0545（62）7520: the local exchange in brackets.
_PRINTED_PARENS = re.compile(r"(\d)\s*[(（]\s*(\d{1,4})\s*[)）]\s*")


@dataclass(frozen=True)
class Window:
    """A consultation window or community place a plan names."""

    id: str
    city_code: str
    name: str
    layer: str
    summary: str
    categories: tuple[str, ...]
    source: SourceRef
    kana: str | None = None
    operation: str | None = None
    department: str | None = None
    sites: int | None = None
    contacts: tuple[Contact, ...] = ()
    response_time: str | None = None
    any_attribute: bool = False

    def contacts_of(self, kind: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.kind == kind)


@dataclass(frozen=True)
class Line:
    """A phone line residents of the city can use that is not one of the plan's windows.

    Prefectural centres (児童相談所, ひきこもり支援センター, DV centres) and department lines are
    not named in the plans, yet they are the nearest sourced way in when a plan window has no
    known number. ``department`` ties a city line to the windows of that department.
    """

    id: str
    name: str
    provider: str
    summary: str
    categories: tuple[str, ...]
    contacts: tuple[Contact, ...]
    department: str | None = None

    def phone(self) -> Contact | None:
        return next((c for c in self.contacts if c.kind == "phone"), None)

    def contacts_of(self, kind: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.kind == kind)


@dataclass(frozen=True)
class CityHall:
    name: str
    contacts: tuple[Contact, ...] = ()

    def phone(self) -> Contact | None:
        return next((c for c in self.contacts if c.kind == "phone"), None)


@dataclass(frozen=True)
class Plan:
    title: str
    period: str | None
    source: SourceRef


@dataclass(frozen=True)
class RoutingNote:
    """Why a routing entry is what it is; ``gap`` marks a 制度の狭間 (no specialised window)."""

    key: str
    gap: bool
    note: str


@dataclass(frozen=True)
class City:
    """One municipality (or the generic fallback) with its windows and routing table."""

    code: str
    name: str
    prefecture: str | None
    plan: Plan | None
    city_hall: CityHall
    windows: tuple[Window, ...]
    routing: dict[str, tuple[str, ...]]
    compound_id: str
    any_attribute_id: str
    routing_notes: tuple[RoutingNote, ...] = ()
    advice: str | None = None
    is_generic: bool = False
    lines: tuple[Line, ...] = ()
    _by_id: dict[str, Window] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({w.id: w for w in self.windows})

    def window(self, window_id: str) -> Window | None:
        return self._by_id.get(window_id)

    @property
    def compound_window(self) -> Window:
        return self._by_id[self.compound_id]

    @property
    def any_attribute_window(self) -> Window:
        return self._by_id[self.any_attribute_id]

    @property
    def gap_categories(self) -> tuple[str, ...]:
        """Categories with no specialised window in the plan (制度の狭間), in canonical order."""
        gaps = {n.key for n in self.routing_notes if n.gap}
        return tuple(c for c in CATEGORY_CODES if c in gaps)

    def windows_for(self, category: str) -> tuple[Window, ...]:
        return tuple(self._by_id[i] for i in self.routing[category])

    def lines_for(self, window: Window, worries: Sequence[str] = ()) -> tuple[Line, ...]:
        """Lines for the resident's worries (default: the window's main one), own department first.

        Only the main category, not every category the window lists: a 地域包括支援センター also
        handles elder abuse, but a 児童相談所 is no way in for an older person's worry.
        """
        wanted = set(worries or window.categories[:1])
        matching = [ln for ln in self.lines if wanted & set(ln.categories)]
        own = [
            ln for ln in matching if ln.department and ln.department in (window.department or "")
        ]
        return tuple(own + [ln for ln in matching if ln not in own])

    @property
    def city_hall_label(self) -> str:
        return self.city_hall.name
