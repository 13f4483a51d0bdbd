"""HAProxy lost: a second HAProxy sends every resident to the same instance, and carries on.

Production runs two HAProxy processes behind one virtual IP (keepalived) or the city's load
balancer (README, the production layout). That is safe only if the two agree, sender by
sender, on the Rasa instance: one resident's messages must reach one instance, or their order
is left to the Redis lock alone (RasaHQ/rasa#9213). HAProxy keeps nothing between requests and
its consistent hash is computed from the configuration alone, so they should: this test runs
a second HAProxy with ``deploy/haproxy.cfg`` beside the scaled layout's, sends residents
through each and compares the instances that served them, then kills the first HAProxy
mid-conversation and continues the conversation through the second.
"""

from __future__ import annotations

import os
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.scaled import INSTANCES, haproxy, scaled_layout, served
from tests.ports import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 24
FIRST_MESSAGE = "久留米市に住んでいます。借金の督促が毎日来て困っています"


async def _say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> str:
    body = {"sender": sender, "message": text}
    async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200, (response.status, await response.text())
        answers = await response.json()
    return "\n".join(str(answer.get("text") or "") for answer in answers)


@dataclass(frozen=True)
class Proxy:
    url: str  # the internal frontend
    stats: Path  # its stats socket
    addresses: dict[str, str]  # the instance behind each server name, as configured


async def _owner(
    session: aiohttp.ClientSession, proxy: Proxy, sender: str, text: str
) -> tuple[str, str]:
    """(the address of the instance that answered, the answer), from that HAProxy's own
    counters: the address, not the server's name, since two HAProxy configurations could
    give one name to different instances."""
    before = served(proxy.stats)
    answer = await _say(session, proxy.url, sender, text)
    owners = [name for name in INSTANCES if served(proxy.stats)[name] > before[name]]
    assert len(owners) == 1, owners
    return proxy.addresses[owners[0]], answer


def _kill_haproxy(stats: Path) -> None:
    """SIGKILL every HAProxy process of the one whose stats socket is ``stats`` (master and
    worker), as when its machine dies."""
    wanted = f"HAPROXY_STATS_SOCKET={stats}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"haproxy" not in (entry / "cmdline").read_bytes():
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in environ:
            os.kill(int(entry.name), signal.SIGKILL)


async def test_a_second_haproxy_routes_each_resident_alike_and_takes_over(
    tmp_path: Path,
) -> None:
    """24 residents, each writing through one HAProxy and then the other, are served by the
    same instance both times (and both instances serve some); the first HAProxy is killed
    after a resident was offered a window, and their "yes" through the second is answered
    by the same instance with the intake's first question."""
    async with scaled_layout(tmp_path) as layout:
        internal_port = free_port()
        standby_env = {
            **layout.env,
            "HAPROXY_PUBLIC_BIND": f"127.0.0.1:{free_port()}",
            "HAPROXY_INTERNAL_BIND": f"127.0.0.1:{internal_port}",
            "RASA1_ADDR": layout.rasa_urls["rasa1"].removeprefix("http://"),
            "RASA2_ADDR": layout.rasa_urls["rasa2"].removeprefix("http://"),
            "LINE_ROUTER_ADDR": f"127.0.0.1:{layout.router_port}",
            "CONSOLE_ADDR": f"127.0.0.1:{free_port()}",
        }
        standby_dir = tmp_path / "standby"
        standby_dir.mkdir()
        with haproxy(standby_dir, standby_env) as standby_stats:
            primary = Proxy(layout.internal, layout.stats, layout.rasa_urls)
            standby = Proxy(
                f"http://127.0.0.1:{internal_port}",
                standby_stats,
                {
                    name: f"http://{standby_env[f'RASA{n}_ADDR']}"
                    for n, name in enumerate(INSTANCES, 1)
                },
            )
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                first, second = {}, {}
                for _ in range(RESIDENTS):
                    sender = f"web-{uuid.uuid4().hex}"
                    first[sender], _ = await _owner(session, primary, sender, "こんにちは")
                    second[sender], _ = await _owner(session, standby, sender, "こんにちは")
                assert first == second
                assert len(set(first.values())) == len(INSTANCES), first

                sender = f"web-{uuid.uuid4().hex}"
                owner, routed = await _owner(session, primary, sender, FIRST_MESSAGE)
                assert "生活自立支援センター" in routed
                _kill_haproxy(layout.stats)
                with pytest.raises(aiohttp.ClientConnectionError):
                    await _say(session, primary.url, sender, "/affirm")
                taker, accepted = await _owner(session, standby, sender, "/affirm")
                assert taker == owner
                assert "答えたくない" in accepted, accepted  # the offer was still pending
