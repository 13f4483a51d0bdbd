"""How much Rasa's event broker adds to a REST webhook turn (issue 10: say it in the README).

Starts the action server and Rasa twice on free ports with the embedded tracker store, once
without an event broker and once with the SQL event broker of endpoints.yml, sends the same
sequential conversations to each and prints p50/p95 per turn. Run: .venv/bin/python
scripts/measure_broker_cost.py [conversations]. Figures are per machine and load; the README
says on which they were taken.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import requests

from tests.e2e.servers import (
    action_endpoint_yaml,
    action_server,
    bot_env,
    rasa_server,
    tracker_store_yaml,
)

TURNS = ["家賃が払えなくて困っています", "宇部です", "土曜日もやってる？", "いいえ"]


def _endpoints(work: Path, action_url: str, broker: bool) -> Path:
    var = work / "var"
    text = action_endpoint_yaml(action_url) + tracker_store_yaml(
        f"sqlite:///{var / 'tickets.sqlite3'}", var
    )
    if broker:
        text += (
            "event_broker:\n  type: bot.analytics.broker.PrivateSQLEventBroker\n"
            "  dialect: sqlite\n  db: events.sqlite3\n"
        )
    path = work / f"endpoints-{'broker' if broker else 'plain'}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _measure(url: str, conversations: int) -> list[float]:
    took = []
    with requests.Session() as session:
        for _ in range(conversations):
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for text in TURNS:
                started = time.perf_counter()
                answer = session.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
                )
                took.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    return took


def main(conversations: int) -> None:
    for broker in (False, True):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            work = Path(tmp)
            env = bot_env(work / "var", f"sqlite:///{work / 'var' / 'tickets.sqlite3'}")
            action_url = stack.enter_context(action_server(work, env))
            url = stack.enter_context(rasa_server(work, _endpoints(work, action_url, broker), env))
            _measure(url, 3)  # warm up
            took = sorted(_measure(url, conversations))
            p95 = took[int(len(took) * 0.95) - 1]
            label = "SQL event broker" if broker else "no event broker "
            median = statistics.median(took)
            print(f"{label}: {len(took)} turns, p50 {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
