"""The queue page (``/``): the tickets a staff member may work on, most urgent first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.console.auth import login_required
from bot.console.filters import TicketFilters, parse_filters
from bot.console.keys import NAMES, REQUEST_USER, SETTINGS, STORE
from bot.console.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from bot.console.render import render
from bot.tickets import Outbox, Role, Status, Ticket, TicketStore, User
from bot.tickets.outbox import OutboxCounts

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    total: int
    status_counts: dict[str, int]


def load_queue(store: TicketStore, viewer: User, filters: TicketFilters, page: int) -> QueuePage:
    """All database reads of the page, run together in one worker thread."""
    kwargs = filters.store_kwargs()
    tickets = store.list(viewer, **kwargs, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = store.count(viewer, **kwargs)
    others = {k: v for k, v in kwargs.items() if k != "status"}
    counts = {s.value: store.count(viewer, status=s.value, **others) for s in Status}
    return QueuePage(list(tickets), total, counts)


def outbox_counts(var_dir: Path, viewer: User) -> OutboxCounts | None:
    """Intakes of the viewer's city not in the database yet, for coordinators and admins.

    Window staff act on tickets; what waits in the outbox is for whoever answers for the
    city's whole intake (and calls the administrator when something failed). Names and dates
    of files only: cheap enough for every page view, and no resident's data is read.
    """
    if viewer.role not in (Role.COORDINATOR, Role.ADMIN):
        return None
    return Outbox(var_dir / "outbox").counts(viewer.city)


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


@login_required
async def queue(request: web.Request) -> web.StreamResponse:
    user: User = request[REQUEST_USER]
    filters = parse_filters(request.query, strict=False)
    page = _page_number(request.query.get("page"))
    data = await asyncio.to_thread(load_queue, request.app[STORE], user, filters, page)
    waiting = await asyncio.to_thread(outbox_counts, request.app[SETTINGS].var_dir, user)
    pages = max(1, -(-data.total // PAGE_SIZE))

    names = request.app[NAMES]
    windows = names.city_windows(user.city)
    if user.window_id and user.window_id not in dict(windows):
        windows.append((user.window_id, names.window_name(user.window_id)))
    if filters.window and filters.window not in dict(windows):
        windows.append((filters.window, names.window_name(filters.window)))

    def page_url(number: int) -> str:
        query = {**filters.query(), "page": str(number)}
        return str(request.app.router["queue"].url_for().with_query(query))

    return await render(
        request,
        "queue.html",
        {
            "tickets": data.tickets,
            "total": data.total,
            "status_counts": data.status_counts,
            "outbox": waiting,
            "filters": filters,
            "page": page,
            "pages": pages,
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page < pages else None,
            "status_options": [
                ("open", "未終了のすべて"),
                ("all", "すべて"),
                *STATUS_LABELS.items(),
            ],
            "priority_options": list(PRIORITY_LABELS.items()),
            "category_options": list(CATEGORY_LABELS.items()),
            "window_options": windows,
        },
    )
