"""Japanese wording for the codes the store keeps, and JST formatting.

The store speaks in stable codes (``in_progress``, ``housing``); staff read plain Japanese. All
translation happens here so templates and the API never disagree about a label, and an unknown
code (a category added later, an old window id) is shown as-is instead of breaking the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.categories import CATEGORY_LABELS as CATEGORY_LABELS  # re-exported for templates
from bot.tickets import EventKind, Priority, Role, Status, TicketEvent

STATUS_LABELS: Mapping[str, str] = {
    Status.NEW.value: "新規",
    Status.ASSIGNED.value: "担当決定",
    Status.IN_PROGRESS.value: "対応中",
    Status.REFERRED.value: "多機関協働へつないだ",
    Status.CLOSED.value: "終了",
}

PRIORITY_LABELS: Mapping[str, str] = {
    Priority.URGENT.value: "至急",
    Priority.HIGH.value: "高",
    Priority.NORMAL.value: "通常",
}


ROLE_LABELS: Mapping[str, str] = {
    Role.STAFF.value: "窓口職員",
    Role.COORDINATOR.value: "市のコーディネーター",
    Role.ADMIN.value: "管理者",
    Role.ANALYST.value: "分析担当",
}

EVENT_LABELS: Mapping[str, str] = {
    EventKind.CREATED.value: "受付",
    EventKind.ASSIGNED.value: "担当者の割り当て",
    EventKind.STATUS_CHANGED.value: "状態の変更",
    EventKind.NOTE_ADDED.value: "メモ",
    EventKind.REFERRED.value: "多機関協働へつなぐ",
    EventKind.FIELD_CORRECTED.value: "項目の修正",
    EventKind.REVIEW_CLEARED.value: "要確認の解除",
    EventKind.LINE_MESSAGE_SENT.value: "LINEでご本人に送信",
}

SHARED_ITEM_LABELS: Mapping[str, str] = {
    "summary": "相談内容の要約",
    "contact": "連絡先",
    "messages": "相談時のメッセージ",
}

CHANNEL_LABELS: Mapping[str, str] = {"web": "ウェブ", "line": "LINE", "rest": "API"}

#: The kind of danger the bot answered first, as staff read it on the ticket.
CRISIS_KIND_LABELS: Mapping[str, str] = {
    "suicide": "自殺の危険",
    "self_harm": "自傷",
    "violence_now": "いま起きている暴力",
    "abuse": "暴力・虐待",
    "medical": "救急（命の危険）",
}

ACTOR_LABELS: Mapping[str, str] = {"bot": "受付ボット", "system": "システム"}


def label(mapping: Mapping[str, str], code: object) -> str:
    """The Japanese label of a code, or the code itself when it is unknown."""
    key = getattr(code, "value", code)
    return mapping.get(str(key), str(key)) if key is not None else ""


def format_local(moment: datetime | None, tz: ZoneInfo) -> str:
    """``2026/03/10 09:00`` in the city's time zone (JST); staff never see UTC."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y/%m/%d %H:%M")


def describe_event(event: TicketEvent) -> str:
    """One plain sentence for the event log; note text is kept whole (templates escape it)."""
    data = event.data or {}
    kind = event.kind.value
    if kind == EventKind.STATUS_CHANGED.value:
        return f"{label(STATUS_LABELS, data.get('from'))} → {label(STATUS_LABELS, data.get('to'))}"
    if kind == EventKind.ASSIGNED.value:
        before = data.get("from") or "（なし）"
        return f"{before} → {data.get('to') or '（なし）'}"
    if kind in (EventKind.NOTE_ADDED.value, EventKind.LINE_MESSAGE_SENT.value):
        return str(data.get("text") or "")
    if kind == EventKind.REFERRED.value:
        return str(data.get("note") or "")
    if kind == EventKind.FIELD_CORRECTED.value:
        return f"{data.get('field')}: {data.get('old') or '（空）'} → {data.get('new') or '（空）'}"
    if kind == EventKind.CREATED.value:
        priority = label(PRIORITY_LABELS, data.get("priority"))
        return f"優先度 {priority}・{label(CHANNEL_LABELS, data.get('channel'))}から受付"
    return ""


# --- Writing to a resident on LINE from the ticket page (``bot.console.line_contact``) -------

#: Why the LINE form is not offered or a send was refused, in words staff can act on.
LINE_NOT_FROM_LINE = "LINEから受け付けた相談ではないため、LINEでは送れません。"
LINE_NOT_CHOSEN = "ご本人が連絡方法にLINEをえらんでいないため、LINEでは送りません。"
LINE_NOT_CONFIGURED = (
    "LINEの設定（LINE_CHANNEL_ACCESS_TOKEN）がないため、送れません。管理者に連絡してください。"
)
LINE_TICKET_CLOSED = "終了した相談票です。送るときは、状態を「対応中」に戻してください。"
LINE_EMPTY_TEXT = "メッセージが空です。"
LINE_TEXT_TOO_LONG = "メッセージは{limit}文字までです。"
LINE_NOT_SENT = "送っていません：{reason}"

#: Flash message and its level per ``SendOutcome`` value (what staff read after pressing send).
LINE_SEND_RESULTS: Mapping[str, tuple[str, Literal["info", "error"]]] = {
    "sent": ("LINEで送りました。", "info"),
    # LINE had already accepted this form (double click, resent form): delivered once.
    "already_sent": ("このメッセージは、すでに送っています。", "info"),
    "auth_failed": (
        "送れませんでした。LINEの設定（アクセストークン）が正しくありません。"
        "管理者に連絡してください。",
        "error",
    ),
    "line_unreachable": (
        "送れませんでした。LINEにつながりません。少し時間をおいて、もう一度送ってください。",
        "error",
    ),
}
