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


def _int(name: str, default: int) -> int:
    """An integer variable; a typo fails at start-up naming the variable, not deep in a request."""
    raw = _env(name)
    try:
        return default if raw is None else int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = _env(name)
    try:
        return default if raw is None else float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


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
    cookie_secure: bool = False
    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_base: str = "https://api.line.me"
    # Shared state between several instances (LINE redelivery de-duplication); in-process if unset.
    redis_url: str | None = None
    timezone: str = "Asia/Tokyo"
    # Rasa's HTTP API (trackers: residents' messages) answers only with this
    # token (`rasa run --auth-token`); clients such as the chat proxy send it. make run makes one.
    rasa_auth_token: str | None = None
    # Website chat identity and flood limits. The chat's sender cookie is signed with this secret;
    # generated per process when unset (conversations then restart with the process: dev only).
    web_session_secret: str | None = None
    # How many reverse proxies in front of the chat append to X-Forwarded-For (0: trust none,
    # use the peer address). Set to 1 behind one nginx that the city runs.
    web_trusted_proxy_hops: int = 0
    # Messages per window: per web chat conversation, per client address, per LINE user.
    rate_window_seconds: float = 60.0
    rate_web_sender: int = 20
    rate_web_ip: int = 60
    rate_line_user: int = 20
    # New web chat conversations (sender ids) one client address may start per hour: without
    # it a script that drops its cookie escapes the per-conversation limit and the per-sender
    # review mark. Generous, because mobile carriers put many residents behind one IPv4
    # address (CGNAT) and a household shares one; IPv6 clients are counted per /64.
    rate_web_new_conversations: int = 30

    # How long conversations are kept: Rasa's conversations (the SQL tracker store's ``events``)
    # and outbox leftovers are deleted after ``retention_days`` by ``intake purge``; a conversation
    # whose intake ended in a declined consent after ``declined_retention_hours``. The tracker
    # database: TRACKER_DB_URL, else the TRACKER_DB_* of endpoints.production.yml, else SQLite
    # under var/ (the embedded default in endpoints.yml).
    tracker_db_url: str = field(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'trackers.sqlite3'}"
    )
    retention_days: int = 90
    declined_retention_hours: int = 24

    # Console sessions: they end after this idle time and, however busy, after
    # the absolute maximum (a shift on a shared PC). ``cookie_secure`` above *forces* Secure
    # cookies and HSTS; they are on anyway whenever ``console_host`` is not loopback.
    console_session_idle_minutes: int = 30
    console_session_max_hours: int = 8
    # Reverse proxies in front of the console that append to X-Forwarded-For (0: none; the
    # peer address is the client). Login throttling is per client, so this must be right.
    console_trusted_proxy_hops: int = 0
    # Default lifetime of a new API token (``intake token create --days`` overrides it).
    api_token_days: int = 90
    # More tickets than this from one sender within 24 hours are created but marked for review.
    review_tickets_per_day: int = 3

    # Outbox drainer: the drainer (`intake outbox drain`) looks for queued intakes every
    # ``outbox_poll_seconds``; while the database is down it waits base·2^n seconds, capped
    # at ``outbox_backoff_max_seconds``, with jitter (several drainers do not retry in step).
    outbox_poll_seconds: float = 5.0
    outbox_backoff_base_seconds: float = 1.0
    outbox_backoff_max_seconds: float = 60.0

    # Analytics (bot/analytics): masked rows for the cities' planning teams. Their database
    # (default: the ticket database; the tables are ``analytic_*``), the secret that turns
    # sender ids into conversation hashes (required, >= 16 characters; make run keeps one in
    # var/analytics_salt), and how long rows are kept (``intake analytics purge``).
    analytics_database_url: str = field(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'tickets.sqlite3'}"
    )
    analytics_salt: str | None = None
    analytics_retention_days: int = 400
    # Where the consumer reads Rasa's events: RabbitMQ (Rasa's ``pika`` broker, production)
    # when ``rabbitmq_url`` is set, else the SQL broker's table (endpoints.yml, embedded).
    # RABBITMQ_URL, else the RABBITMQ_* variables endpoints.production.yml gives Rasa.
    rabbitmq_url: str | None = None
    analytics_queue: str = "intake_analytics"
    event_broker_db_url: str = field(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'events.sqlite3'}"
    )

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
        console_port=_int("CONSOLE_PORT", 8080),
        cookie_secure=(_env("CONSOLE_COOKIE_SECURE", "0") or "0") in ("1", "true", "yes"),
        line_channel_secret=_env("LINE_CHANNEL_SECRET"),
        line_channel_access_token=_env("LINE_CHANNEL_ACCESS_TOKEN"),
        line_api_base=_env("LINE_API_BASE", "https://api.line.me") or "",
        redis_url=_env("REDIS_URL"),
        timezone=_env("INTAKE_TIMEZONE", "Asia/Tokyo") or "Asia/Tokyo",
        rasa_auth_token=_env("RASA_AUTH_TOKEN"),
        # Website chat identity and flood limits
        web_session_secret=_env("WEB_SESSION_SECRET"),
        web_trusted_proxy_hops=_int("WEB_TRUSTED_PROXY_HOPS", 0),
        rate_window_seconds=_float("RATE_LIMIT_WINDOW_SECONDS", 60),
        rate_web_sender=_int("RATE_LIMIT_WEB_SENDER", 20),
        rate_web_ip=_int("RATE_LIMIT_WEB_IP", 60),
        rate_line_user=_int("RATE_LIMIT_LINE_USER", 20),
        rate_web_new_conversations=_int("RATE_LIMIT_WEB_NEW_CONVERSATIONS", 30),
        # Conversations and how long they are kept
        tracker_db_url=_tracker_db_url(var_dir),
        retention_days=_int("RETENTION_DAYS", 90),
        declined_retention_hours=_int("DECLINED_RETENTION_HOURS", 24),
        # Console sessions, tokens and the review mark
        console_session_idle_minutes=_int("CONSOLE_SESSION_IDLE_MINUTES", 30),
        console_session_max_hours=_int("CONSOLE_SESSION_MAX_HOURS", 8),
        console_trusted_proxy_hops=_int("CONSOLE_TRUSTED_PROXY_HOPS", 0),
        api_token_days=_int("API_TOKEN_DAYS", 90),
        review_tickets_per_day=_int("REVIEW_TICKETS_PER_DAY", 3),
        # Outbox drainer
        outbox_poll_seconds=_float("OUTBOX_POLL_SECONDS", 5),
        outbox_backoff_base_seconds=_float("OUTBOX_BACKOFF_BASE_SECONDS", 1),
        outbox_backoff_max_seconds=_float("OUTBOX_BACKOFF_MAX_SECONDS", 60),
        # Analytics
        analytics_database_url=_env("ANALYTICS_DATABASE_URL")
        or _env("DATABASE_URL", f"sqlite:///{var_dir / 'tickets.sqlite3'}")
        or "",
        analytics_salt=_env("ANALYTICS_SALT"),
        analytics_retention_days=_int("ANALYTICS_RETENTION_DAYS", 400),
        rabbitmq_url=_rabbitmq_url(),
        analytics_queue=_env("RABBITMQ_QUEUE", "intake_analytics") or "intake_analytics",
        event_broker_db_url=_env("EVENT_BROKER_DB_URL", f"sqlite:///{var_dir / 'events.sqlite3'}")
        or "",
    )


def _rabbitmq_url() -> str | None:
    """The AMQP URL of the RabbitMQ that Rasa's ``pika`` event broker publishes to.

    RABBITMQ_URL, else built from the RABBITMQ_* variables endpoints.production.yml gives Rasa,
    so the consumer and the Rasa servers cannot be pointed at two different brokers by accident.
    """
    explicit = _env("RABBITMQ_URL")
    if explicit:
        return explicit
    host = _env("RABBITMQ_HOST")
    if not host:
        return None
    from urllib.parse import quote

    user = quote(_env("RABBITMQ_USERNAME", "guest") or "", safe="")
    password = quote(_env("RABBITMQ_PASSWORD", "") or "", safe="")
    port = _env("RABBITMQ_PORT", "5672")
    return f"amqp://{user}:{password}@{host}:{port}/"


def _tracker_db_url(var_dir: Path) -> str:
    """Where Rasa keeps conversations, for ``intake purge``.

    The same variables as Rasa's endpoints files, so the purge on a production host reads the
    database the Rasa servers write without a second place to configure it.
    """
    explicit = _env("TRACKER_DB_URL")
    if explicit:
        return explicit
    host = _env("TRACKER_DB_HOST")
    if host:
        from urllib.parse import quote

        user = quote(_env("TRACKER_DB_USER", "") or "", safe="")
        password = quote(_env("TRACKER_DB_PASSWORD", "") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = _env("TRACKER_DB_PORT", "5432")
        name = _env("TRACKER_DB_NAME", "rasa")
        return f"postgresql+psycopg2://{auth}{host}:{port}/{name}"
    return f"sqlite:///{var_dir / 'trackers.sqlite3'}"
