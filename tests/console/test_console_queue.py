"""The queue page: filters, urgent-first-then-oldest order, counts and pagination."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import FUKUSHI, SEIKATSU

from bot.tickets import Role, TicketStore

REF_RE = re.compile(r'<a href="/tickets/([A-Z]+-\d{4}-\d{6})">')


def refs(html: str) -> list[str]:
    return REF_RE.findall(html)


@pytest.fixture
async def coordinator(client: TestClient, login, make_user):
    user = make_user("ube-coord", Role.COORDINATOR)
    await login("ube-coord")
    return user


async def test_urgent_first_then_oldest(client: TestClient, coordinator, make_ticket) -> None:
    old_normal = make_ticket(urgency="急がない").reference
    old_high = make_ticket(urgency="今週中").reference
    new_normal = make_ticket(urgency="急がない").reference
    urgent = make_ticket(urgency="今日中").reference
    crisis = make_ticket(urgency=None, crisis=True).reference
    html = await (await client.get("/")).text()
    assert refs(html) == [urgent, crisis, old_high, old_normal, new_normal]
    assert "⚠ </span>至急" in html  # marked with a symbol and a word, not colour alone


async def test_queue_columns_are_in_japanese(client: TestClient, coordinator, make_ticket) -> None:
    ticket = make_ticket(categories=("income", "isolation"), windows=(SEIKATSU, FUKUSHI))
    html = await (await client.get("/")).text()
    jst = ticket.created_at + timedelta(hours=9)  # shown in JST, never UTC
    assert jst.strftime("%Y/%m/%d %H:%M") in html
    for text in (
        "仕事・お金",
        "孤立・孤独",
        "生活相談サポートセンターうべ",
        "福祉総合相談センター",
        "新規",
        "未定",
    ):
        assert text in html, text


async def test_filters(client: TestClient, coordinator, make_ticket, store: TicketStore) -> None:
    housing = make_ticket(categories=("housing",), windows=(SEIKATSU,)).reference
    debt_urgent = make_ticket(categories=("debt",), urgency="今日中", windows=(FUKUSHI,)).reference
    closed = make_ticket(categories=("housing",)).reference
    store.change_status(closed, "closed", by=coordinator)

    async def listed(query: str) -> set[str]:
        response = await client.get(f"/?{query}")
        assert response.status == 200
        return set(refs(await response.text()))

    assert await listed("") == {housing, debt_urgent}  # default: everything not closed
    assert await listed("status=all") == {housing, debt_urgent, closed}
    assert await listed("status=closed") == {closed}
    assert await listed("priority=urgent") == {debt_urgent}
    assert await listed("category=housing") == {housing}
    assert await listed(f"window={FUKUSHI}") == {debt_urgent}
    assert await listed(f"status=all&category=housing&window={SEIKATSU}") == {housing, closed}
    assert await listed("priority=nonsense") == {housing, debt_urgent}  # ignored, not an error


async def test_filter_selects_are_labelled(client: TestClient, coordinator) -> None:
    html = await (await client.get("/?priority=high")).text()
    for name in ("status", "priority", "category", "window"):
        assert f'<label for="f-{name}">' in html
        assert f'<select id="f-{name}" name="{name}">' in html
    assert '<option value="high" selected>' in html


async def test_counts_per_status(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    make_ticket()
    make_ticket()
    third = make_ticket().reference
    store.assign(third, coordinator, by=coordinator)
    html = await (await client.get("/")).text()
    assert "新規 <strong>2</strong>件" in html
    assert "担当決定 <strong>1</strong>件" in html
    assert "終了 <strong>0</strong>件" in html


async def test_pagination_keeps_filters(
    client: TestClient, coordinator, make_ticket, monkeypatch
) -> None:
    from bot.console import views_queue

    monkeypatch.setattr(views_queue, "PAGE_SIZE", 2)
    created = [make_ticket().reference for _ in range(5)]
    first = await (await client.get("/?category=housing")).text()
    assert refs(first) == created[:2]
    assert "1 / 3 ページ" in first
    assert 'href="/?category=housing&amp;page=2"' in first
    third = await (await client.get("/?category=housing&page=3")).text()
    assert refs(third) == created[4:]
    assert (await client.get("/?page=abc")).status == 200
