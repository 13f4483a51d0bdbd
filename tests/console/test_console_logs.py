"""What the console writes to its log: who failed to log in only when it names a real account,
and never an exception's message.

A "username" typed in a hurry is sometimes the password (typed into the wrong field), and an
exception's message may quote a resident (a phone number, their words): neither belongs in a
log file that administrators copy around.
"""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from console_helpers import PASSWORD, csrf_of

from bot.console import create_app
from bot.console.throttle import LoginThrottle
from bot.settings import Settings
from bot.tickets import Role, TicketStore

TYPED_IN_THE_WRONG_FIELD = "my own secret passphrase 42"


@pytest.fixture(autouse=True)
def _console_info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.console")


async def test_a_failed_login_names_an_existing_account_only(
    login, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    make_user("sato", Role.COORDINATOR)
    assert (await login(TYPED_IN_THE_WRONG_FIELD, "")).status == 200
    assert (await login(TYPED_IN_THE_WRONG_FIELD, "anything at all")).status == 200
    assert (await login("sato", "wrong password!!")).status == 200
    failures = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    assert len(failures) == 3
    assert TYPED_IN_THE_WRONG_FIELD not in caplog.text
    assert "passphrase" not in caplog.text
    assert failures[0].split()[3] == failures[1].split()[3], "the same text, the same tag"
    assert "sato" in failures[2], "monitoring needs to know which account is being guessed"


async def test_a_throttled_login_logs_no_submitted_text_either(
    aiohttp_client, settings: Settings, store: TicketStore, caplog: pytest.LogCaptureFixture
) -> None:
    client: TestClient = await aiohttp_client(
        create_app(settings, store, throttle=LoginThrottle(free_failures=1))
    )
    for _ in range(3):
        page = await client.get("/login")
        await client.post(
            "/login",
            data={
                "username": TYPED_IN_THE_WRONG_FIELD,
                "password": PASSWORD,
                "csrf_token": csrf_of(await page.text()),
            },
        )
    assert "login throttled" in caplog.text
    assert "passphrase" not in caplog.text


async def test_an_unhandled_error_logs_its_type_and_frames_but_not_its_message(
    aiohttp_client, settings: Settings, store: TicketStore, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        # The message is built from data at run time, as in real code (not a source literal).
        raise ValueError(f"the resident said: {request.headers['X-Said']}")

    def plugin(app: web.Application) -> None:
        app.router.add_get("/broken", broken)

    client: TestClient = await aiohttp_client(create_app(settings, store, plugins=[plugin]))
    response = await client.get("/broken", headers={"X-Said": "090-1234-5678, rent overdue"})
    assert response.status == 500
    body = await response.text()
    assert "090-1234-5678" not in body
    assert "ValueError" in caplog.text, "the administrator still learns what failed"
    assert "broken" in caplog.text, "and where (the frames)"
    assert "090-1234-5678" not in caplog.text
    assert "rent overdue" not in caplog.text
