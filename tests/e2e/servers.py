"""Start the real action server and Rasa servers on free loopback ports for end-to-end tests.

Each is a separate process, as in production; their database and var/ directory are the test's
own, passed through the environment (bot.settings reads them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        **(extra or {}),
    }


@contextmanager
def action_server(work_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """The action server; yields its webhook URL."""
    port = free_port()
    log = work_dir / f"actions-{port}.log"
    command = [str(BIN / "rasa"), "run", "actions", "--port", str(port)]
    with _process(command, env, log) as process:
        _wait(f"http://127.0.0.1:{port}/health", 60, process, log)
        yield f"http://127.0.0.1:{port}/webhook"


@contextmanager
def rasa_server(work_dir: Path, endpoints: Path, env: dict[str, str]) -> Iterator[str]:
    """A Rasa server with the REST and LINE channels; yields its base URL."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: `make test` trains it before pytest runs")
    port = free_port()
    log = work_dir / f"rasa-{port}.log"
    command = [
        str(BIN / "rasa"),
        "run",
        "--enable-api",
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
        _wait(f"http://127.0.0.1:{port}/status", 240, process, log)
        yield f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RunningBot:
    rasa_url: str
    action_url: str
    database_url: str
    var_dir: Path


@contextmanager
def running_bot(
    work_dir: Path, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[RunningBot]:
    """Action server + one Rasa server using ``database_url`` for tickets."""
    var_dir = work_dir / "var"
    env = bot_env(var_dir, database_url, extra_env)
    with ExitStack() as stack:
        action_url = stack.enter_context(action_server(work_dir, env))
        endpoints = work_dir / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "{action_url}"\n', encoding="utf-8")
        rasa_url = stack.enter_context(rasa_server(work_dir, endpoints, env))
        yield RunningBot(rasa_url, action_url, database_url, var_dir)
