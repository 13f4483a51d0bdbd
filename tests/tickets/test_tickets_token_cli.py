"""``intake token create --days`` and ``intake token list`` showing expiry and last use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.tickets import Role, TicketStore


@pytest.fixture
def cli_store(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TicketStore]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))
    store = TicketStore(db_url)
    store.create_user("sato", "correct horse battery", role=Role.COORDINATOR, city="ube")
    yield store
    store.dispose()


def test_token_list_shows_expiry_and_last_use(cli_store: TicketStore, capsys) -> None:
    assert main(["token", "create", "sato", "--label", "kintone", "--days", "30"]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["token", "create", "sato", "--label", "spare"]) == 0
    capsys.readouterr()
    assert cli_store.user_by_api_token(token) is not None

    assert main(["token", "list", "sato"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    used, spare = (line.split("\t") for line in lines)
    assert used[2] == "kintone" and spare[2] == "spare"
    assert used[4].startswith("expires ") and used[5].startswith("last used ")
    assert spare[5] == "never used"
    info = cli_store.list_api_tokens("sato")
    assert (info[0].expires_at - info[0].created_at).days == 30
    assert (info[1].expires_at - info[1].created_at).days == 90


def test_token_days_must_be_positive(cli_store: TicketStore, capsys) -> None:
    assert main(["token", "create", "sato", "--days", "0"]) == 1
    assert cli_store.list_api_tokens("sato") == []
