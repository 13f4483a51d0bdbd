"""`intake purge` reads where the conversations are from the settings and prints counts."""

from __future__ import annotations

from rasa.shared.core.events import SessionStarted, UserUttered

from bot.cli import main


async def test_intake_purge_deletes_and_dry_run_only_counts(
    tracker_db_url, save_conversation, tmp_path, monkeypatch, capsys
):
    """The daily job: `--dry-run` first shows the count, then the real run deletes it; no
    resident text is printed."""
    await save_conversation("long-ago", [(400, SessionStarted()), (400, UserUttered("借金"))])
    monkeypatch.setenv("TRACKER_DB_URL", tracker_db_url)
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))

    assert main(["purge", "--older-than", "365", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "events=2" in dry and "conversations=1" in dry and "would delete" in dry
    assert main(["purge", "--older-than", "365"]) == 0
    assert "events=2" in capsys.readouterr().out
    assert main(["purge"]) == 0  # default retention from settings: nothing left
    out = capsys.readouterr().out
    assert "events=0" in out and "90 days" in out and "借金" not in out
