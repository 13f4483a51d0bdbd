"""Shared fixtures for the window-directory tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.settings
from bot.directory import Directory, load_directory

SHARED_DIR = Path(bot.settings.PROJECT_ROOT).parent / "shared"


@pytest.fixture(scope="session")
def directory() -> Directory:
    return load_directory()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The research folder the directory was built from (ground truth for provenance tests)."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} not available in this checkout")
    return SHARED_DIR


@pytest.fixture(scope="session")
def contacts_found(shared_dir: Path) -> str:
    return (shared_dir / "reference" / "contacts-found.md").read_text(encoding="utf-8")
