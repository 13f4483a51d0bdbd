"""Rasa's SQL tracker store as this project runs it (``endpoints.yml``).

Three differences from ``type: SQL``, each for a resident's sake:

* a relative SQLite ``db`` lives under ``INTAKE_VAR_DIR`` (``var/`` by default) rather than
  under whatever directory Rasa was started from, so conversations survive a restart of
  ``make run`` and test servers never write into the project's ``var/``;
* the engine hides bound parameters in error messages (``hide_parameters``): a failed insert
  would otherwise print a whole event — the resident's message — into the Rasa log;
* constructing it installs the log redaction of ``bot.privacy.logs`` in the Rasa process: the
  one piece of this project every Rasa server builds at start, before the first message.

Rasa loads it by module path (``type: bot.retention.tracker_store.PrivateSQLTrackerStore``).
It works unchanged for PostgreSQL (``dialect: postgresql`` and the usual keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.orm import sessionmaker

from bot.privacy.logs import install_log_redaction
from bot.settings import load_settings
from bot.tickets.engine import drop_postgres_detail


def sqlite_path(db: str, var_dir: Path) -> str:
    """An absolute SQLite file path; a relative one is taken under ``var_dir``."""
    path = Path(db)
    return str(path if path.is_absolute() else var_dir / path)


class PrivateSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with the var-dir SQLite path and hidden parameters (see module)."""

    def __init__(
        self,
        domain: Any = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "trackers.sqlite3",
        redact_logs: bool = True,
        **kwargs: Any,
    ) -> None:
        if redact_logs:  # False only in tests, which share their process with other tests
            install_log_redaction()
        if dialect == "sqlite" and not host:
            db = sqlite_path(db, load_settings().var_dir)
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain, dialect, host, port, db, **kwargs)
        # Rasa builds its engine without options; rebuild it on the same (final) URL.
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        url = rasa_engine.url
        rasa_engine.dispose()
        engine = sa.create_engine(url, hide_parameters=True, **create_engine_kwargs(url))
        if engine.dialect.name == "postgresql":
            sa.event.listen(engine, "handle_error", drop_postgres_detail)
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine)
