"""Two Rasa instances share one conversation through PostgreSQL (tracker) and Redis (locks).

This is the production set-up of endpoints.production.yml, against the machine's real
PostgreSQL (a schema of its own, through Rasa's POSTGRESQL_SCHEMA) and Redis: a resident's first
message reaches one instance, the next reaches the other, and the second instance still knows
the worry the first one heard. Both instances redact their logs (the file's tracker store).
Every event the tracker store saved reaches RabbitMQ (a turn's events as one message).
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import ExitStack
from urllib.parse import urlsplit

import aio_pika
import aiohttp
import pytest
import sqlalchemy as sa

from bot.analytics.sources import decode_events
from bot.privacy.logs import REDACTION_ON
from bot.settings import PROJECT_ROOT
from tests.analytics.consumer_support import TEST_RABBITMQ_URL
from tests.e2e.scaled import production_store_env
from tests.e2e.servers import action_server, bot_env, rasa_server, say_rest
from tests.services import postgres_schema, require_redis

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def test_two_instances_continue_one_conversation(tmp_path):
    require_redis()  # fail loudly if Redis is not there
    sender = f"multi-{uuid.uuid4().hex[:8]}"
    queue = f"test_production_{uuid.uuid4().hex[:10]}"
    with ExitStack() as stack:
        trackers_url = stack.enter_context(postgres_schema())
        env = bot_env(tmp_path / "var", f"sqlite:///{tmp_path / 'tickets.sqlite3'}")
        action_url = stack.enter_context(action_server(tmp_path, env))
        env.update(
            {
                "ACTION_SERVER_URL": action_url,
                # The analytics broker (pika) of endpoints.production.yml: the machine's
                # RabbitMQ, a queue of this run's own, deleted below.
                **production_store_env(trackers_url, redis_lock_db="1", rabbitmq_queue=queue),
            }
        )
        endpoints = PROJECT_ROOT / "endpoints.production.yml"
        first = stack.enter_context(rasa_server(tmp_path, endpoints, env))
        second = stack.enter_context(rasa_server(tmp_path, endpoints, env))
        async with aiohttp.ClientSession() as session:
            asked = await say_rest(session, first, sender, "借金の取り立てが怖くて困っています")
            assert "お住まいの市" in asked
            routed = await say_rest(session, second, sender, '/inform_city{"city": "ube"}')
        assert "生活相談サポートセンターうべ" in routed  # the second instance knew the worry
        engine = sa.create_engine(trackers_url, future=True)
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE sender_id = :sender"),
                {"sender": sender},
            ).scalar_one()
        engine.dispose()
        assert stored > 0
    published: list[str] = []
    messages = 0
    connection = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        for _ in range(40):  # the broker publishes in the background
            while (message := await declared.get(no_ack=True, fail=False)) is not None:
                messages += 1
                published += [e["event"] for e in decode_events(message.body) or []]
            if len(published) >= stored:
                break
            await asyncio.sleep(0.25)
        await channel.queue_delete(queue)
    assert len(published) == stored  # every saved event reached RabbitMQ, once
    assert messages <= 2 < stored  # one message a turn (two turns), not one an event
    for url in (first, second):
        log = tmp_path / f"rasa-{urlsplit(url).port}.log"
        assert REDACTION_ON in log.read_text(encoding="utf-8"), f"{url} logs unredacted"
