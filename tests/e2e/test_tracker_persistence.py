"""A conversation survives a restart of Rasa with the embedded default (endpoints.yml).

The resident tells a worry, Rasa is stopped and started again, and the resident's next answer
(the city) is understood as the answer to the question asked before the restart.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.settings import PROJECT_ROOT
from tests.e2e.servers import action_server, bot_env, rasa_server

pytestmark = pytest.mark.slow


def project_endpoints(work_dir: Path, action_url: str) -> Path:
    """The project's endpoints.yml (so the default itself is tested), with the test's action
    server; the tracker file lands under the test's INTAKE_VAR_DIR."""
    text = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text, replaced = re.subn(
        r'url: "http://127\.0\.0\.1:5055/webhook"', f'url: "{action_url}"', text
    )
    assert replaced == 1
    endpoints = work_dir / "endpoints.yml"
    endpoints.write_text(text, encoding="utf-8")
    return endpoints


async def _say(url: str, sender: str, text: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response,
    ):
        assert response.status == 200
        return "\n".join(reply.get("text", "") for reply in await response.json())


async def test_a_conversation_continues_after_rasa_restarts(tmp_path: Path) -> None:
    """`make run` restarted mid-conversation: the bot still knows the worry it heard."""
    project_trackers = PROJECT_ROOT / "var" / "trackers.sqlite3"
    before = project_trackers.stat().st_mtime if project_trackers.exists() else None
    env = bot_env(tmp_path / "var", f"sqlite:///{tmp_path / 'tickets.sqlite3'}")
    with action_server(tmp_path, env) as action_url:
        endpoints = project_endpoints(tmp_path, action_url)
        with rasa_server(tmp_path, endpoints, env) as first:
            asked = await _say(first, "restart-resident", "借金の取り立てが怖くて困っています")
        assert "お住まいの市" in asked
        with rasa_server(tmp_path, endpoints, env) as second:
            routed = await _say(second, "restart-resident", '/inform_city{"city": "ube"}')
    assert "生活相談サポートセンターうべ" in routed  # the worry from before the restart
    assert (tmp_path / "var" / "trackers.sqlite3").is_file()
    after = project_trackers.stat().st_mtime if project_trackers.exists() else None
    assert after == before  # the project's own var/ was not touched
