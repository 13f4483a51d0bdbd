"""Display names of cities and windows, taken from the window directory when it loads.

The console must keep working when the directory is incomplete or fails validation (it is
maintained by hand): every lookup then falls back to the id, which staff can still act on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DisplayNames:
    """Names from a ``bot.directory.Directory`` (or none at all)."""

    directory: Any = None

    @classmethod
    def load(cls, cities_dir: Path) -> DisplayNames:
        """Load the directory; on any failure log why and show ids instead of names."""
        try:
            from bot.directory import load_directory  # type: ignore[attr-defined,unused-ignore]

            return cls(load_directory(cities_dir))
        except Exception as error:  # the console must start without a valid directory
            log.warning("window directory unavailable, showing ids: %s", error)
            return cls(None)

    def window_name(self, window_id: str) -> str:
        window = self.directory.window(window_id) if self.directory is not None else None
        return str(window.name) if window is not None else window_id

    def city_name(self, code: str) -> str:
        city = self.directory.city(code) if self.directory is not None else None
        return str(city.name) if city is not None else code

    def city_windows(self, code: str) -> list[tuple[str, str]]:
        """(id, name) of the city's windows, for filter and user-form selects."""
        city = self.directory.city(code) if self.directory is not None else None
        if city is None:
            return []
        return [(str(w.id), str(w.name)) for w in city.windows]
