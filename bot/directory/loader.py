"""Load and validate ``data/cities/*.yml`` into a ``Directory``.

The city files are edited by hand by people who know the municipality, not the code, and a wrong
entry means a resident phones the wrong office. So the loader is strict and fails at start-up
with a message naming the file and the field path (``data/cities/ube.yml:
windows[3].contacts[0].source_url: missing``) instead of letting a bad entry reach a resident.

The work is split by job so each rule is easy to find:

* ``fields``    — typed field reads and the error that names file and field;
* ``records``   — one window, contact, line, plan or city hall;
* ``city_file`` — one city file as a whole (code, unique ids, routing, gaps);
* this module   — the folder: ``_generic.yml`` present, window ids unique across cities, and
  ``default_directory()``, which caches the result so the bot loads it once per process.

``DirectoryError`` and ``tidy`` are re-exported here for older importers.
"""

from __future__ import annotations

import functools
from pathlib import Path

from bot import settings
from bot.directory.city_file import CityParser
from bot.directory.fields import DirectoryError, tidy
from bot.directory.fields import label as _label
from bot.directory.routing import Directory, ordered_cities
from bot.directory.schema import City

__all__ = [
    "GENERIC_FILE",
    "DirectoryError",
    "default_cities_dir",
    "default_directory",
    "load_directory",
    "tidy",
]

GENERIC_FILE = "_generic.yml"


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
        city = CityParser(path).parse(is_generic=path == generic_path)
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
