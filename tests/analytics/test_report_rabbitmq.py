"""The report over data that came the production way (issue 10, "known counts in the report").

Protected behaviour: 5,000 resident messages across the four cities, with the funnel's
outcomes written as the real actions write them (the intake form starting, the consent slot,
the submit action's real reply texts), are published by Rasa's own ``PikaEventBroker`` to the
machine's RabbitMQ, ingested by the consumer into PostgreSQL, and then ``build_report`` — the
object both the HTML and the CSV are rendered from — shows exactly the generator's counts:
categories × city × ISO week, the funnel steps and rates, crisis messages, the messages the
bot did not understand; for one city and for all four. The CSV carries the same numbers.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
from sqlalchemy.engine import Engine

from bot.analytics.charts import FUNNEL_LABELS, category_label, city_label
from bot.analytics.consumer import consume_rabbitmq
from bot.analytics.migrate import upgrade_analytics
from bot.analytics.report import Report, build_report, percent
from bot.analytics.report_csv import render_csv
from bot.analytics.store import AnalyticsStore
from bot.tickets.engine import make_engine
from tests.analytics.consumer_support import (
    SALT,
    TEST_RABBITMQ_URL,
    Route,
    fresh_route,
    publish_with_rasa,
)
from tests.analytics.event_dataset import CITIES, Expected, ReportCounts, generate

pytestmark = pytest.mark.postgres

SINCE, UNTIL = date(2026, 4, 1), date(2026, 6, 30)
NOW = datetime(2026, 7, 1, tzinfo=timezone.utc)  # every conversation long over


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Expected]]:
    """5,000+ messages through Rasa's pika broker, RabbitMQ and the consumer (once per module)."""
    from tests.services import postgres_schema

    events, expected = generate(0, seed=11, prefix="R", min_messages=5000, outcomes=True)
    assert expected.messages >= 5000 and set(expected.messages_by_city) == set(CITIES)
    with postgres_schema() as url, fresh_route() as route:
        upgrade_analytics(url)
        engine = make_engine(url)
        try:
            _ingest(engine, events, route)
            yield engine, expected
        finally:
            engine.dispose()


def _ingest(engine: Engine, events: list[dict[str, object]], route: Route) -> None:
    publish_with_rasa(events, route)
    store = AnalyticsStore(engine, salt=SALT)
    stats = asyncio.run(consume_rabbitmq(store, TEST_RABBITMQ_URL, route.queue, once=True))
    assert (stats.events, stats.skipped) == (len(events), 0)


def _section(report: Report, key: str) -> tuple[list[str], list[list[object]]]:
    section = next(s for s in report.sections if s.key == key)
    return section.columns, section.rows


def _weekly(report: Report) -> Counter[tuple[str, str, str]]:
    """The weekly table read back into (week, city label, category label) → count."""
    columns, rows = _section(report, "weekly")
    found: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        for label, value in zip(columns[2:-1], row[2:-1], strict=True):
            if value:
                found[(str(row[0]), str(row[1]), label)] += int(value)  # type: ignore[call-overload]
        assert row[-1] == sum(int(v) for v in row[2:-1])  # type: ignore[call-overload]
    return found


def _expected_weekly(counts: ReportCounts, city: str | None) -> Counter[tuple[str, str, str]]:
    return Counter(
        {
            (week, city_label(c), category_label(cat)): n
            for (week, c, cat), n in counts.weekly.items()
            if city is None or c == city
        }
    )


@pytest.mark.parametrize("city", ["kurume", None])
def test_report_shows_the_known_counts(ingested: tuple[Engine, Expected], city: str | None) -> None:
    engine, expected = ingested
    counts = expected.report
    report = build_report(engine, city, SINCE, UNTIL, now=NOW)

    assert _weekly(report) == _expected_weekly(counts, city)

    summary = dict(report.summary)
    started = counts.step("started", city)
    assert summary["会話数"] == started
    assert summary["住民のメッセージ数（ボタンを除く）"] == counts.total(counts.written, city)
    assert summary["危機を検知したメッセージ"] == counts.total(counts.crisis_messages, city)
    if city is None:
        assert started == expected.conversations
        assert summary["住民のメッセージ数（ボタンを除く）"] == expected.messages >= 5000

    _, funnel_rows = _section(report, "funnel")
    by_label = {row[0]: row[1] for row in funnel_rows}
    for name, label in FUNNEL_LABELS.items():
        assert by_label[label] == counts.step(name, city), name
    for step in ("ticket_created", "abandoned", "contained", "consent_refused"):
        assert counts.step(step, city) > 0, f"the data set has no {step}"

    _, rate_rows = _section(report, "rates")
    rates = {row[0]: row[1] for row in rate_rows}
    assert rates["自己解決率"] == percent(counts.step("contained", city) / started)
    assert rates["引き継ぎ率"] == percent(counts.step("handoff_accepted", city) / started)
    assert rates["受付率"] == percent(
        counts.step("ticket_created", city) / counts.step("handoff_offered", city)
    )
    assert rates["離脱率"] == percent(counts.step("abandoned", city) / started)

    _, fallback_rows = _section(report, "fallback")
    cities = [city] if city else list(CITIES)
    by_city = {row[0]: row for row in fallback_rows}
    for code in cities:
        row = by_city[city_label(code)]
        assert (row[1], row[2]) == (counts.written[code], counts.nlu_fallback[code])


def test_csv_carries_the_same_counts(ingested: tuple[Engine, Expected]) -> None:
    """What the planning meeting opens in Excel holds the numbers the report object holds."""
    engine, expected = ingested
    report = build_report(engine, "ube", SINCE, UNTIL, now=NOW)
    lines = list(csv.reader(io.StringIO(render_csv(report).decode("utf-8-sig"))))
    summary = {line[1]: line[2] for line in lines if line and line[0] == "概要"}
    assert int(summary["会話数"]) == expected.report.step("started", "ube")
    tickets = next(line for line in lines if line[1:2] == [FUNNEL_LABELS["ticket_created"]])
    assert int(tickets[2]) == expected.report.step("ticket_created", "ube")
