"""``make run-scaled`` (scripts/run_scaled.sh, deploy/haproxy.cfg): a guard on the files.

The scaled layout publishes one entry point. What must hold whatever is edited later: Rasa
(whose REST channel believes any sender id, and whose HTTP API reads every conversation) is
reached only through the internal frontend, by sender; every server listens on loopback with
Rasa's API token; what the servers write is private; HAProxy logs neither paths nor queries
(sender ids, the chat proxy's ``?token=``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from bot.settings import PROJECT_ROOT

SCRIPT = (PROJECT_ROOT / "scripts" / "run_scaled.sh").read_text(encoding="utf-8")
CONFIG = (PROJECT_ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")


def _section(name: str) -> str:
    """The lines of one HAProxy section (``frontend public``, ``backend rasa`` ...)."""
    match = re.search(rf"^{re.escape(name)}\n((?:[ \t]+.*\n|\s*\n|#.*\n)*)", CONFIG, re.M)
    assert match, name
    lines = match.group(1).splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith("#"))


def test_the_public_frontend_never_reaches_rasa() -> None:
    """Only LINE's webhook (to the routers) and the console/chat are public."""
    public = _section("frontend public")
    assert "backend rasa" not in public and "use_backend rasa" not in public
    assert "default_backend console" in public
    assert "use_backend line_routers if { path_beg /webhooks/line/ }" in public


def test_rasa_is_chosen_by_sender_with_consistent_hashing() -> None:
    """Sender affinity is what keeps one conversation's messages in order (RasaHQ/rasa#9213)."""
    rasa = _section("backend rasa")
    assert "balance hash var(txn.sender)" in rasa
    assert "hash-type consistent" in rasa
    assert "json_query('$.sender')" in rasa and "req.hdr(X-Sender-Id)" in rasa
    assert "option httpchk" in rasa


def test_haproxy_logs_no_path_query_or_client_address() -> None:
    """Paths carry sender ids (LINE user ids), queries the chat proxy's token."""
    log_format = re.search(r'log-format "([^"]*)"', CONFIG)
    assert log_format
    for field in (r"%r(?!c)", "%HU", "%HP", "%HQ", "%ci", r"%\[path", r"%\[url"):
        assert not re.search(field, log_format.group(1)), field


def test_servers_listen_on_loopback_with_the_token_and_write_private_files() -> None:
    assert "umask 077" in SCRIPT
    assert 'SANIC_HOST=127.0.0.1 start "action server"' in SCRIPT
    rasa = re.search(r'start "Rasa on port \$port" (.*?)> "\$LOGS', SCRIPT, re.S)
    assert rasa
    assert '--auth-token="$RASA_AUTH_TOKEN"' in rasa.group(1)
    assert "--interface 127.0.0.1" in rasa.group(1)
    assert "--endpoints endpoints.production.yml" in rasa.group(1)
    assert 'HAPROXY_PUBLIC_BIND="127.0.0.1:' in SCRIPT
    assert 'HAPROXY_INTERNAL_BIND="127.0.0.1:' in SCRIPT


def test_haproxy_accepts_the_config() -> None:
    """The file HAProxy is started with parses, with the script's variables."""
    env = {
        **os.environ,
        "HAPROXY_STATS_SOCKET": "/tmp/unused.sock",
        "HAPROXY_PUBLIC_BIND": "127.0.0.1:1",
        "HAPROXY_INTERNAL_BIND": "127.0.0.1:2",
        "RASA1_ADDR": "127.0.0.1:3",
        "RASA2_ADDR": "127.0.0.1:4",
        "LINE_ROUTER_ADDR": "127.0.0.1:5",
        "CONSOLE_ADDR": "127.0.0.1:6",
    }
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(binary):
        pytest.fail("haproxy is not installed: `make haproxy` (part of `make test`)")
    result = subprocess.run(
        [binary, "-c", "-f", str(PROJECT_ROOT / "deploy" / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
