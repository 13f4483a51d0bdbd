"""`intake purge`: conversations past the retention period, conversations whose consent was
declined, and outbox leftovers are deleted; what the bot needs now and intakes still waiting
for delivery are kept. Against Rasa's real SQL tracker store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from bot.retention import purge
from tests.retention.conftest import NOW

DAYS_90 = timedelta(days=90)
HOURS_24 = timedelta(hours=24)
PHONE = "090-5555-6666"


def _texts(url: str, sender: str) -> list[str]:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        data = [row[0] for row in rows]
    engine.dispose()
    return data


def _said(url: str, sender: str, text: str) -> bool:
    """Whether any stored event of ``sender`` holds ``text`` (Rasa stores JSON, \\u-escaped)."""
    return any(
        text in json.dumps(json.loads(data), ensure_ascii=False) for data in _texts(url, sender)
    )


async def test_old_conversations_go_and_recent_ones_stay(tracker_db_url, save_conversation):
    """A resident who last wrote 100 days ago leaves nothing behind; one who wrote yesterday
    keeps the whole conversation."""
    await save_conversation(
        "old",
        [(100, SessionStarted()), (100, UserUttered("借金が返せない")), (99, ActionExecuted("x"))],
    )
    await save_conversation("recent", [(1, SessionStarted()), (1, UserUttered("家賃が払えない"))])

    report = purge(tracker_db_url, None, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    assert _texts(tracker_db_url, "old") == []
    assert _said(tracker_db_url, "recent", "家賃が払えない")
    assert (report.conversations, report.events) == (1, 3)


async def test_earlier_sessions_go_and_the_current_session_stays(
    tracker_db_url, save_conversation, tracker_store
):
    """A LINE user who comes back months later: the old consultation is deleted, the bot still
    remembers everything of the current session."""
    await save_conversation(
        "returning",
        [
            (120, SessionStarted()),
            (120, UserUttered("母の介護がつらい")),
            (2, SessionStarted()),
            (2, UserUttered("宇部市に住んでいます")),
            (2, SlotSet("city", "ube")),
        ],
    )

    purge(tracker_db_url, None, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    assert not _said(tracker_db_url, "returning", "母の介護がつらい")
    tracker = await tracker_store.retrieve("returning")
    assert tracker.get_slot("city") == "ube"
    assert tracker.latest_message.text == "宇部市に住んでいます"


async def test_a_declined_consent_keeps_nothing_after_the_short_window(
    tracker_db_url, save_conversation
):
    """No consent, no conversation: after the window only the anonymous count remains. A
    resident still writing, or who said yes after all, keeps the conversation."""
    await save_conversation(
        "declined",
        [
            (3, SessionStarted()),
            (3, UserUttered("090-1111-2222")),
            (2, SlotSet("intake_consent", "no")),
        ],
    )
    await save_conversation(
        "declined-just-now",
        [(0.01, SessionStarted()), (0.01, SlotSet("intake_consent", "no"))],
    )
    await save_conversation(
        "changed-mind",
        [
            (3, SessionStarted()),
            (3, SlotSet("intake_consent", "no")),
            (2, SlotSet("intake_consent", "yes")),
            (2, ActionExecuted("action_submit_intake")),
            (2, SlotSet("intake_consent", None)),
        ],
    )

    report = purge(tracker_db_url, None, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    assert _texts(tracker_db_url, "declined") == []
    assert _texts(tracker_db_url, "declined-just-now")
    assert _texts(tracker_db_url, "changed-mind")
    assert (report.conversations, report.declined_conversations) == (1, 1)


def _intake(consent: str, end: str | None, days_ago: float = 2) -> list[tuple[float, Any]]:
    """One intake as the bot stores it: the consent answer, then how it ended (the action
    that ran; ``None``: it never ended), then the answers forgotten (``_reset_intake``)."""
    timeline: list[tuple[float, Any]] = [
        (days_ago, UserUttered(f"電話は{PHONE}です")),
        (days_ago, SlotSet("intake_consent", consent)),
        (days_ago, ActionExecuted("action_intake_summary")),
    ]
    if end is not None:
        timeline += [(days_ago, ActionExecuted(end)), (days_ago, SlotSet("intake_consent", None))]
    return timeline


async def test_an_intake_ended_without_a_ticket_counts_as_declined(
    tracker_db_url, save_conversation
):
    """Consenting and then cancelling at the summary, skipping the consent question, or
    leaving before confirming all hand nothing over: the conversation goes after the short
    window, as a "no" does. The intake's anonymous count is all that remains."""
    for sender, end in [
        ("cancelled-at-summary", "action_cancel_intake"),
        ("left-at-summary", None),
    ]:
        await save_conversation(sender, [(3, SessionStarted()), *_intake("yes", end)])
    await save_conversation("skipped", [(3, SessionStarted()), *_intake("skipped", None)])

    report = purge(tracker_db_url, None, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    for sender in ("cancelled-at-summary", "left-at-summary", "skipped"):
        assert _texts(tracker_db_url, sender) == [], sender
    assert (report.conversations, report.declined_conversations) == (3, 3)


async def test_only_the_latest_intake_decides(tracker_db_url, save_conversation):
    """A resident whose latest intake became a ticket keeps the conversation for the full
    retention, whatever an earlier intake did; one whose latest intake was withdrawn does not,
    even after an earlier ticket. An intake still open (consent given a moment ago, summary not
    yet confirmed) is kept."""
    await save_conversation(
        "declined-then-sent",
        [
            (5, SessionStarted()),
            *_intake("no", "action_intake_summary", days_ago=5),
            (2, SessionStarted()),
            *_intake("yes", "action_submit_intake"),
        ],
    )
    await save_conversation(
        "sent-then-withdrawn",
        [
            (5, SessionStarted()),
            *_intake("yes", "action_submit_intake", days_ago=5),
            (2, SessionStarted()),
            *_intake("yes", "action_cancel_intake"),
        ],
    )
    await save_conversation(
        "still-open", [(0.01, SessionStarted()), *_intake("yes", None, days_ago=0.01)]
    )

    report = purge(tracker_db_url, None, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    assert _said(tracker_db_url, "declined-then-sent", PHONE)
    assert _texts(tracker_db_url, "sent-then-withdrawn") == []
    assert _said(tracker_db_url, "still-open", PHONE)
    assert (report.conversations, report.declined_conversations) == (1, 1)


async def test_an_open_intake_survives_a_window_of_zero_hours(
    tracker_db_url, save_conversation, tracker_store
):
    """With `--declined-hours 0` a "no" goes at the next purge, but a resident who consented
    ten minutes ago and has not yet confirmed the summary can still send the intake: the
    conversation stays until Rasa's session (60 idle minutes) would have ended anyway."""
    ten_minutes = 10 / (24 * 60)
    await save_conversation(
        "confirming", [(ten_minutes, SessionStarted()), *_intake("yes", None, ten_minutes)]
    )
    await save_conversation(
        "said-no",
        [(ten_minutes, SessionStarted()), *_intake("no", "action_intake_summary", ten_minutes)],
    )

    purge(tracker_db_url, None, older_than=DAYS_90, declined_after=timedelta(0), now=NOW)

    assert (await tracker_store.retrieve("confirming")).get_slot("intake_consent") == "yes"
    assert _texts(tracker_db_url, "said-no") == []


async def test_a_dry_run_counts_and_deletes_nothing(tracker_db_url, save_conversation, tmp_path):
    """`--dry-run` shows what would go, exactly, and keeps everything."""
    await save_conversation("old", [(100, SessionStarted()), (100, UserUttered("借金"))])
    outbox = _outbox_with_leftovers(tmp_path)

    dry = purge(
        tracker_db_url, outbox, older_than=DAYS_90, declined_after=HOURS_24, now=NOW, dry_run=True
    )
    assert _said(tracker_db_url, "old", "借金")
    assert (outbox / "failed" / "old.json").exists()

    real = purge(tracker_db_url, outbox, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)
    assert (dry.events, dry.conversations, dry.outbox_files) == (
        real.events,
        real.conversations,
        real.outbox_files,
    )
    assert dry.dry_run and not real.dry_run and real.events == 2


def _outbox_with_leftovers(tmp_path: Path) -> Path:
    outbox = tmp_path / "outbox"
    (outbox / "failed").mkdir(parents=True)
    old = (NOW - timedelta(days=100)).timestamp()
    for path in [
        outbox / "failed" / "old.json",
        outbox / "failed" / "recent.json",
        outbox / ".tmp-abandoned.json",
        outbox / "waiting.json",
    ]:
        path.write_text("{}", encoding="utf-8")
        if path.name != "recent.json":
            os.utime(path, (old, old))
    return outbox


def test_outbox_leftovers_go_but_waiting_intakes_stay(tmp_path) -> None:
    """Quarantined and abandoned files past the retention are deleted; an intake still
    waiting for delivery is a consented intake and is never deleted, however old."""
    outbox = _outbox_with_leftovers(tmp_path)

    report = purge(None, outbox, older_than=DAYS_90, declined_after=HOURS_24, now=NOW)

    assert report.outbox_files == 2
    assert sorted(p.name for p in outbox.rglob("*") if p.is_file()) == [
        "recent.json",
        "waiting.json",
    ]


def test_no_tracker_table_yet_is_not_an_error(tmp_path) -> None:
    """A fresh installation (Rasa never started) purges nothing and says so."""
    report = purge(
        f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        tmp_path / "outbox",
        older_than=DAYS_90,
        declined_after=HOURS_24,
        now=NOW,
    )
    assert (report.events, report.conversations, report.outbox_files) == (0, 0, 0)
