"""What ``python -m bot.console`` does before it serves: private files and redacted logs.

The console creates the SQLite ticket database (and session rows, outbox reads) under var/:
with the usual umask 022 those files were world-readable on a shared host. And its log gets
whatever an error carries, so the project's log redaction is installed first thing.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.console.__main__ import start_up
from bot.privacy.logs import is_installed, uninstall
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture
def restored_process_state() -> Iterator[None]:
    """start_up changes process-wide state; the other tests of this process get it back."""
    was_installed = is_installed()
    previous = os.umask(0o022)  # a typical login umask: files 0644 unless start_up acts
    try:
        yield
    finally:
        os.umask(previous)
        if not was_installed:
            uninstall()


def test_start_up_makes_the_database_private_and_redacts_logs(
    tmp_path: Path, restored_process_state: None
) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    database = var_dir / "tickets.sqlite3"
    settings = Settings(
        var_dir=var_dir,
        database_url=f"sqlite:///{database}",
        data_dir=PROJECT_ROOT / "data",
    )
    start_up(settings)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    record = logging.getLogRecordFactory()(
        "bot.console", logging.INFO, __file__, 1, "call 090-1234-5678", None, None
    )
    assert "090-1234-5678" not in record.getMessage()
