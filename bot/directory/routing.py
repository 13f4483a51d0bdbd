"""Which window(s) a resident should contact for their worries, city by city.

Routing is a table lookup, not a guess: each city file lists, per category, the windows its plan
gives (primary first). Two rules sit on top of the table, both taken from the plans:

* worries that land on different primary windows are a 複合的な課題, which every plan sends to
  the city's 多機関協働 window, so the route names it as ``coordinator``;
* a category whose table entry is a 制度の狭間 (no specialised window, see ``routing_notes``)
  also gets the coordinator, because the plans name 多機関協働 as the place for those cases.

Unknown or missing cities fall back to the generic table (kinds of window + ask the city hall).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.directory.schema import CATEGORY_CODES, CITY_ORDER, City, Window


@dataclass(frozen=True)
class Route:
    """The answer to "where can I go with these worries?" for one resident."""

    city: City | None  # None: not one of the directory's cities, see ``table``
    table: City  # the table used: ``city`` or the generic fallback
    categories: list[str]  # canonical order, deduplicated
    by_category: dict[str, list[Window]]  # primary first
    coordinator: Window | None
    gaps: list[str]
    is_generic: bool

    @property
    def any_attribute(self) -> Window:
        """The window that takes any worry; the fallback when nothing was classified."""
        return self.table.any_attribute_window

    def primary(self, category: str) -> Window:
        return self.by_category[category][0]


@dataclass(frozen=True)
class Directory:
    """All cities' windows, loaded once (see ``bot.directory.loader``) and then read-only."""

    cities: tuple[City, ...]
    generic: City
    _cities: dict[str, City] = field(default_factory=dict, repr=False, compare=False)
    _windows: dict[str, Window] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._cities.update({c.code: c for c in self.cities})
        for city in (*self.cities, self.generic):
            self._windows.update({w.id: w for w in city.windows})

    def city(self, code: str | None) -> City | None:
        """The city for a code, or None when the directory does not know it."""
        return self._cities.get(code) if code else None

    def window(self, window_id: str) -> Window | None:
        """A window by its stable id (as stored on tickets and staff accounts)."""
        return self._windows.get(window_id)

    def city_of(self, window: Window) -> City:
        """The city (or generic table) a window belongs to."""
        return self._cities.get(window.city_code, self.generic)

    def any_attribute_window(self, city_code: str | None) -> Window:
        """The city's 属性を問わない window; the generic one for unknown cities."""
        return (self.city(city_code) or self.generic).any_attribute_window

    def route(self, city_code: str | None, categories: Iterable[str]) -> Route:
        """Route a resident's worries to windows of their city (or to generic kinds of window).

        Raises ``ValueError`` for a category code outside the shared nine: a typo upstream
        should fail loudly rather than silently drop a resident's worry.
        """
        wanted = list(categories)
        unknown = sorted({c for c in wanted if c not in CATEGORY_CODES})
        if unknown:
            raise ValueError(f"unknown category code(s): {', '.join(unknown)}")
        cats = [c for c in CATEGORY_CODES if c in set(wanted)]
        city = self.city(city_code)
        table = city or self.generic
        by_category = {c: list(table.windows_for(c)) for c in cats}
        gaps = [c for c in cats if c in table.gap_categories]
        distinct_primaries = {windows[0].id for windows in by_category.values()}
        needs_coordination = len(distinct_primaries) >= 2 or bool(gaps)
        return Route(
            city=city,
            table=table,
            categories=cats,
            by_category=by_category,
            coordinator=table.compound_window if needs_coordination else None,
            gaps=gaps,
            is_generic=city is None,
        )


def ordered_cities(cities: Iterable[City]) -> tuple[City, ...]:
    """Known cities in ``CITY_ORDER`` first, any others after them by code."""
    rank = {code: i for i, code in enumerate(CITY_ORDER)}
    return tuple(sorted(cities, key=lambda c: (rank.get(c.code, len(rank)), c.code)))
