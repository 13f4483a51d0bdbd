"""Constants and helpers shared by the console tests (imported by conftest and test modules)."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from bot.tickets import Ticket, TicketStore, User

PASSWORD = "correct horse battery"

SEIKATSU = "ube.seikatsu_support"  # 生活相談サポートセンターうべ
FUKUSHI = "ube.fukushi_sogo_sodan"  # 福祉総合相談センター
KURUME = "kurume.seikatsu_jiritsu"  # 久留米市 生活自立支援センター

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def page_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the logged-in session, read from a page like a browser would."""
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return csrf_of(await response.text())


def ticket_of(store: TicketStore, reference: str, viewer: User) -> Ticket:
    """The ticket as the viewer sees it; failing the test if it is not visible."""
    ticket = store.get(reference, viewer)
    assert ticket is not None, reference
    return ticket


def user_of(store: TicketStore, username: str) -> User:
    user = store.get_user(username)
    assert user is not None, username
    return user
