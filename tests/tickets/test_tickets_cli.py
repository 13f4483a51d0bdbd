"""``intake user|token|db|outbox`` through ``bot.cli.main``, configured only by settings."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.tickets import Outbox, TicketStore

PASSWORD = "correct horse battery"


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TicketStore]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))
    store = TicketStore(db_url)
    yield store
    store.dispose()


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_add_reads_password_from_stdin(
    cli_env: TicketStore, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    argv = ["user", "add", "tanaka", "--role", "staff", "--city", "ube"]
    code = main([*argv, "--window", "ube.seikatsu_support", "--password-stdin"])
    assert code == 0
    assert "tanaka" in capsys.readouterr().out
    assert cli_env.authenticate("tanaka", PASSWORD) is not None  # newline not part of it

    assert main(["user", "list"]) == 0
    assert "tanaka\tstaff\tube\tube.seikatsu_support\tactive" in capsys.readouterr().out
    assert main(["user", "disable", "tanaka"]) == 0
    assert cli_env.authenticate("tanaka", PASSWORD) is None


def test_user_add_refuses_short_password_clearly(
    cli_env: TicketStore, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _stdin(monkeypatch, "short\n")
    code = main(
        ["user", "add", "sato", "--role", "coordinator", "--city", "ube", "--password-stdin"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "12文字以上" in err and "at least 12 characters" in err
    assert cli_env.get_user("sato") is None


def test_token_create_prints_token_once_then_revoke(
    cli_env: TicketStore, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    cli_env.create_user("sato", PASSWORD, role="admin", city="ube")
    assert main(["token", "create", "sato", "--label", "console"]) == 0
    out = capsys.readouterr().out
    token = out.strip()
    assert out.count("\n") == 1, "stdout holds the token and nothing else"
    owner = cli_env.user_by_api_token(token)
    assert owner is not None and owner.username == "sato"

    assert main(["token", "list", "sato"]) == 0
    listing = capsys.readouterr().out
    assert token not in listing and "console" in listing
    token_id = listing.split("\t")[0]
    assert main(["token", "revoke", token_id]) == 0
    assert cli_env.user_by_api_token(token) is None


def test_db_upgrade_and_current(cli_env: TicketStore, capsys) -> None:
    assert main(["db", "upgrade"]) == 0  # already at head: no-op
    assert main(["db", "current"]) == 0
    assert "current=0005 head=0005" in capsys.readouterr().out


def test_outbox_flush_delivers_the_queue_once_and_prints_the_references(
    cli_env: TicketStore, tmp_path: Path, make_submission, capsys
) -> None:
    Outbox(tmp_path / "var" / "outbox").put(make_submission())
    assert main(["outbox", "status"]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert main(["outbox", "flush"]) == 0
    assert capsys.readouterr().out.strip() == "UBE-2026-000001"
    assert main(["outbox", "flush"]) == 0
    assert capsys.readouterr().out.strip() == ""


def test_unknown_user_is_an_error_not_a_traceback(cli_env: TicketStore, capsys) -> None:
    assert main(["user", "disable", "nobody"]) == 1
    assert "no such user" in capsys.readouterr().err
