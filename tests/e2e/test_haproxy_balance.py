"""deploy/haproxy.cfg shares residents evenly between the Rasa instances.

The proxy keeps each sender on one instance by hashing the sender id on a consistent-hash
ring. HAProxy puts each server on that ring as many times as its weight allows, and with the
default weight of 1 the two instances got 56 % and 44 % of the senders, every time (measured
with Debian's HAProxy 2.6: 838–892 of 2,000 senders to one instance over five trials): one
instance saturated while the other had room, and the bench's scaled layout reached 1.30×
one instance where its CPU allowed 1.54×. Here, through the real config and the real HAProxy,
4,000 residents reach two stub instances, and each instance gets 46–54 % of them; every one
of a sender's messages reaches the same instance.
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.scaled import haproxy
from tests.ports import free_port

SENDERS = 4_000


@contextmanager
def _stub_instance(name: str) -> Iterator[str]:
    """A stand-in for one Rasa instance: answers the health check and names itself."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # HAProxy's health check
            self._answer(b"{}")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer(json.dumps({"instance": name}).encode())

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _instance_of(connection: http.client.HTTPConnection, sender: str) -> str:
    connection.request(
        "POST",
        "/webhooks/rest/webhook",
        body=json.dumps({"sender": sender, "message": "こんにちは"}),
        headers={"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    assert response.status == 200
    return str(json.loads(response.read())["instance"])


@pytest.mark.slow
def test_residents_are_shared_evenly_and_each_stays_on_one_instance(tmp_path: Path) -> None:
    internal_port = free_port()
    with ExitStack() as stack:
        first = stack.enter_context(_stub_instance("rasa1"))
        second = stack.enter_context(_stub_instance("rasa2"))
        stack.enter_context(
            haproxy(
                tmp_path,
                {
                    "HAPROXY_PUBLIC_BIND": f"127.0.0.1:{free_port()}",
                    "HAPROXY_INTERNAL_BIND": f"127.0.0.1:{internal_port}",
                    "RASA1_ADDR": first,
                    "RASA2_ADDR": second,
                    "LINE_ROUTER_ADDR": f"127.0.0.1:{free_port()}",
                    "CONSOLE_ADDR": f"127.0.0.1:{free_port()}",
                },
            )
        )
        connection = http.client.HTTPConnection("127.0.0.1", internal_port, timeout=10)
        senders = [f"web-{uuid.uuid4().hex}" for _ in range(SENDERS)]
        first_seen = {sender: _instance_of(connection, sender) for sender in senders}
        again = {sender: _instance_of(connection, sender) for sender in senders[:500]}
        connection.close()
    shares = Counter(first_seen.values())
    assert set(shares) == {"rasa1", "rasa2"}
    for count in shares.values():
        assert 0.46 <= count / SENDERS <= 0.54, shares
    assert all(again[sender] == first_seen[sender] for sender in again)
