"""Start the real action server and Rasa servers on free loopback ports for end-to-end tests.

Each is a separate process started as in production (scripts/run_all.sh): Rasa's HTTP API
requires a token (``RASA_AUTH_TOKEN``, a fresh one per environment) and both servers listen on
127.0.0.1 only. Their databases (tickets and Rasa's SQL tracker store, SQLite or PostgreSQL) and
var/ directory are the test's own, passed through the environment and a written endpoints file;
the project's var/ is never touched.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT
from tests.ports import free_port

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
BIN = Path(sys.executable).parent


def _wait(url: str, seconds: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds} s; log:\n{log.read_text()[-3000:]}")


@contextmanager
def _process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def bot_env(
    var_dir: Path, database_url: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    (var_dir / "home").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "HOME": str(var_dir / "home"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "DATABASE_URL": database_url,
        "INTAKE_VAR_DIR": str(var_dir),
        # Never the developer's own token: every environment gets its own.
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(32),
        **(extra or {}),
    }


def listening_addresses(port: int) -> set[str]:
    """The local addresses TCP sockets listen on at ``port`` (from /proc/net/tcp and tcp6).

    What a server is bound to, read from the kernel: true on any host, whether or not it has
    a network address besides loopback to try connecting from. ``0.0.0.0`` or ``::`` means
    every interface.
    """
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(FileNotFoundError), open(table, encoding="ascii") as rows:
            next(rows)  # header
            for row in rows:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(_proc_address(address))
    return found


def _proc_address(hex_address: str) -> str:
    """/proc/net's hex address (32-bit words in host byte order, little-endian here)."""
    raw = b"".join(
        bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, len(hex_address), 8)
    )
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def accepts_connections(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` for this machine's own clients."""
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def action_endpoint_yaml(action_url: str) -> str:
    """The ``action_endpoint`` block as endpoints.yml has it, on the test's action server."""
    return f'action_endpoint:\n  url: "{action_url}"\n  enable_selective_domain: true\n'


# The class both endpoints files name: test servers run with the log redaction it switches on.
TRACKER_STORE = "bot.trackers.store.PrivateSQLTrackerStore"


def tracker_store_yaml(database_url: str, var_dir: Path) -> str:
    """The project's SQL tracker store on the test's backend: PostgreSQL (same schema), else
    SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return (
            f"tracker_store:\n  type: {TRACKER_STORE}\n  dialect: sqlite\n"
            f'  db: "{var_dir / "trackers.sqlite3"}"\n'
        )
    lines = [
        "tracker_store:",
        f"  type: {TRACKER_STORE}",
        "  dialect: postgresql",
        f'  url: "{url.host or "127.0.0.1"}"',
        f"  port: {url.port or 5432}",
        f'  db: "{url.database}"',
        f'  username: "{url.username or ""}"',
        f'  password: "{url.password or ""}"',
    ]
    if url.query:  # e.g. options=-csearch_path=<schema>: the trackers stay in the test's schema
        lines.append("  query:")
        lines += [f'    {key}: "{value}"' for key, value in url.query.items()]
    return "\n".join(lines) + "\n"


@contextmanager
def action_server(work_dir: Path, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """The action server on loopback only, as run_all.sh starts it; yields its webhook URL.

    ``port``: a chosen one (a test bringing the action server back where Rasa expects it)."""
    port = port or free_port()
    log = work_dir / f"actions-{port}.log"
    command = [str(BIN / "rasa"), "run", "actions", "--port", str(port)]
    # rasa_sdk has no host option and binds SANIC_HOST, by default every interface.
    with _process(command, {**env, "SANIC_HOST": "127.0.0.1"}, log) as process:
        _wait(f"http://127.0.0.1:{port}/health", 60, process, log)
        yield f"http://127.0.0.1:{port}/webhook"


@contextmanager
def rasa_server(work_dir: Path, endpoints: Path, env: dict[str, str]) -> Iterator[str]:
    """A Rasa server with the REST and LINE channels; yields its base URL.

    Its HTTP API (trackers, ``/status``) answers only with ``env["RASA_AUTH_TOKEN"]``.
    """
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: `make test` trains it before pytest runs")
    port = free_port()
    log = work_dir / f"rasa-{port}.log"
    command = [
        str(BIN / "rasa"),
        "run",
        "--enable-api",
        # One word: a token may start with "-" (token_urlsafe), which argparse would take
        # for an option if it came as a separate argument.
        f"--auth-token={env['RASA_AUTH_TOKEN']}",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        str(MODEL),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
    ]
    with _process(command, env, log) as process:
        token = env["RASA_AUTH_TOKEN"]
        _wait(f"http://127.0.0.1:{port}/status?token={token}", 240, process, log)
        yield f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RunningBot:
    rasa_url: str
    action_url: str
    database_url: str
    var_dir: Path
    auth_token: str  # what clients of Rasa's HTTP API (the chat proxy) must send


@contextmanager
def running_bot(
    work_dir: Path, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[RunningBot]:
    """Action server + one Rasa server using ``database_url`` for tickets and trackers."""
    var_dir = work_dir / "var"
    env = bot_env(var_dir, database_url, extra_env)
    with ExitStack() as stack:
        action_url = stack.enter_context(action_server(work_dir, env))
        endpoints = work_dir / "endpoints.yml"
        endpoints.write_text(
            action_endpoint_yaml(action_url) + tracker_store_yaml(database_url, var_dir),
            encoding="utf-8",
        )
        rasa_url = stack.enter_context(rasa_server(work_dir, endpoints, env))
        yield RunningBot(rasa_url, action_url, database_url, var_dir, env["RASA_AUTH_TOKEN"])


async def say_rest(session: aiohttp.ClientSession, rasa_url: str, sender: str, text: str) -> str:
    """One message through Rasa's REST channel, answered (200); the bot's replies as one text."""
    async with session.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as response:
        assert response.status == 200
        return "\n".join(reply.get("text", "") for reply in await response.json())
