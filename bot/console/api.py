"""JSON API for a city's case-management system: ``/api/tickets`` and ``/api/tickets/{ref}``.

Authenticated by per-user bearer tokens (``intake token create NAME``) and scoped exactly like
that user in the console. No cookies and no CSRF: the token is sent deliberately by the client,
never automatically by a browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.console.csrf import csrf_exempt
from bot.console.filters import ALL, FilterError, parse_filters
from bot.console.keys import NAMES, STORE
from bot.console.names import DisplayNames
from bot.tickets import Ticket, TicketEvent, User

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TOKEN_LENGTH = 512
API_USER = "console.api_user"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)


def _unauthorized(code: str) -> web.Response:
    challenge = 'Bearer realm="intake"' + (f', error="{code}"' if code != "unauthorized" else "")
    message = "Authorization: Bearer <token> が必要です / a valid bearer token is required"
    return _error(401, code, message, **{"WWW-Authenticate": challenge})


def token_required(handler: Handler) -> Handler:
    """Resolve ``Authorization: Bearer`` to an active user, else 401 with a challenge."""

    @csrf_exempt
    async def wrapper(request: web.Request) -> web.StreamResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _unauthorized("unauthorized")
        user = None
        if len(token) <= MAX_TOKEN_LENGTH:
            user = await asyncio.to_thread(request.app[STORE].user_by_api_token, token)
        if user is None:
            return _unauthorized("invalid_token")
        if not user.sees_tickets:  # analysts: counts only, never a ticket
            return _error(
                403, "forbidden", "分析担当は相談票を扱えません / analysts see no tickets"
            )
        request[API_USER] = user
        return await handler(request)

    return wrapper


def ticket_json(ticket: Ticket, names: DisplayNames) -> dict[str, Any]:
    """Every field of the ticket; enums as their stored values, datetimes in ISO 8601."""
    return {
        "reference": ticket.reference,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "city": ticket.city,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "crisis": ticket.crisis,
        "crisis_kind": ticket.crisis_kind,
        "assigned_to": ticket.assigned_to,
        "categories": list(ticket.categories),
        "windows": [{"id": w, "name": names.window_name(w)} for w in ticket.window_ids],
        "channel": ticket.channel.value,
        "conversation_id": ticket.conversation_id,
        "summary": ticket.summary.to_dict(),
        "consent": ticket.consent.to_dict(),
        "messages": [{"text": m.text, "at": _iso(m.at)} for m in ticket.messages],
    }


def event_json(event: TicketEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "actor": event.actor,
        "at": _iso(event.at),
        "data": dict(event.data or {}),
    }


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FilterError(f"{name}: not an integer") from None
    if not low <= value <= high:
        raise FilterError(f"{name}: must be between {low} and {high}")
    return value


@token_required
async def list_tickets(request: web.Request) -> web.StreamResponse:
    user: User = request[API_USER]
    try:
        filters = parse_filters(request.query, strict=True, default_status=ALL)
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 0, 10_000_000)
    except FilterError as error:
        return _error(400, "invalid_parameter", str(error))
    store = request.app[STORE]
    kwargs = filters.store_kwargs()

    def load() -> tuple[list[Ticket], int]:
        tickets = store.list(user, **kwargs, limit=limit, offset=offset)
        return list(tickets), store.count(user, **kwargs)

    tickets, total = await asyncio.to_thread(load)
    names = request.app[NAMES]
    return web.json_response(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "tickets": [ticket_json(t, names) for t in tickets],
        }
    )


@token_required
async def get_ticket(request: web.Request) -> web.StreamResponse:
    user: User = request[API_USER]
    store = request.app[STORE]

    def load() -> tuple[Ticket | None, list[TicketEvent]]:
        ticket = store.get(request.match_info["ref"], user)
        return ticket, list(store.events(ticket.reference, user)) if ticket else []

    ticket, events = await asyncio.to_thread(load)
    if ticket is None:
        return _error(404, "not_found", "ticket not found")
    return web.json_response(
        {
            "ticket": ticket_json(ticket, request.app[NAMES]),
            "events": [event_json(e) for e in events],
        }
    )
