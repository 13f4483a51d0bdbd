"""``make run`` (scripts/run_all.sh) starts the servers locked down: a guard on the script itself.

The real proof is end to end (tests/e2e/test_rest_to_console.py starts the servers with the
same flags and checks 401s and loopback-only sockets); this cheap test catches an edit of the
script that drops a flag, which the e2e test, starting its own processes, cannot see.
"""

from __future__ import annotations

import shlex

from bot.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "run_all.sh"


def _commands() -> list[list[str]]:
    """Each shell command of the script as words (continuation lines joined, comments dropped)."""
    text = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        commands.append(shlex.split(line, comments=True))
    return commands


def _started(*words: str) -> list[str]:
    """The command line that runs ``$BIN/<words...>`` (with any VAR=value prefixes)."""
    for command in _commands():
        for index, word in enumerate(command):
            following = tuple(command[index + 1 : index + len(words)])
            if not word.endswith(f"/{words[0]}") or following != words[1:]:
                continue
            if words == ("rasa", "run") and command[index + 2 : index + 3] == ["actions"]:
                continue
            return command
    raise AssertionError(f"scripts/run_all.sh does not start {' '.join(words)}")


def test_rasa_http_api_requires_the_session_token_and_listens_on_loopback_only() -> None:
    rasa = _started("rasa", "run")
    assert "--enable-api" in rasa
    # One word, "--auth-token=…": a generated token may start with "-" (see the next test).
    assert "--auth-token=$RASA_AUTH_TOKEN" in rasa
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"


def test_a_token_starting_with_a_dash_still_reaches_rasa() -> None:
    """token_urlsafe starts with "-" one time in 64: Rasa must still take it as the token."""
    from rasa.__main__ import create_argument_parser

    token = "-" + "x" * 42
    args = create_argument_parser().parse_args(["run", "--enable-api", f"--auth-token={token}"])
    assert args.auth_token == token


def test_action_server_listens_on_loopback_only() -> None:
    actions = _started("rasa", "run", "actions")
    # rasa_sdk has no host option; its endpoint reads SANIC_HOST (default 0.0.0.0: every interface).
    assert "SANIC_HOST=127.0.0.1" in actions


def test_the_token_is_made_when_unset_and_exported_before_any_server_starts() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    export = text.index("export RASA_AUTH_TOKEN")
    assert "secrets" in text[:export] or "openssl rand" in text[:export]
    assert export < text.index('"$BIN/rasa" run')
    assert export < text.index("bot.console")


def test_files_are_private_from_the_first_command_and_var_is_closed() -> None:
    """Conversations (trackers), tickets, the outbox and logs hold personal data: nothing the
    servers create may be readable by other users of the host, and an older world-readable
    var/ is closed too."""
    commands = _commands()
    umask = commands.index(["umask", "077"])
    assert all(command[0] in ("set", "cd") for command in commands[:umask]), (
        "umask 077 must come before anything that can create a file"
    )
    chmod = commands.index(["chmod", "700", "var"])
    first_server = next(i for i, command in enumerate(commands) if "$BIN" in " ".join(command))
    assert umask < chmod < first_server
