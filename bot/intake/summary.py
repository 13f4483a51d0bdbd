"""The summary the resident confirms, and the submission staff receive.

The summary shows exactly what will be sent, in the resident's words where they gave them, so
consent is informed. The submission carries the same values; skipped answers stay empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from bot.directory import Directory, Window, category_label
from bot.intake.fields import (
    CONSENT,
    CONTACT_METHOD,
    CONTACT_VALUE,
    MEETING_CONSENT,
    QUESTIONS,
    SAFE_CONTACT,
    SKIPPED,
)
from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    IntakeSummary,
    ResidentMessage,
    Submission,
    Urgency,
)

E = TypeVar("E", bound=Enum)

SHARED_ITEMS = ("summary", "contact", "messages")
NOT_ANSWERED = "（答えていません）"
MAX_MESSAGES = 50
MAX_MESSAGE_CHARS = 2000


def answer(slots: Mapping[str, Any], slot: str) -> str | None:
    """An answered value, or None for skipped / not asked."""
    value = slots.get(slot)
    return None if value in (None, "", SKIPPED) else str(value)


def consent_given(slots: Mapping[str, Any]) -> bool:
    return slots.get(CONSENT.slot) == "yes"


def handoff_windows(directory: Directory, window_ids: Iterable[str]) -> list[Window]:
    """The windows the intake goes to: those the bot named, coordinating window first."""
    windows = [w for w in map(directory.window, dict.fromkeys(window_ids)) if w is not None]
    return sorted(windows, key=lambda w: w.layer != "multi_agency")


def summary_text(slots: Mapping[str, Any], categories: Iterable[str], windows: list[Window]) -> str:
    lines = ["送る内容の確認です。"]
    labels = "・".join(category_label(c) for c in categories)
    if labels:
        lines.append(f"・困りごと: {labels}")
    for field in QUESTIONS:
        value = answer(slots, field.slot)
        if field is CONTACT_VALUE and answer(slots, CONTACT_METHOD.slot) is None and value is None:
            continue
        if field is SAFE_CONTACT and slots.get(field.slot) is None:
            continue  # not asked: the worry is not violence or abuse
        lines.append(f"・{field.label}: {value or NOT_ANSWERED}")
    lines.append("・伝える窓口: " + "、".join(f"「{w.name}」" for w in windows))
    meeting = "共有してよい" if slots.get(MEETING_CONSENT.slot) == "yes" else "共有しない"
    lines.append(f"・{MEETING_CONSENT.label}: {meeting}")
    lines.append("このチャットで書いた内容も、一緒に伝えます。")
    lines.append("この内容で送ってよいですか？")
    return "\n".join(lines)


@dataclass(frozen=True)
class Conversation:
    """What the tracker knows about the conversation, beyond the form's slots."""

    sender_id: str
    city: str
    categories: tuple[str, ...]
    window_ids: tuple[str, ...]
    messages: tuple[tuple[str, datetime], ...]
    crisis: bool
    channel: str
    #: This intake's own id (``bot.intake.identity``); the ticket's idempotency key.
    intake_id: str
    crisis_kind: str | None = None


def worry_summary(categories: Iterable[str], messages: Iterable[tuple[str, datetime]]) -> str:
    """One line a window worker can read first: the worries, then the resident's own words."""
    labels = "・".join(category_label(c) for c in categories) or "分類できない相談"
    words = next((text for text, _ in messages if len(text) >= 8), "")
    excerpt = words[:200] + ("…" if len(words) > 200 else "")
    return f"{labels}についての相談（チャットより）。" + (
        f"本人の言葉:「{excerpt}」" if excerpt else ""
    )


def _enum(kind: type[E], value: str | None) -> E | None:
    """The form only keeps values its readers produced; anything else is treated as unanswered."""
    try:
        return None if value is None else kind(value)
    except ValueError:
        return None


def build_submission(
    slots: Mapping[str, Any], conversation: Conversation, now: datetime
) -> Submission:
    messages = tuple(
        ResidentMessage(text=text[:MAX_MESSAGE_CHARS], at=at)
        for text, at in conversation.messages[-MAX_MESSAGES:]
    )
    return Submission(
        # The id alone: unique, and bounded in length whatever the channel's sender ids are.
        idempotency_key=f"intake:{conversation.intake_id}",
        city=conversation.city,
        summary=IntakeSummary(
            worry_text_summary=worry_summary(conversation.categories, conversation.messages),
            about_whom=_enum(AboutWhom, answer(slots, "intake_about")),
            age_band=answer(slots, "intake_age"),
            household=answer(slots, "intake_household"),
            urgency=_enum(Urgency, answer(slots, "intake_urgency")),
            contact_method=_enum(ContactMethod, answer(slots, "intake_contact_method")),
            contact_value=answer(slots, "intake_contact_value"),
            display_name=answer(slots, "intake_name"),
            safe_contact=answer(slots, SAFE_CONTACT.slot),
        ),
        consent=Consent(
            shared_items=SHARED_ITEMS,
            window_ids=conversation.window_ids,
            given_at=now,
            support_meeting=slots.get(MEETING_CONSENT.slot) == "yes",
        ),
        channel=Channel(conversation.channel),
        conversation_id=conversation.sender_id,
        categories=conversation.categories,
        window_ids=conversation.window_ids,
        messages=messages,
        crisis=conversation.crisis,
        crisis_kind=conversation.crisis_kind if conversation.crisis else None,
    )
