"""The ticket page and its actions (assign to self, status, note, refer, write on LINE).

Every action is a POST form (CSRF-checked by the middleware) that redirects back to the page
with a flash message. Out-of-scope and unknown references are the same 404, so staff of one
city cannot probe which references exist in another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.console.auth import login_required
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, STORE
from bot.console.labels import LINE_NOT_SENT, LINE_SEND_RESULTS, STATUS_LABELS, label
from bot.console.line_contact import (
    LINE_API,
    MAX_LINE_TEXT,
    line_block_reason,
    new_retry_key,
    reachable_by_line,
    send_refusal,
    send_to_resident,
    valid_retry_key,
)
from bot.console.render import render
from bot.tickets import (
    TRANSITIONS,
    ConsentRequired,
    InvalidAssignee,
    InvalidTransition,
    Status,
    Ticket,
    TicketError,
    TicketNotFound,
    User,
)

log = logging.getLogger(__name__)

# Statuses reached through their own action, not the status select.
_OWN_ACTION = frozenset({Status.ASSIGNED, Status.REFERRED})
_ASSIGNABLE = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS})
NOT_FOUND_TEXT = "相談票が見つかりません。"


def next_statuses(ticket: Ticket) -> list[Status]:
    """Statuses offered in the select: the lifecycle's, minus those with their own button."""
    allowed = TRANSITIONS[ticket.status] - _OWN_ACTION
    return [s for s in Status if s in allowed]


def refer_block_reason(ticket: Ticket) -> str | None:
    """Why the referral button is disabled, in words a worker can act on; None if allowed."""
    if not ticket.consent.support_meeting:
        return (
            "ご本人から重層的支援会議での情報共有の同意を得ていないため、多機関協働へつなげません。"
            "必要な場合は、ご本人に同意を確認してください。"
        )
    if Status.REFERRED not in TRANSITIONS[ticket.status]:
        return "状態が「対応中」のときにつなげます。"
    return None


def _reference(request: web.Request) -> str:
    return request.match_info["ref"]


def _ticket_url(request: web.Request, reference: str) -> str:
    return str(request.app.router["ticket"].url_for(ref=reference))


@login_required
async def ticket_page(request: web.Request) -> web.StreamResponse:
    user: User = request[REQUEST_USER]
    store = request.app[STORE]

    def load() -> tuple[Ticket | None, list[Any]]:
        ticket = store.get(_reference(request), user)
        return ticket, list(store.events(ticket.reference, user)) if ticket else []

    ticket, events = await asyncio.to_thread(load)
    if ticket is None:
        raise web.HTTPNotFound(text=NOT_FOUND_TEXT)
    return await render(
        request,
        "ticket.html",
        {
            "ticket": ticket,
            "events": events,
            "next_statuses": next_statuses(ticket),
            "can_assign_self": ticket.status in _ASSIGNABLE and ticket.assigned_to != user.username,
            "refer_block_reason": refer_block_reason(ticket),
            "line_reachable": reachable_by_line(ticket),
            "line_block_reason": line_block_reason(ticket, LINE_API in request.app),
            "line_retry_key": new_retry_key(),
            "line_max_length": MAX_LINE_TEXT,
        },
    )


async def _act(
    request: web.Request, action: Callable[[User], object], done: str, what: str
) -> web.StreamResponse:
    """Run one store action, flash the outcome and go back to the ticket page."""
    user: User = request[REQUEST_USER]
    reference = _reference(request)
    try:
        await asyncio.to_thread(action, user)
    except TicketNotFound:
        raise web.HTTPNotFound(text=NOT_FOUND_TEXT) from None
    except InvalidTransition as error:
        await flash(
            request,
            f"状態を「{label(STATUS_LABELS, error.current)}」から"
            f"「{label(STATUS_LABELS, error.requested)}」に変えることはできません。"
            "変更していません。",
            "error",
        )
    except ConsentRequired:
        await flash(
            request,
            "重層的支援会議での情報共有への同意がないため、多機関協働へつなげません。変更していません。",
            "error",
        )
    except InvalidAssignee:
        await flash(request, "この相談票の担当にはなれません。", "error")
    except TicketError as error:
        await flash(request, f"{what}できませんでした：{error}", "error")
    else:
        log.info("%s %s by %s", what, reference.upper(), user.username)
        await flash(request, done)
    raise web.HTTPSeeOther(_ticket_url(request, reference.strip().upper()))


@login_required
async def assign_self(request: web.Request) -> web.StreamResponse:
    store, ref = request.app[STORE], _reference(request)
    return await _act(
        request, lambda u: store.assign(ref, u, by=u), "あなたが担当になりました。", "担当"
    )


@login_required
async def change_status(request: web.Request) -> web.StreamResponse:
    store, ref = request.app[STORE], _reference(request)
    form = await request.post()
    raw = str(form.get("status", ""))
    try:
        requested = Status(raw)
    except ValueError:
        requested = None
    if requested is None or requested in _OWN_ACTION:
        await flash(request, "変更先の状態を選んでください。", "error")
        raise web.HTTPSeeOther(_ticket_url(request, ref.strip().upper()))
    done = f"状態を「{label(STATUS_LABELS, requested)}」に変えました。"
    return await _act(
        request, lambda u: store.change_status(ref, requested, by=u), done, "状態変更"
    )


@login_required
async def add_note(request: web.Request) -> web.StreamResponse:
    store, ref = request.app[STORE], _reference(request)
    form = await request.post()
    text = str(form.get("text", ""))
    if not text.strip():
        await flash(request, "メモが空です。", "error")
        raise web.HTTPSeeOther(_ticket_url(request, ref.strip().upper()))
    return await _act(
        request, lambda u: store.add_note(ref, text, by=u), "メモを残しました。", "メモ"
    )


@login_required
async def refer(request: web.Request) -> web.StreamResponse:
    store, ref = request.app[STORE], _reference(request)
    form = await request.post()
    note = str(form.get("note", "")).strip() or None
    return await _act(
        request,
        lambda u: store.refer(ref, by=u, note=note),
        "多機関協働へつなぎました。",
        "多機関協働へのつなぎ",
    )


@login_required
async def send_line(request: web.Request) -> web.StreamResponse:
    """Push a staff member's message to the resident on LINE and log it on the ticket.

    Scoped like every other action (out of scope is 404). Refused unless the resident
    consulted on LINE and chose LINE as the contact method. Sending and logging are
    ``line_contact.send_to_resident``'s job; this view only says how it went.
    """
    user: User = request[REQUEST_USER]
    store, ref = request.app[STORE], _reference(request)
    back = _ticket_url(request, ref.strip().upper())
    form = await request.post()
    text = str(form.get("text", "")).strip()
    ticket = await asyncio.to_thread(store.get, ref, user)
    if ticket is None:
        raise web.HTTPNotFound(text=NOT_FOUND_TEXT)
    reason = send_refusal(ticket, text, LINE_API in request.app)
    if reason is not None:
        await flash(request, LINE_NOT_SENT.format(reason=reason), "error")
        raise web.HTTPSeeOther(back)
    outcome = await send_to_resident(
        request.app[LINE_API],
        store,
        ticket,
        text,
        user,
        valid_retry_key(str(form.get("retry_key", ""))),
    )
    message, level = LINE_SEND_RESULTS[outcome.value]
    await flash(request, message, level)
    raise web.HTTPSeeOther(back)
