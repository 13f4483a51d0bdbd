"""Municipal services and benefits that residents name instead of their worry.

「住居確保給付金ってまだ使える？」 is a housing worry and 「ショートステイ使いたい」 an elderly-care
one, though neither says so. ``data/services.yml`` lists such services by worry category, from
the four cities' plans and the national programmes, each with its source. It is used twice:

- as the checklist for the training data (a test holds that every entry appears in
  ``data/nlu`` under its categories), so the models learn each name;
- as part of the reading lexicon (``bot.nlu.lexicon``): a named service lifts its categories
  even when the resident spells it in a way training never showed (kana only, half-width).

Only names whose katakana reading is long enough to be unambiguous join the lexicon: 包括
(ホウカツ), 見守り or サロン also mean other things, and a short reading such as シジュウ (市住)
hides inside ordinary words (四十). Those still teach the model through the training data.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.categories import CATEGORIES
from bot.nlu.sudachi import SudachiAnalyzer
from bot.settings import PROJECT_ROOT

SERVICES_FILE = PROJECT_ROOT / "data" / "services.yml"
#: Shortest katakana reading that may lift a category on its own (see the module docstring).
MIN_LEXICON_READING = 5


@dataclass(frozen=True)
class Service:
    name: str
    spellings: tuple[str, ...]  # the name first, then the variants residents write
    categories: tuple[str, ...]
    source: str


def _entry(category: str, raw: Mapping[str, object], path: Path) -> Service:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{path}: an entry under {category} has no name")
    also = raw.get("also") or []
    categories = raw.get("categories") or [category]
    if not isinstance(also, list) or not isinstance(categories, list):
        raise ValueError(f"{path}: {name}: 'also' and 'categories' must be lists")
    unknown = [code for code in categories if code not in CATEGORIES]
    if unknown:
        raise ValueError(f"{path}: {name}: unknown categories {unknown}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{path}: {name}: every service cites its source")
    return Service(
        name=name,
        spellings=(name, *(str(s) for s in also)),
        categories=tuple(code for code in CATEGORIES if code in categories),
        source=source,
    )


def load_services(path: Path = SERVICES_FILE) -> tuple[Service, ...]:
    """Every catalogue entry; a malformed entry stops loading with the file and name."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_category = document.get("services") or {}
    services: list[Service] = []
    for category, entries in by_category.items():
        if category not in CATEGORIES:
            raise ValueError(f"{path}: unknown category {category!r}")
        services.extend(_entry(category, raw, path) for raw in entries or [])
    return tuple(services)


@functools.lru_cache(maxsize=1)
def service_readings() -> dict[str, tuple[str, ...]]:
    """Katakana readings of the catalogue's unambiguous spellings, by category."""
    analyzer = SudachiAnalyzer("C")
    readings: dict[str, set[str]] = {code: set() for code in CATEGORIES}
    for service in load_services():
        for spelling in service.spellings:
            reading = analyzer.reading_text(spelling).replace(" ", "")
            if len(reading) < MIN_LEXICON_READING:
                continue
            for code in service.categories:
                readings[code].add(reading)
    return {code: tuple(sorted(words)) for code, words in readings.items()}
