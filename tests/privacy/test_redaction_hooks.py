"""Log redaction is switched on where each server starts, and nowhere else.

The action server: rasa-sdk started as `rasa run actions` starts it (``rasa_sdk.endpoint.run``)
calls the plugin the ``actions`` package registers. Rasa: see tests/trackers (the tracker
store) and tests/test_endpoints_production.py (the production endpoints file builds it).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.privacy.logs import REDACTION_ON, hash_user_id, is_installed
from bot.settings import PROJECT_ROOT
from tests.ports import free_port

LINE_ID = "U" + "fedcba9876543210" * 2
PHONE = "090-8765-4321"


def test_importing_the_actions_leaves_logging_alone() -> None:
    """Tests and tools import the actions too: their logging must not change behind them."""
    importlib.import_module("actions")
    assert not is_installed()


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_action_server_redacts_its_log_once_it_serves(tmp_path: Path) -> None:
    """rasa-sdk logs an unknown action's name as sent; a request naming a LINE user id and a
    phone number leaves a hash and a placeholder in the action server's log."""
    port = free_port()
    log = tmp_path / "actions.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={"PATH": "/usr/bin:/bin", "SANIC_HOST": "127.0.0.1", "HOME": str(tmp_path)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")[-2000:]
            assert time.monotonic() < deadline, "action server not up after 60 s"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        status = _post(
            f"http://127.0.0.1:{port}/webhook",
            {"next_action": f"action_for {LINE_ID} {PHONE}", "tracker": {"sender_id": LINE_ID}},
        )
    finally:
        process.terminate()
        process.wait(timeout=20)
    output = log.read_text(encoding="utf-8")
    assert status == 404
    assert REDACTION_ON in output and "action_for" in output
    assert LINE_ID not in output and PHONE not in output
    assert hash_user_id(LINE_ID) in output
