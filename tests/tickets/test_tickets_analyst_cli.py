"""Analyst accounts and the analytics grant from the command line (issue 10).

Protected behaviour: ``intake user add --role analyst --city ube|all`` creates analysts of
one city or of every city; ``--city all`` is refused for the ticket roles; ``--analytics``
and ``intake user analytics NAME grant|revoke`` give and take a ticket role's access to the
analytics pages; an analyst's access is the role and cannot be revoked.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.tickets import TicketStore

PASSWORD = "correct horse battery"


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TicketStore]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))
    store = TicketStore(db_url)
    yield store
    store.dispose()


def _add(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return main(["user", "add", *argv, "--password-stdin"])


def test_analysts_of_one_city_and_of_all(
    cli_env: TicketStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--city all`` makes an all-city analyst; a coordinator cannot have it."""
    assert _add(monkeypatch, "ube-analyst", "--role", "analyst", "--city", "ube") == 0
    assert _add(monkeypatch, "all-analyst", "--role", "analyst", "--city", "all") == 0
    one, every = cli_env.get_user("ube-analyst"), cli_env.get_user("all-analyst")
    assert one is not None and one.analytics_city == "ube" and not one.sees_tickets
    assert every is not None and every.analytics_city is None and every.sees_analytics
    capsys.readouterr()
    assert _add(monkeypatch, "coord-all", "--role", "coordinator", "--city", "all") == 1
    assert "all" in capsys.readouterr().err and cli_env.get_user("coord-all") is None
    assert main(["user", "analytics", "ube-analyst", "revoke"]) == 1


def test_grant_and_revoke_analytics(
    cli_env: TicketStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The grant is off by default, given by ``--analytics`` or ``grant``, taken by ``revoke``."""
    assert _add(monkeypatch, "coord", "--role", "coordinator", "--city", "ube") == 0
    assert (
        _add(monkeypatch, "granted", "--role", "coordinator", "--city", "ube", "--analytics") == 0
    )
    assert not cli_env.get_user("coord").can_view_analytics
    assert cli_env.get_user("granted").can_view_analytics
    assert main(["user", "analytics", "coord", "grant"]) == 0
    assert cli_env.get_user("coord").sees_analytics
    assert main(["user", "analytics", "coord", "revoke"]) == 0
    assert not cli_env.get_user("coord").sees_analytics
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    assert "granted\tcoordinator\tube\t-\tactive\tanalytics" in capsys.readouterr().out
