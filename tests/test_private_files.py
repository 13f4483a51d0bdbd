"""Whatever the ``intake`` commands and the outbox drainer create is private to their user.

The database, the outbox and the purge's work files hold residents' personal data; with the
usual umask 022 a new SQLite file would be readable by every user of the host.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def restored_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_database_made_by_intake_db_upgrade_is_readable_by_its_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_umask: None
) -> None:
    database = tmp_path / "tickets.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path))

    assert main(["db", "upgrade"]) == 0

    assert stat.S_IMODE(database.stat().st_mode) == 0o600
