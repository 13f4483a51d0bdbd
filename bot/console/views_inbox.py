"""The unmet-need inbox in the console: clusters of masked messages the bot did not understand.

An analyst reads each cluster (top terms, size, examples) and labels it, or one of its
messages, with an existing category or as a new need; ``bot.analytics.labels`` stores who and
when. Labelling goes through the same scope as the page (``analytics_scope.parse_scope``):
an analyst of one city labels with ``city`` set, so a message of another city is refused by
the label store itself (404 here), whatever id or cluster key a form sends.

Only masked text is shown; the inbox never reads the ticket store.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web

from bot.analytics.charts import FALLBACK_LABELS
from bot.analytics.inbox import ClusterNotFound, Inbox, build_inbox, label_cluster
from bot.analytics.labels import InvalidLabel, LabelStore, validate_label
from bot.categories import CATEGORIES, CATEGORY_LABELS
from bot.console.analytics_scope import (
    ANALYTICS_ENGINE,
    AnalyticsScope,
    analytics_required,
    compose_label,
    label_text,
    page_context,
    parse_scope,
    scope_of,
)
from bot.console.flash import flash
from bot.console.keys import NAMES, REQUEST_USER
from bot.console.render import render

log = logging.getLogger(__name__)

# Messages listed (each with its own label form) under one cluster; the rest are counted.
MESSAGES_PER_CLUSTER = 30
# Where the redirect after a label returns to on the page (an element id, nothing else).
ANCHOR_RE = re.compile(r"[a-z0-9-]{1,80}")


def _inbox_url(scope: AnalyticsScope, anchor: str = "") -> str:
    return f"/analytics/inbox?{scope.query()}" + (f"#{anchor}" if anchor else "")


def _fallback_label(kind: str) -> str:
    return FALLBACK_LABELS.get(kind, "分野なし・確信度が低い")


@analytics_required
async def inbox_page(request: web.Request) -> web.StreamResponse:
    scope, ready = await scope_of(request)
    engine = request.app[ANALYTICS_ENGINE]
    inbox: Inbox | None = None
    if ready:
        inbox = await asyncio.to_thread(
            build_inbox, engine, city=scope.city, since=scope.since, until=scope.until
        )
    names = request.app[NAMES]
    context: dict[str, Any] = page_context(request, scope, ready)
    context.update(
        active="inbox",
        inbox=inbox,
        open_count=sum(1 for c in inbox.clusters if c.open) if inbox else 0,
        category_options=[(code, CATEGORY_LABELS.get(code, code)) for code in CATEGORIES],
        label_text=label_text,
        fallback_label=_fallback_label,
        city_name=lambda code: "市町村不明" if code == "unknown" else names.city_name(code),
        per_cluster=MESSAGES_PER_CLUSTER,
    )
    return await render(request, "analytics_inbox.html", context)


async def _form_label(request: web.Request) -> tuple[AnalyticsScope, str | None, str]:
    """Scope (from the form's hidden fields, checked like a query) and the label asked for.

    Returns the label, or None after flashing why it was refused.
    """
    form = await request.post()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    scope = parse_scope(request[REQUEST_USER], fields)
    anchor = fields.get("anchor", "")
    anchor = anchor if ANCHOR_RE.fullmatch(anchor) else ""
    try:
        asked = compose_label(fields.get("category", ""), fields.get("new_need", ""))
        label = validate_label(asked)
    except (ValueError, InvalidLabel) as error:
        await flash(request, f"ラベルを付けられませんでした：{error}", "error")
        return scope, None, anchor
    return scope, label, anchor


@analytics_required
async def label_cluster_view(request: web.Request) -> web.StreamResponse:
    user = request[REQUEST_USER]
    key = request.match_info["key"]
    scope, label, anchor = await _form_label(request)
    if label is not None:
        try:
            labelled = await asyncio.to_thread(
                label_cluster,
                request.app[ANALYTICS_ENGINE],
                key,
                label,
                by=user.username,
                city=scope.city,
                since=scope.since,
                until=scope.until,
            )
        except ClusterNotFound as error:
            await flash(request, str(error), "error")
        else:
            log.info("cluster %s labelled (%d messages) by %s", key, len(labelled), user.username)
            await flash(
                request,
                f"{len(labelled)}件のメッセージに「{label_text(label)}」のラベルを付けました。",
            )
    raise web.HTTPSeeOther(_inbox_url(scope, anchor))


@analytics_required
async def label_message_view(request: web.Request) -> web.StreamResponse:
    user = request[REQUEST_USER]
    message_id = int(request.match_info["id"])
    scope, label, anchor = await _form_label(request)
    if label is not None:
        store = LabelStore(request.app[ANALYTICS_ENGINE])
        try:
            # ``city`` scopes the write: another city's message is "not found" in the store.
            await asyncio.to_thread(
                store.label_message, message_id, label, by=user.username, city=scope.city
            )
        except InvalidLabel:
            raise web.HTTPNotFound(text="メッセージが見つかりません。") from None
        log.info("message %d labelled by %s", message_id, user.username)
        await flash(request, f"メッセージに「{label_text(label)}」のラベルを付けました。")
    raise web.HTTPSeeOther(_inbox_url(scope, anchor))


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/analytics/inbox", inbox_page, name="analytics_inbox")
    r.add_post(
        "/analytics/inbox/clusters/{key:[A-Za-z0-9_-]{1,64}}",
        label_cluster_view,
        name="analytics_label_cluster",
    )
    r.add_post(
        "/analytics/inbox/messages/{id:[0-9]{1,18}}",
        label_message_view,
        name="analytics_label_message",
    )
