"""Start the real action server and Rasa server on free loopback ports for end-to-end tests.

Both are separate processes, as in production; their database and var/ directory are the
test's own, passed through the environment (bot.settings reads them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
    """Action server + Rasa server (REST and LINE channels) using ``database_url`` for tickets."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: `make test` trains it before pytest runs")
    var_dir = work_dir / "var"
    (var_dir / "home").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(var_dir / "home"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "DATABASE_URL": database_url,
        "INTAKE_VAR_DIR": str(var_dir),
        **(extra_env or {}),
    }
    action_port, rasa_port = free_port(), free_port()
    endpoints = work_dir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8"
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        action_log = work_dir / "actions.log"
        with action_log.open("wb") as sink:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "rasa"), "run", "actions", "--port", str(action_port)],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            )
        rasa_log = work_dir / "rasa.log"
        with rasa_log.open("wb") as sink:
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "rasa"),
                        "run",
                        "--enable-api",
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(rasa_port),
                        "--model",
                        str(MODEL),
                        "--endpoints",
                        str(endpoints),
                        "--credentials",
                        str(PROJECT_ROOT / "credentials.yml"),
                    ],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait(f"http://127.0.0.1:{action_port}/health", 60, processes[0], action_log)
        _wait(f"http://127.0.0.1:{rasa_port}/status", 240, processes[1], rasa_log)
        yield RunningBot(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            action_url=f"http://127.0.0.1:{action_port}",
            database_url=database_url,
            var_dir=var_dir,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
