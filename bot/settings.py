"""The only place environment variables are read.

Everything configurable lives here so that a deployment can be reviewed in one file and tests
can build a ``Settings`` with explicit values instead of patching the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Runtime configuration, resolved once from the environment."""

    project_root: Path = PROJECT_ROOT
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data")
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    # Tickets: SQLite under var/ unless DATABASE_URL points at PostgreSQL.
    database_url: str = field(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'tickets.sqlite3'}"
    )
    rasa_url: str = "http://127.0.0.1:5005"
    console_host: str = "127.0.0.1"
    console_port: int = 8080
    # 32 url-safe base64 bytes for aiohttp-session's encrypted cookies; generated per process
    # when unset (sessions then do not survive a restart, which is fine for development).
    session_secret: str | None = None
    cookie_secure: bool = False
    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_base: str = "https://api.line.me"
    # Shared state between several instances (LINE redelivery de-duplication); in-process if unset.
    redis_url: str | None = None
    timezone: str = "Asia/Tokyo"

    @property
    def cities_dir(self) -> Path:
        return self.data_dir / "cities"


def load_settings() -> Settings:
    """Build settings from the environment (called at process start, never at import)."""
    root = Path(_env("INTAKE_PROJECT_ROOT", str(PROJECT_ROOT)) or PROJECT_ROOT)
    var_dir = Path(_env("INTAKE_VAR_DIR", str(root / "var")) or root / "var")
    return Settings(
        project_root=root,
        data_dir=Path(_env("INTAKE_DATA_DIR", str(root / "data")) or root / "data"),
        var_dir=var_dir,
        models_dir=Path(_env("INTAKE_MODELS_DIR", str(root / "models")) or root / "models"),
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'tickets.sqlite3'}") or "",
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005") or "",
        console_host=_env("CONSOLE_HOST", "127.0.0.1") or "127.0.0.1",
        console_port=int(_env("CONSOLE_PORT", "8080") or 8080),
        session_secret=_env("CONSOLE_SESSION_SECRET"),
        cookie_secure=(_env("CONSOLE_COOKIE_SECURE", "0") or "0") in ("1", "true", "yes"),
        line_channel_secret=_env("LINE_CHANNEL_SECRET"),
        line_channel_access_token=_env("LINE_CHANNEL_ACCESS_TOKEN"),
        line_api_base=_env("LINE_API_BASE", "https://api.line.me") or "",
        redis_url=_env("REDIS_URL"),
        timezone=_env("INTAKE_TIMEZONE", "Asia/Tokyo") or "Asia/Tokyo",
    )
