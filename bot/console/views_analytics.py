"""The analysts' report in the console: every section's chart beside its table, and downloads.

The page shows what ``intake report`` writes for a planning meeting (``bot.analytics.report``)
for the scope in the query string (``analytics_scope``). Charts are PNGs served from an
authenticated route rather than ``data:`` URIs because the console's CSP allows images only
from itself. A page and its seven charts would otherwise build the report eight times, so
built reports are kept for a short while (``REPORT_TTL_SECONDS``) per scope; numbers are at
most that old, and the page says when they were counted.

Nothing here reads the ticket store: the report runs on the analytic tables only
(``settings.analytics_database_url``), which hold masked rows and no contact details.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from aiohttp import web

from bot.analytics.report import Cell, Report, build_report
from bot.analytics.report_csv import render_csv
from bot.analytics.report_html import render_html
from bot.console import views_inbox
from bot.console.analytics_scope import (
    ANALYTICS_ENGINE,
    AnalyticsScope,
    analytics_required,
    page_context,
    scope_of,
)
from bot.console.keys import REQUEST_USER, SETTINGS
from bot.console.render import render
from bot.tickets.engine import make_engine

log = logging.getLogger(__name__)

REPORT_TTL_SECONDS = 120.0
REPORT_CACHE_SIZE = 8
REPORT_CACHE = web.AppKey("console.analytics_reports", object)
# A table wider than this goes under its chart, full width, instead of beside it.
WIDE_TABLE_COLUMNS = 6


class ReportCache:
    """Recently built reports by scope; one build at a time (charts are CPU-bound)."""

    def __init__(self, ttl: float = REPORT_TTL_SECONDS, size: int = REPORT_CACHE_SIZE) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[tuple[str | None, date, date], tuple[float, Report]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, engine: Any, scope: AnalyticsScope) -> Report:
        """The report for ``scope``, built now unless a fresh one is kept (run in a thread)."""
        key = (scope.city, scope.since, scope.until)
        with self._lock:
            found = self._items.get(key)
            if found is not None and time.monotonic() - found[0] < self.ttl:
                self._items.move_to_end(key)
                return found[1]
            report = build_report(engine, scope.city, scope.since, scope.until)
            self._items[key] = (time.monotonic(), report)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return report


def _cache(request: web.Request) -> ReportCache:
    cache = request.app[REPORT_CACHE]
    assert isinstance(cache, ReportCache)
    return cache


def is_number(value: Cell) -> bool:
    """Counts and rates are right-aligned so a column compares at a glance."""
    if isinstance(value, str):
        return value == "―" or (value.endswith("%") and value[:-1].replace(".", "").isdigit())
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def show(value: Cell) -> str:
    if value is None:
        return "―"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@analytics_required
async def report_page(request: web.Request) -> web.StreamResponse:
    scope, ready = await scope_of(request)
    report = None
    if ready:
        report = await asyncio.to_thread(_cache(request).get, request.app[ANALYTICS_ENGINE], scope)
    context = page_context(request, scope, ready)
    context.update(
        report=report,
        is_number=is_number,
        show=show,
        wide_columns=WIDE_TABLE_COLUMNS,
        active="report",
    )
    return await render(request, "analytics.html", context)


@analytics_required
async def chart_png(request: web.Request) -> web.StreamResponse:
    """One section's chart for the scope in the query (the same checks as the page)."""
    scope, ready = await scope_of(request)
    if not ready:
        raise web.HTTPNotFound(text="分析用のデータがまだありません。")
    report = await asyncio.to_thread(_cache(request).get, request.app[ANALYTICS_ENGINE], scope)
    key = request.match_info["key"]
    for section in report.sections:
        if section.key == key and section.chart:
            return web.Response(body=section.chart, content_type="image/png")
    raise web.HTTPNotFound(text="グラフが見つかりません。")


def _filename(scope: AnalyticsScope, extension: str) -> str:
    place = scope.city or "all"
    return f"intake-report-{place}-{scope.since.isoformat()}-{scope.until.isoformat()}.{extension}"


@analytics_required
async def download(request: web.Request) -> web.StreamResponse:
    """The same report as the standalone HTML or the Excel CSV of ``intake report``."""
    scope, ready = await scope_of(request)
    if not ready:
        raise web.HTTPNotFound(text="分析用のデータがまだありません。")
    report = await asyncio.to_thread(_cache(request).get, request.app[ANALYTICS_ENGINE], scope)
    fmt = request.match_info["fmt"]
    user = request[REQUEST_USER]
    log.info("report %s (%s) downloaded by %s", fmt, scope.city or "all", user.username)
    if fmt == "csv":
        body = render_csv(report)
        content_type, charset = "text/csv", "utf-8"
    else:
        body = (await asyncio.to_thread(render_html, report)).encode("utf-8")
        content_type, charset = "text/html", "utf-8"
    response = web.Response(body=body, content_type=content_type, charset=charset)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(scope, fmt)}"'
    return response


def setup(app: web.Application) -> None:
    """Routes and the analytic database's engine (disposed on shutdown)."""
    app[ANALYTICS_ENGINE] = make_engine(app[SETTINGS].analytics_database_url)
    app[REPORT_CACHE] = ReportCache()
    r = app.router
    r.add_get("/analytics", report_page, name="analytics")
    r.add_get("/analytics/charts/{key:[a-z_]+}.png", chart_png, name="analytics_chart")
    r.add_get("/analytics/report.{fmt:html|csv}", download, name="analytics_download")
    views_inbox.add_routes(app)

    async def dispose_engine(app: web.Application) -> AsyncIterator[None]:
        yield
        app[ANALYTICS_ENGINE].dispose()

    app.cleanup_ctx.append(dispose_engine)
