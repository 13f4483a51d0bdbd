"""The chat and crisis pages: city preselection, escaping, accessibility hooks, CSP-safety."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from bot.directory import default_crisis_lines
from bot.directory.crisis_lines import JST
from bot.web.crisis import crisis_sections, tel_href
from bot.web.texts import STORED_NOTE


def data_city(html: str) -> str:
    match = re.search(r'data-city="([^"]*)"', html)
    assert match is not None
    return match.group(1)


async def test_chat_page_preselects_a_served_city(client: TestClient) -> None:
    response = await client.get("/chat?city=ube")
    html = await response.text()
    assert response.status == 200
    assert data_city(html) == "ube"
    assert 'data-city-name="宇部市"' in html
    assert 'href="/chat/crisis?city=ube"' in html


async def test_city_code_is_case_and_space_tolerant(client: TestClient) -> None:
    html = await (await client.get("/chat", params={"city": " Kurume "})).text()
    assert data_city(html) == "kurume"


async def test_unknown_or_missing_city_is_ignored(client: TestClient) -> None:
    for query in ("?city=tokyo", "?city=_generic", "?city=other", ""):
        response = await client.get("/chat" + query)
        assert response.status == 200
        assert data_city(await response.text()) == "", query


async def test_city_parameter_is_never_echoed_unescaped(client: TestClient) -> None:
    attack = '"><script>alert(1)</script>'
    html = await (await client.get("/chat", params={"city": attack})).text()
    assert "<script>alert(1)" not in html
    assert "alert(1)" not in html  # unknown cities are dropped, not echoed at all
    assert data_city(html) == ""


async def test_page_is_japanese_accessible_and_has_no_inline_code(client: TestClient) -> None:
    html = await (await client.get("/chat?city=fuji")).text()
    assert '<html lang="ja">' in html
    assert '<label for="message"' in html and 'id="message"' in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert "入力中…" in html
    assert "いますぐ相談したい方へ" in html
    assert STORED_NOTE in html
    assert "ページを再読み込みしても、会話は続きます" in html
    assert "最初から" in html
    # The console sends default-src 'self': only external scripts, no handlers or style attrs.
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert "style=" not in html
    assert '<script src="/chat/static/chat.js" defer></script>' in html


async def test_static_files_are_served(client: TestClient) -> None:
    js = await client.get("/chat/static/chat.js")
    css = await client.get("/chat/static/chat.css")
    assert js.status == 200 and css.status == 200
    source = await js.text()
    # Message text only ever goes into the page as text, never parsed as HTML.
    as_html = r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write"
    assert re.search(as_html, source) is None


async def test_standalone_app_sends_the_console_security_headers(client: TestClient) -> None:
    response = await client.get("/chat")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_crisis_page_lists_every_verified_line_from_the_data(client: TestClient) -> None:
    response = await client.get("/chat/crisis?city=masuda")
    html = await response.text()
    assert response.status == 200
    lines = default_crisis_lines()
    for line in lines:
        if line.verified:
            assert line.number in html, line.id
            assert f'href="{tel_href(line.number)}"' in html
        elif line.number in html and line.number not in {o.number for o in lines if o.verified}:
            # Only a 24-hour "check" line may stand in (at night), and only marked 要確認.
            assert line.schedule.type == "always", f"unverified {line.id} shown"
    assert 'href="/chat?city=masuda"' in html  # back to the same city's chat


def test_at_night_the_crisis_page_offers_a_24_hour_line() -> None:
    """Never only closed lines for someone who opens the page at 2 a.m."""
    night = datetime(2025, 6, 12, 2, 0, tzinfo=JST)
    suicide = next(s for s in crisis_sections(default_crisis_lines(), night) if s.kind == "suicide")
    open_now = [line for line in suicide.lines if line.open_now]
    assert [line.number for line in open_now] == ["0120-279-338"]
    day = datetime(2025, 6, 12, 14, 0, tzinfo=JST)
    suicide = next(s for s in crisis_sections(default_crisis_lines(), day) if s.kind == "suicide")
    assert "0120-279-338" not in [line.number for line in suicide.lines], "by day: verified only"


def test_crisis_sections_say_open_now_in_words() -> None:
    lines = default_crisis_lines()
    at_night = datetime(2026, 3, 11, 3, 0, tzinfo=JST)  # いのちの電話 (10-22時) is closed
    sections = {section.kind: section for section in crisis_sections(lines, at_night)}
    assert list(sections)[0] == "emergency"
    emergency = {view.number: view for view in sections["emergency"].lines}
    assert emergency["110"].status == "いま、つながります"
    inochi = next(view for view in sections["suicide"].lines if view.number == "0570-783-556")
    assert inochi.status == "いまは受付時間外です" and not inochi.open_now


def test_tel_links_keep_only_dialable_characters() -> None:
    assert tel_href("0570-783-556") == "tel:0570783556"
    assert tel_href("#9110") == "tel:%239110"
    assert tel_href("189") == "tel:189"


async def test_chat_mounts_on_the_console_without_breaking_it(
    aiohttp_client: Any, tmp_path: Any
) -> None:
    from bot.console import create_app
    from bot.settings import PROJECT_ROOT, Settings
    from bot.tickets import upgrade_database
    from bot.web import setup

    url = f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    upgrade_database(url)
    settings = Settings(data_dir=PROJECT_ROOT / "data", var_dir=tmp_path, database_url=url)
    client = await aiohttp_client(create_app(settings, plugins=[setup]))
    chat = await client.get("/chat?city=ube")
    assert chat.status == 200 and data_city(await chat.text()) == "ube"
    assert (await client.get("/login")).status == 200  # the console's own templates still work
    # The proxy is exempt from the console's form-token check (it answers JSON, not 403).
    posted = await client.post("/chat/api/message", data=b"{", headers=_json)
    assert posted.status == 400
    assert "message" in await posted.json()


_json = {"Content-Type": "application/json"}
