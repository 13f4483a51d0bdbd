"""A full intake through the real Rasa and action server processes leaves no personal data in
any log: not the phone number, the name, the consultation text, nor the raw LINE user id.

The servers run with the project's endpoints.yml (the tracker store that installs the log
redaction in Rasa) and write their logs to files, as `make run` does (var/logs/).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import aiohttp
import pytest

from bot.tickets import upgrade_database
from tests.e2e.servers import action_server, bot_env, rasa_server
from tests.e2e.test_tracker_persistence import project_endpoints

pytestmark = pytest.mark.slow

SENDER = "U" + secrets.token_hex(16)  # the shape of a LINE user id
WORRY = "宇部市に住んでいます。家賃が払えず、住む所がなくなりそうです"
PHONE_TYPED = "０９０ー２４６８ー１３５７"
PHONE = "090-2468-1357"
NAME = "やまだはなこ"


async def test_a_full_intake_leaves_no_personal_data_in_the_logs(tmp_path: Path) -> None:
    """Every log file of both servers is searched after a complete, consented intake."""
    database_url = f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    upgrade_database(database_url)
    env = bot_env(tmp_path / "var", database_url)
    async with aiohttp.ClientSession() as session:
        with action_server(tmp_path, env) as action_url:
            endpoints = project_endpoints(tmp_path, action_url)
            with rasa_server(tmp_path, endpoints, env) as rasa_url:

                async def say(text: str) -> str:
                    async with session.post(
                        f"{rasa_url}/webhooks/rest/webhook",
                        json={"sender": SENDER, "message": text},
                    ) as response:
                        assert response.status == 200
                        return "\n".join(r.get("text", "") for r in await response.json())

                assert "連絡を希望しますか" in await say(WORRY)
                await say("/affirm")
                for answer in ["本人", "40〜64歳", "ひとり暮らし", "今週中", "電話"]:
                    await say(answer)
                await say(PHONE_TYPED)
                assert "伝えてもよいですか" in await say(NAME)
                await say("/affirm")
                assert PHONE in await say("/deny")
                received = await say("/affirm")
    assert re.search(r"UBE-\d{4}-\d{6}", received), received

    logs = sorted(path for path in tmp_path.rglob("*.log") if path.is_file())
    assert len(logs) >= 2, logs  # the action server's and Rasa's
    secrets_to_find = [
        PHONE,
        PHONE_TYPED,
        "09024681357",
        NAME,
        WORRY,
        "住む所がなくなりそう",
        SENDER,
    ]
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        for secret in secrets_to_find:
            assert secret not in text, f"{secret!r} found in {log.name}"
