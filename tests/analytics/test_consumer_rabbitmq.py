"""The production pipeline: Rasa's pika broker → RabbitMQ → consumer → PostgreSQL (issue 10).

Protected behaviour, all on the machine's real RabbitMQ and PostgreSQL:

* a generated stream of >= 5,000 events published by Rasa's own ``PikaEventBroker`` ends up
  as exactly the known counts per city × category, fallbacks and funnel flags;
* the same events delivered again (what RabbitMQ does after a lost ack) change no count;
* the production broker's messages, a turn's events each, are counted exactly as the same
  events one message each;
* a consumer killed (SIGKILL) in the middle of the stream and started again counts every
  event exactly once: nothing acknowledged before its commit, nothing committed twice;
* RabbitMQ restarted with messages queued, and again under a running consumer: nothing lost,
  nothing doubled, the consumer reconnects by itself.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.analytics.consumer import consume_rabbitmq
from bot.analytics.migrate import upgrade_analytics
from bot.analytics.store import AnalyticsStore
from bot.tickets.engine import make_engine
from tests.analytics.consumer_support import (
    SALT,
    TEST_RABBITMQ_URL,
    Route,
    assert_counts,
    fresh_route,
    message_count,
    publish_turns_with_production_broker,
    publish_with_rasa,
    queue_depth,
    restart_rabbitmq,
    start_consumer,
    turns_of,
    wait_until,
)
from tests.analytics.event_dataset import generate

pytestmark = pytest.mark.postgres


@pytest.fixture
def route() -> Iterator[Route]:
    with fresh_route() as route:
        yield route


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_analytics(pg_url)
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def test_rasa_pika_stream_is_counted_exactly_and_redelivery_changes_nothing(
    engine: Engine, route: Route
) -> None:
    events, expected = generate(5000, seed=1)
    assert expected.events >= 5000 and len(expected.messages_by_city) == 4
    publish_with_rasa(events, route)
    assert queue_depth(route.queue) == len(events)

    store = AnalyticsStore(engine, salt=SALT)
    stats = asyncio.run(consume_rabbitmq(store, TEST_RABBITMQ_URL, route.queue, once=True))
    assert stats.events == len(events) and stats.skipped == 0
    assert queue_depth(route.queue) == 0  # every message acknowledged
    assert_counts(engine, expected)

    # RabbitMQ redelivers what was not acknowledged: a second delivery of a part of the stream
    # (and of a body that is not an event at all) must not move any count.
    publish_with_rasa(events[1000:2500], route)
    again = asyncio.run(consume_rabbitmq(store, TEST_RABBITMQ_URL, route.queue, once=True))
    assert again.events == 1500 and again.messages_inserted == 0
    assert_counts(engine, expected)


def test_a_turn_published_as_one_message_is_counted_event_by_event(
    engine: Engine, route: Route
) -> None:
    """Production publishes a turn's events as one message (a twelfth of the deliveries):
    the report must read exactly what it reads from Rasa's one message per event, and a
    redelivered turn must change nothing."""
    events, expected = generate(3000, seed=5)
    turns = turns_of(events)
    publish_turns_with_production_broker(turns, route)
    assert queue_depth(route.queue) == len(turns) < len(events) / 2

    store = AnalyticsStore(engine, salt=SALT)
    stats = asyncio.run(consume_rabbitmq(store, TEST_RABBITMQ_URL, route.queue, once=True))
    assert stats.events == len(events) and stats.skipped == 0
    assert queue_depth(route.queue) == 0
    assert_counts(engine, expected)

    publish_turns_with_production_broker(turns[100:200], route)
    again = asyncio.run(consume_rabbitmq(store, TEST_RABBITMQ_URL, route.queue, once=True))
    assert again.messages_inserted == 0
    assert_counts(engine, expected)


def test_consumer_killed_mid_stream_counts_every_event_once(
    engine: Engine, route: Route, pg_url: str
) -> None:
    events, expected = generate(3000, seed=2)
    publish_with_rasa(events, route)
    consumer = start_consumer(pg_url, route, "--batch-size", "100")
    try:
        # Kill it as soon as the first batches are committed: later batches are delivered and
        # unacknowledged (prefetch) or half written when SIGKILL lands.
        wait_until(lambda: message_count(engine) > 0, 60, "the first committed batch")
        consumer.send_signal(signal.SIGKILL)
        consumer.wait(10)
    finally:
        if consumer.poll() is None:
            consumer.kill()
    partial = message_count(engine)
    assert 0 < partial < expected.messages, "the kill did not land mid-stream"
    # What was delivered but not acknowledged is back in the queue.
    time.sleep(0.5)
    assert queue_depth(route.queue) > 0

    restarted = start_consumer(pg_url, route, "--once")
    output, _ = restarted.communicate(timeout=90)
    assert restarted.returncode == 0, output
    assert queue_depth(route.queue) == 0
    assert_counts(engine, expected)


def test_rabbitmq_restart_loses_nothing(engine: Engine, route: Route, pg_url: str) -> None:
    first, expected = generate(2000, seed=3, prefix="A")
    publish_with_rasa(first, route)
    restart_rabbitmq()  # with every message still queued
    assert queue_depth(route.queue) == len(first), "durable queue and persistent messages"

    consumer = start_consumer(pg_url, route, "--batch-size", "100")
    try:
        wait_until(lambda: message_count(engine) > 0, 60, "the consumer's first batch")
        restart_rabbitmq()  # under the running consumer, messages still queued
        second, more = generate(1000, seed=4, prefix="B")
        publish_with_rasa(second, route)
        total = expected.messages + more.messages
        wait_until(lambda: message_count(engine) >= total, 90, "every message after reconnecting")
        time.sleep(1.0)  # a last redelivered batch, if any, would land now
    finally:
        consumer.send_signal(signal.SIGTERM)
        output, _ = consumer.communicate(timeout=30)
    assert "reconnects=" in output and "reconnects=0" not in output, output
    assert queue_depth(route.queue) == 0
    expected.events += more.events
    expected.messages += more.messages
    expected.conversations += more.conversations
    expected.by_city_category += more.by_city_category
    expected.messages_by_city += more.messages_by_city
    expected.fallbacks += more.fallbacks
    expected.crisis_conversations += more.crisis_conversations
    expected.window_shown += more.window_shown
    expected.handoff_offered += more.handoff_offered
    assert_counts(engine, expected)
