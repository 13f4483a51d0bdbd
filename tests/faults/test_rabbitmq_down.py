"""RabbitMQ being down does not silence the bot, and analytics lose nothing once it is back.

Production's Rasa publishes every tracker event to RabbitMQ (``endpoints.production.yml``'s
``event_broker``); the analytics consumer reads them from there. The real Rasa and action
server run here with that section verbatim, against a RabbitMQ node of the test's own
(``tests.analytics.rabbitmq_server``): down when Rasa starts, started, killed with SIGKILL
mid-conversation and started again (its durable queue survives, as after a crash). The
machine's RabbitMQ is never touched.

What it protects against (seen with Rasa's ``type: pika``): Rasa started while RabbitMQ was
down retried for 100 s and exited ("Cannot connect to event broker").
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import create_engine, func, select

from bot.analytics.schema import MessageRow
from bot.settings import PROJECT_ROOT
from tests.analytics.rabbitmq_server import OwnRabbitMQ, own_rabbitmq
from tests.e2e.servers import (
    action_endpoint_yaml,
    action_server,
    bot_env,
    rasa_server,
    tracker_store_yaml,
)

pytestmark = pytest.mark.slow

QUEUE = "intake_analytics_faults"
FIRST = "久留米市に住んでいます。借金の督促が毎日来て困っています"
SECOND = "土曜日もやってる？"
CRISIS = "もう生きていたくない"
LAST = "ありがとうございました"
OUTAGE_WARNING = "RabbitMQ unavailable"
RECOVERY_WARNING = "RabbitMQ reachable again"


@pytest.fixture
def faults_rabbitmq() -> Iterator[OwnRabbitMQ]:
    """A node of the test's own, not started yet."""
    with own_rabbitmq() as server:
        yield server


def _endpoints(work_dir: Path, action_url: str, var_dir: Path) -> Path:
    """Production's ``event_broker`` section as deployed (Rasa expands its ``${RABBITMQ_*}``)."""
    production = yaml.safe_load((PROJECT_ROOT / "endpoints.production.yml").read_text("utf-8"))
    broker = yaml.safe_dump({"event_broker": production["event_broker"]}, allow_unicode=True)
    path = work_dir / "endpoints.yml"
    path.write_text(
        action_endpoint_yaml(action_url)
        + tracker_store_yaml(f"sqlite:///{var_dir / 'tickets.sqlite3'}", var_dir)
        + broker,
        encoding="utf-8",
    )
    return path


async def _say(session: aiohttp.ClientSession, rasa_url: str, sender: str, text: str) -> str:
    started = time.monotonic()
    async with session.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as response:
        assert response.status == 200, await response.text()
        answers = await response.json()
    assert time.monotonic() - started < 15, f"{text!r} took {time.monotonic() - started:.0f} s"
    return "\n".join(str(answer.get("text") or "") for answer in answers)


def _consume_once(node: OwnRabbitMQ, database: Path) -> int:
    """``intake analytics consume --once`` from the node into a fresh analytics database;
    the number of resident messages it stored."""
    env = {
        **os.environ,
        "ANALYTICS_DATABASE_URL": f"sqlite:///{database}",
        "ANALYTICS_SALT": "rabbitmq-fault-test-salt-0123456789",
        "RABBITMQ_URL": node.url,
        "RABBITMQ_QUEUE": QUEUE,
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "bot.cli", "analytics", "consume"]
    finished = subprocess.run(
        [*command, "--source", "rabbitmq", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(MessageRow)).scalar_one()
            )
    finally:
        engine.dispose()


async def test_the_bot_starts_and_answers_without_rabbitmq_and_analytics_get_every_message(
    tmp_path: Path, faults_rabbitmq: OwnRabbitMQ
) -> None:
    """Rasa starts while RabbitMQ is down and routes a resident to Kurume; RabbitMQ comes up
    and the resident asks about the window; RabbitMQ is killed and a message about wanting to
    die gets the crisis lines at once; RabbitMQ comes back and the conversation goes on. The
    analytics consumer then stores each of the four messages once, those sent while RabbitMQ
    was down included; the Rasa log names the outage without any of the resident's words."""
    sender = f"web-{uuid.uuid4().hex}"
    var_dir = tmp_path / "var"
    env = bot_env(
        var_dir,
        f"sqlite:///{tmp_path / 'tickets.sqlite3'}",
        {
            "RABBITMQ_HOST": "127.0.0.1",
            "RABBITMQ_PORT": str(faults_rabbitmq.port),
            "RABBITMQ_USERNAME": "guest",
            "RABBITMQ_PASSWORD": "guest",
            "RABBITMQ_QUEUE": QUEUE,
        },
    )
    with ExitStack() as stack:
        action_url = stack.enter_context(action_server(tmp_path, env))
        started = time.monotonic()
        rasa_url = stack.enter_context(
            rasa_server(tmp_path, _endpoints(tmp_path, action_url, var_dir), env)
        )
        start_seconds = time.monotonic() - started
        async with aiohttp.ClientSession() as session:
            assert "久留米" in await _say(session, rasa_url, sender, FIRST)
            await asyncio.to_thread(faults_rabbitmq.start)
            second_answer = await _say(session, rasa_url, sender, SECOND)
            faults_rabbitmq.kill()
            crisis_answer = await _say(session, rasa_url, sender, CRISIS)
            await asyncio.to_thread(faults_rabbitmq.start)
            last_answer = await _say(session, rasa_url, sender, LAST)
        # The broker retries with a backoff of up to 30 s, then sends what waited; the
        # consumer stores what has arrived each time it runs.
        deadline = time.monotonic() + 90
        while (stored := _consume_once(faults_rabbitmq, tmp_path / "analytics.sqlite3")) < 4:
            assert time.monotonic() < deadline, f"only {stored} of 4 messages arrived"
            await asyncio.sleep(2)
        await asyncio.sleep(3)  # anything sent twice would arrive now
        stored = _consume_once(faults_rabbitmq, tmp_path / "analytics.sqlite3")
        log = next(tmp_path.glob("rasa-*.log")).read_text("utf-8")
    assert start_seconds < 90, f"Rasa answered /status only {start_seconds:.0f} s after launch"
    assert second_answer.strip()
    assert "119" in crisis_answer and "110" in crisis_answer
    assert last_answer.strip()
    assert stored == 4
    # The outage at start is one warning and its end one more. A kill shorter than the
    # publish timeout may log nothing: aio-pika's robust channel holds the publish until it
    # has reconnected.
    assert log.count(OUTAGE_WARNING) >= 1 and log.count(RECOVERY_WARNING) >= 1
    for text in (FIRST, SECOND, CRISIS, LAST):
        assert text not in log
