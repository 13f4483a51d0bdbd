"""Field-level checks for the hand-edited YAML files under ``data/``.

Why a module of its own: the people who edit the city files know the municipality, not the code,
so every complaint must name the file and the field path (``data/cities/ube.yml:
windows[3].contacts[0].source_url: missing``). Keeping these primitives apart from what a window
or a routing table *means* lets the record and city checks read as rules, not as type plumbing.

Nothing here knows about windows or cities: it only reads mappings, text, flags and lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from bot import settings

# YAML folds a long `>-` paragraph with spaces; Japanese needs none between its characters.
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


class DirectoryError(ValueError):
    """A city file is missing, malformed or inconsistent; the message names file and field."""


def tidy(text: str) -> str:
    """Collapse folded-YAML whitespace; drop it entirely between two Japanese characters."""
    return _SPACE_BETWEEN_WIDE.sub("", " ".join(text.split()))


def label(path: Path) -> str:
    """A path as people read it in errors: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(settings.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class FieldReader:
    """Reads typed fields out of one file; every error goes through ``fail`` (file + field)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = label(path)

    def fail(self, where: str, problem: str) -> NoReturn:
        raise DirectoryError(
            f"{self.file}: {where}: {problem}" if where else f"{self.file}: {problem}"
        )

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a mapping, got {type(value).__name__}")
        return value

    def only_keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        """Unknown keys are errors: a typo such as ``sorce_url`` must not be skipped silently."""
        extra = sorted(set(data) - allowed)
        if extra:
            self.fail(_join(where, extra[0]), "unknown field")

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        path = _join(where, key)
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
        path = _join(where, key)
        if key not in data:
            if required:
                self.fail(path, "missing")
            return False
        value = data[key]
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
        return value

    def sequence(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        path = _join(where, key)
        if key not in data or data[key] is None:
            self.fail(path, "missing")
        value = data[key]
        if not isinstance(value, list):
            self.fail(path, "must be a list")
        return value
