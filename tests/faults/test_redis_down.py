"""Redis dying does not silence the bot: conversations go on, and Redis is used again once back.

Production takes Rasa's per-conversation lock in Redis (``endpoints.production.yml``'s
``lock_store``) and checks LINE redeliveries there (``bot.channels.line_dedup``). The real Rasa
and action server run here with that ``lock_store`` section verbatim, against a Redis of the
test's own (``tests.locks.redis_server``), which is killed with SIGKILL mid-conversation and
started again later. The machine's Redis is never touched.

What it protects against (seen before ``bot.locks``): with Rasa's ``type: redis`` and Redis
down, every REST turn answered ``200 []`` (Rasa: ``LockError: Error while acquiring lock``) and
every LINE message got only the "temporary failure" note.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.channels.line_texts import TEMPORARY_FAILURE
from bot.settings import PROJECT_ROOT
from tests.channels.line_testkit import (
    SECRET,
    TOKEN,
    FakeLineApi,
    LineWebhookClient,
    make_event,
    running_fake_line,
)
from tests.e2e.servers import (
    action_endpoint_yaml,
    action_server,
    bot_env,
    rasa_server,
    tracker_store_yaml,
)
from tests.locks.redis_server import OwnRedis, own_redis

pytestmark = pytest.mark.slow

FIRST_MESSAGE = "久留米市に住んでいます。借金の督促が毎日来て困っています"
OUTAGE_WARNING = "Redis lock store unavailable"
RECOVERY_WARNING = "Redis lock store reachable again"
LINE_OUTAGE_WARNING = "LINE redelivery check: Redis unavailable"


def _lock_store_section() -> dict[str, Any]:
    """Production's ``lock_store`` section, as deployed (Rasa expands its ``${REDIS_*}``)."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.production.yml").read_text("utf-8"))
    return dict(endpoints["lock_store"])


def _endpoints(work_dir: Path, action_url: str, var_dir: Path) -> Path:
    path = work_dir / "endpoints.yml"
    lock_store = yaml.safe_dump({"lock_store": _lock_store_section()}, allow_unicode=True)
    path.write_text(
        action_endpoint_yaml(action_url)
        + tracker_store_yaml(f"sqlite:///{var_dir / 'tickets.sqlite3'}", var_dir)
        + lock_store,
        encoding="utf-8",
    )
    return path


class Bot:
    """The running action server + Rasa with the production lock store on ``redis``."""

    def __init__(self, rasa_url: str, log: Path, redis: OwnRedis, line: FakeLineApi) -> None:
        self.rasa_url, self.log, self.redis, self.line = rasa_url, log, redis, line

    def log_lines(self, needle: str) -> list[str]:
        return [line for line in self.log.read_text("utf-8").splitlines() if needle in line]


@pytest.fixture
def faults_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path) as server:
        yield server


async def _say(session: aiohttp.ClientSession, bot: Bot, sender: str, text: str) -> str:
    async with session.post(
        f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as response:
        assert response.status == 200, await response.text()
        answers = await response.json()
    return "\n".join(str(answer.get("text") or "") for answer in answers)


async def _line_exchange(bot: Bot, event: dict[str, Any]) -> str:
    """Post one LINE event; the text that reached (fake) LINE in answer."""
    before = len(bot.line.accepted)
    status, _ = await LineWebhookClient(bot.rasa_url).post_events(event)
    assert status == 200
    deadline = time.monotonic() + 30
    while len(bot.line.accepted) == before:
        assert time.monotonic() < deadline, "no answer reached LINE"
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # a push may follow the reply
    return "\n".join(
        m.get("text", "") for call in bot.line.accepted[before:] for m in call.messages
    )


async def test_conversations_continue_while_redis_is_down_and_use_it_again_after(
    tmp_path: Path, faults_redis: OwnRedis
) -> None:
    """A resident routed to Kurume while Redis is up accepts the offer after Redis died and
    gets the intake's first question (the conversation's state is intact); a LINE message is
    answered by the bot, not by the failure note; the lock outage and the LINE check's outage
    are each one warning without the resident's ids; after Redis is started again the
    conversation goes on and the recovery is logged."""
    sender = f"web-{uuid.uuid4().hex}"
    line_user = f"U{uuid.uuid4().hex}"
    var_dir = tmp_path / "var"
    async with running_fake_line() as line:
        env = bot_env(
            var_dir,
            f"sqlite:///{tmp_path / 'tickets.sqlite3'}",
            {
                "REDIS_HOST": "127.0.0.1",
                "REDIS_PORT": str(faults_redis.port),
                "REDIS_LOCK_DB": "1",
                "REDIS_PASSWORD": "",
                "REDIS_URL": faults_redis.url(0),  # LINE redeliveries, offers, rate limits
                "LINE_CHANNEL_SECRET": SECRET,
                "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                "LINE_API_BASE": line.base_url,
            },
        )
        with ExitStack() as stack:
            action_url = stack.enter_context(action_server(tmp_path, env))
            endpoints = _endpoints(tmp_path, action_url, var_dir)
            rasa_url = stack.enter_context(rasa_server(tmp_path, endpoints, env))
            log = next(tmp_path.glob("rasa-*.log"))
            bot = Bot(rasa_url, log, faults_redis, line)
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                routed = await _say(session, bot, sender, FIRST_MESSAGE)
                assert "生活自立支援センター" in routed

                faults_redis.kill()
                accepted = await _say(session, bot, sender, "/affirm")
                assert "答えたくない" in accepted, accepted  # the intake's first question
                answer = await _say(session, bot, sender, "家族")
                assert answer, "the second turn with Redis down got no answer"

                line_answer = await _line_exchange(
                    bot,
                    make_event(
                        text="久留米市です。お金のことで困っています",
                        source={"type": "user", "userId": line_user},
                        reply_token=f"rt-{uuid.uuid4().hex}",
                    ),
                )
                assert line_answer and TEMPORARY_FAILURE not in line_answer, line_answer

                outage = bot.log_lines(OUTAGE_WARNING)
                line_outage = bot.log_lines(LINE_OUTAGE_WARNING)
                assert len(outage) == 1, outage
                assert len(line_outage) == 1, line_outage
                for warning in outage + line_outage:
                    assert sender not in warning and line_user not in warning
                    assert not re.search(rf"\b{faults_redis.port}\b", warning)

                faults_redis.start()
                await asyncio.sleep(5.5)  # the lock store's retry_seconds (default 5 s)
                after = await _say(session, bot, sender, "65歳以上")
                assert after, "no answer after Redis came back"
                assert len(bot.log_lines(RECOVERY_WARNING)) == 1
                assert len(bot.log_lines(OUTAGE_WARNING)) == 1
