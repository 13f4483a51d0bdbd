"""Analytic tables: Alembic-only schema on SQLite and PostgreSQL, idempotent ingestion (issue 10).

Protected behaviour: the analytic history is separate (``alembic_version_analytics``) and can
share the ticket store's database without touching it; the migrated schema matches the ORM
mapping; ``AnalyticsStore.record`` applies a batch in one transaction and replaying it (or
part of it) changes no count, on both backends; flags never turn back off; the raw text and
the sender id are nowhere in the stored rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, inspect, select, text

from bot.analytics.events import CITY_CODES
from bot.analytics.migrate import (
    VERSION_TABLE,
    current_revision,
    downgrade_analytics,
    head_revision,
    include_name,
    upgrade_analytics,
)
from bot.analytics.schema import TABLE_NAMES, AnalyticBase, ConversationRow, MessageRow
from bot.analytics.store import AnalyticsStore
from bot.dialogue import texts as dialogue_texts
from bot.intake import questions
from bot.tickets import upgrade_database
from bot.tickets.engine import make_engine

SALT = "schema-test-salt-0123456789"
DECLINED = dialogue_texts.DECLINED_CONTACT


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'analytics.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(empty_url: str) -> Iterator[AnalyticsStore]:
    upgrade_analytics(empty_url)
    analytics = AnalyticsStore(empty_url, salt=SALT)
    yield analytics
    analytics.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_down_and_up_again(empty_url: str) -> None:
    upgrade_analytics(empty_url)
    assert _tables(empty_url) == set(TABLE_NAMES) | {VERSION_TABLE}
    expected = {f"analytic_{name}" for name in ("messages", "conversations", "labels", "offsets")}
    assert expected == TABLE_NAMES
    assert current_revision(empty_url) == head_revision() == "0002"
    upgrade_analytics(empty_url)  # a second upgrade at start-up is a no-op
    downgrade_analytics(empty_url)
    assert _tables(empty_url) == {VERSION_TABLE}
    assert current_revision(empty_url) is None


def test_shares_the_ticket_database_without_touching_it(empty_url: str) -> None:
    upgrade_database(empty_url)
    tickets = _tables(empty_url)
    upgrade_analytics(empty_url)
    assert _tables(empty_url) == tickets | set(TABLE_NAMES) | {VERSION_TABLE}
    downgrade_analytics(empty_url)
    assert _tables(empty_url) == tickets | {VERSION_TABLE}
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:  # the ticket history is where it was
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_orm_mapping(store: AnalyticsStore) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_name": include_name},
        )
        assert compare_metadata(context, AnalyticBase.metadata) == []


SENDERS = ["U" + f"{n:032x}" for n in range(3)]


def _t(minute: int) -> float:
    return datetime(2026, 4, 8, 1, minute, tzinfo=timezone.utc).timestamp()


def _user(sender: str, minute: int, text_: str, **parse: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "sender_id": sender,
        "timestamp": _t(minute),
        "text": text_,
        "input_channel": "web",
        "message_id": f"{sender}-{minute}",
        "parse_data": {"intent": {"name": parse.pop("intent", "share_worry"), "confidence": 0.9},
                       "entities": parse.pop("entities", []), **parse},
    }  # fmt: skip


def _slot(sender: str, minute: int, name: str, value: Any) -> dict[str, Any]:
    event = {"event": "slot", "sender_id": sender, "timestamp": _t(minute)}
    return {**event, "name": name, "value": value}


def _batch() -> list[dict[str, Any]]:
    a, b, c = SENDERS
    worry = {"worry_categories": {"categories": ["income", "isolation"],
                                  "confidence": {"income": 0.8, "isolation": 0.7}}}  # fmt: skip
    return [
        _user(a, 0, "宇部市です。仕事がなくて話し相手もいません。電話は090-1111-2222",
              entities=[{"entity": "city", "value": "ube"}], **worry),
        _slot(a, 0, "city", "ube"),
        _slot(a, 0, "routed_windows", ["ube.seikatsu_support"]),
        _slot(a, 1, "awaiting", "handoff_offer"),
        _user(a, 2, '/affirm', intent="affirm"),
        {"event": "active_loop", "sender_id": a, "timestamp": _t(2), "name": "intake_form"},
        {"event": "bot", "sender_id": a, "timestamp": _t(9),
         "text": questions.received("UBE-2026-000001", "窓口", None, None)},
        _user(b, 3, "ごみの出し方", intent="out_of_scope"),
        _slot(b, 4, "awaiting", "handoff_offer"),
        {"event": "bot", "sender_id": b, "timestamp": _t(5), "text": DECLINED},
        _user(c, 6, "お金がない", **worry),
        {"event": "user", "timestamp": _t(7), "text": "no sender"},  # malformed: skipped
    ]  # fmt: skip


def _counts(analytics: AnalyticsStore) -> dict[str, Any]:
    with analytics.session() as session:
        messages = session.execute(select(func.count()).select_from(MessageRow)).scalar_one()
        rows = session.execute(select(ConversationRow)).scalars().all()
        return {
            "messages": messages,
            "conversations": sorted(
                (
                    r.conversation_hash,
                    r.city,
                    r.channel,
                    r.message_count,
                    r.started_at,
                    r.last_event_at,
                    r.worry_recognised,
                    r.window_shown,
                    r.handoff_offered,
                    r.handoff_accepted,
                    r.consent_given,
                    r.consent_refused,
                    r.ticket_created,
                )
                for r in rows
            ),
        }


def test_replaying_a_batch_changes_nothing(store: AnalyticsStore) -> None:
    first = store.record(_batch(), offset=("sql:events", 12))
    assert (first.events, first.messages_inserted, first.conversations, first.skipped) == (
        12,
        4,
        3,
        1,
    )
    before = _counts(store)
    assert before["messages"] == 4
    again = store.record(_batch(), offset=("sql:events", 12))
    assert again.messages_inserted == 0
    assert _counts(store) == before
    # Part of the batch redelivered later (at-least-once) and an old offset: still nothing.
    store.record(_batch()[3:8], offset=("sql:events", 5))
    assert _counts(store) == before
    assert store.offset("sql:events") == 12
    assert store.offset("never") is None

    with store.session() as session:
        convs = {r.conversation_hash: r for r in session.execute(select(ConversationRow)).scalars()}
        msgs = session.execute(select(MessageRow).order_by(MessageRow.occurred_at)).scalars().all()
    a = next(r for r in convs.values() if r.ticket_created)
    assert (a.city, a.channel, a.message_count) == ("ube", "web", 1)  # the button is not text
    assert (a.worry_recognised, a.window_shown, a.handoff_offered, a.handoff_accepted) == (
        True,
        True,
        True,
        True,
    )
    assert a.consent_given is False  # the form started; no consent answer in this batch
    assert a.last_event_at == datetime(2026, 4, 8, 1, 9, tzinfo=timezone.utc)
    b = next(r for r in convs.values() if r.consent_refused)
    assert (b.handoff_offered, b.ticket_created, b.worry_recognised) == (True, False, False)
    assert msgs[0].city == "ube" and msgs[0].unrouted == ["isolation"]
    assert msgs[0].all_routed is False
    assert "〔電話〕" in msgs[0].masked_text and "090-1111-2222" not in msgs[0].masked_text
    assert msgs[1].is_payload and msgs[1].masked_text is None
    assert msgs[2].fallback == "out_of_scope"
    assert msgs[3].city is None and msgs[3].all_routed is None
    for m in msgs:
        assert m.city in (*CITY_CODES, "other", None)
        assert m.conversation_hash not in SENDERS


def test_a_batch_costs_the_same_statements_however_many_conversations_it_touches(
    store: AnalyticsStore,
) -> None:
    """The consumer keeps up with every instance's residents: a batch of 40 conversations
    takes as many statements as a batch of one (one per step, each with its rows; on
    PostgreSQL psycopg2 still sends the UPDATE once per conversation), and still counts each
    conversation's own messages."""

    def statements(batch: list[dict[str, Any]]) -> int:
        executed: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            executed.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            store.record(batch)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        return len(executed)

    alone = "A" + "0" * 31
    one = statements([_user(alone, 1, "家賃が払えません"), _slot(alone, 1, "city", "ube")])
    senders = ["B" + f"{n:031x}" for n in range(40)]
    many = statements(
        [e for s in senders for e in (_user(s, 2, "借金がつらい"), _user(s, 3, "はい"))]
    )
    assert many == one
    with store.session() as session:
        counts = session.execute(select(ConversationRow.message_count)).scalars().all()
    assert sorted(counts) == [1] + [2] * 40


def test_flags_never_turn_off_and_an_old_city_is_not_restored(store: AnalyticsStore) -> None:
    a = SENDERS[0]
    store.record([_slot(a, 10, "city", "kurume"), _slot(a, 10, "awaiting", "handoff_offer")])
    store.record([_slot(a, 20, "city", "fuji"), _slot(a, 20, "awaiting", None)])
    store.record([_slot(a, 10, "city", "kurume")])  # a late redelivery of the first batch
    with store.session() as session:
        row = session.execute(select(ConversationRow)).scalar_one()
    assert (row.city, row.handoff_offered) == ("fuji", True)
    assert row.started_at == datetime(2026, 4, 8, 1, 10, tzinfo=timezone.utc)
    assert row.last_event_at == datetime(2026, 4, 8, 1, 20, tzinfo=timezone.utc)


def test_answers_to_the_intake_questions_are_withheld_across_batches(
    store: AnalyticsStore,
) -> None:
    """While the intake form runs, a message is an answer about the resident (a name, a phone
    number in kanji numerals): its text is not stored, not even masked, and it never reaches
    the unmet-need inbox as a fallback. The question and the answer may come in different
    batches, so the state is kept with the conversation; after the form ends, text is stored
    again."""
    a = SENDERS[0]
    form = {"event": "active_loop", "sender_id": a, "timestamp": _t(1), "name": "intake_form"}
    done = {"event": "active_loop", "sender_id": a, "timestamp": _t(5), "name": None}
    store.record([_user(a, 0, "借金が返せません"), form])
    store.record([_user(a, 2, "みどり", intent="nlu_fallback")])
    store.record([_user(a, 3, "〇九〇の一二三四の五六七八", intent="nlu_fallback"), done])
    store.record([_user(a, 6, "ほかに家賃のことも", intent="nlu_fallback")])
    with store.session() as session:
        rows = session.execute(select(MessageRow).order_by(MessageRow.occurred_at)).scalars()
        found = [(m.masked_text, m.fallback) for m in rows]
        conversation = session.execute(select(ConversationRow)).scalar_one()
    assert found == [
        ("借金が返せません", None),
        (None, None),
        (None, None),
        ("ほかに家賃のことも", "nlu_fallback"),
    ]
    assert conversation.handoff_accepted and not conversation.in_intake
    assert conversation.message_count == 4  # withheld answers still count as messages
