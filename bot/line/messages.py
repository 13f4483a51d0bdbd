"""Turn one Rasa turn's output into LINE Messaging API message objects.

LINE limits what one API call may carry: at most 5 messages, 5000 characters per text,
13 quick-reply items with labels of at most 20 characters. These pure functions fit the bot's
answer into those limits without losing meaning: long texts are split at sentence ends and
never inside a phone number or URL (a resident must be able to tap or dial it), short
consecutive texts are merged so that a whole answer fits in one reply, and Rasa buttons become
quick replies on the last message (LINE shows quick replies only under the newest message).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGES_PER_CALL = 5
MAX_TEXT_LENGTH = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL_LENGTH = 20
MAX_POSTBACK_DATA_LENGTH = 300
MAX_DISPLAY_TEXT_LENGTH = 300
PARAGRAPH_JOINER = "\n\n"
ELLIPSIS = "…"

LineMessage = dict[str, Any]

# Phone numbers (0836-43-7440, 0120-279-338, full-width digits, (0836)43-7440), short
# numbers such as #9110 / #7119, and URLs must never be cut in two.
_PROTECTED = re.compile(
    r"https?://[^\s　「」『』（）()<>]+"
    r"|[#＃][0-9０-９]{3,5}"
    r"|\+?[(（]?[0-9０-９][0-9０-９()（）\-‐‑–−－ー]{4,}[0-9０-９]"
)
_SENTENCE_ENDS = "。！？!?\n"
_CLOSERS = "」』）)】〕"
_SOFT_BREAKS = "、，, 　"


def utf16_len(text: str) -> int:
    """Length as LINE counts it (UTF-16 code units: an emoji may count as two)."""
    return len(text.encode("utf-16-le")) // 2


def _max_prefix(text: str, limit: int) -> int:
    """Largest index ``i`` such that ``text[:i]`` is within ``limit`` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _best_cut(text: str, hard: int) -> int:
    """Where to end the next chunk: a sentence end, else a soft break, else ``hard``.

    Never inside a protected span (phone number, URL), and always > 0 so splitting ends.
    """
    spans = [m.span() for m in _PROTECTED.finditer(text, 0, min(len(text), hard + 200))]

    def allowed(cut: int) -> bool:
        return 0 < cut <= hard and not any(start < cut < end for start, end in spans)

    for breakers in (_SENTENCE_ENDS, _SOFT_BREAKS):
        for index in range(hard - 1, -1, -1):
            if text[index] not in breakers:
                continue
            cut = index + 1
            # Keep a closing bracket with its sentence: 「…です。」
            while cut < hard and text[cut] in _CLOSERS:
                cut += 1
            if allowed(cut):
                return cut
    for cut in range(hard, 0, -1):
        if allowed(cut):
            return cut
    return max(hard, 1)  # one protected span longer than the limit: nothing better exists


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units, at sentence ends."""
    text = text.strip()
    chunks: list[str] = []
    while utf16_len(text) > limit:
        cut = _best_cut(text, _max_prefix(text, limit))
        chunk = text[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def _cut_to(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-16 units, ending in an ellipsis if cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _max_prefix(text, limit - 1)] + ELLIPSIS


def shorten_label(title: str, limit: int = MAX_LABEL_LENGTH) -> str:
    """A quick-reply label of at most ``limit`` characters that keeps start and end.

    Button titles often differ only at the end (「相談したい（電話）」「相談したい（窓口）」), so
    cutting only the tail would make choices look the same.
    """
    title = " ".join(title.split())
    if utf16_len(title) <= limit:
        return title
    budget = limit - 1  # room for the ellipsis
    head_len = (budget + 1) // 2 + 2
    head = title[: _max_prefix(title, head_len)]
    tail_budget = budget - utf16_len(head)
    tail = ""
    for char in reversed(title[len(head) :]):
        if utf16_len(char + tail) > tail_budget:
            break
        tail = char + tail
    return head.rstrip() + ELLIPSIS + tail.lstrip()


def quick_reply_item(button: dict[str, Any]) -> dict[str, Any] | None:
    """One quick-reply item for a Rasa button, or None if LINE could not carry it.

    Postback actions are used so the payload (``/inform_city{"city": "ube"}``) reaches Rasa
    verbatim while the chat shows the human-readable title as the resident's answer.
    """
    title = str(button.get("title") or "").strip()
    payload = button.get("payload")
    url = button.get("url")
    if not title:
        return None
    label = shorten_label(title)
    if url and str(url).startswith(("https://", "http://", "tel:")):
        action: dict[str, Any] = {"type": "uri", "label": label, "uri": str(url)}
    elif payload:
        data = str(payload)
        if len(data) > MAX_POSTBACK_DATA_LENGTH:
            logger.warning("LINE: button payload longer than %d chars dropped", len(data))
            return None
        action = {
            "type": "postback",
            "label": label,
            "data": data,
            "displayText": _cut_to(title, MAX_DISPLAY_TEXT_LENGTH),
        }
    else:
        action = {"type": "message", "label": label, "text": _cut_to(title, 300)}
    return {"type": "action", "action": action}


def quick_reply(buttons: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """LINE ``quickReply`` object for the buttons (at most 13 items), or None if empty."""
    items = [item for item in map(quick_reply_item, buttons) if item is not None]
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        logger.warning(
            "LINE: %d buttons, only the first %d become quick replies",
            len(items),
            MAX_QUICK_REPLY_ITEMS,
        )
        items = items[:MAX_QUICK_REPLY_ITEMS]
    return {"items": items} if items else None


def text_message(text: str) -> LineMessage:
    return {"type": "text", "text": text}


def _messages_for(output: dict[str, Any]) -> list[LineMessage]:
    """LINE messages for one collected Rasa output (text, image, attachment, custom)."""
    messages: list[LineMessage] = []
    text = output.get("text")
    if text:
        messages.extend(text_message(chunk) for chunk in split_text(str(text)))
    image = output.get("image")
    if image:
        url = str(image)
        if url.startswith("https://") and len(url) <= 2000:
            messages.append({"type": "image", "originalContentUrl": url, "previewImageUrl": url})
        else:  # LINE only fetches images over HTTPS; a link is better than nothing
            messages.append(text_message(url))
    attachment = output.get("attachment")
    if attachment:
        messages.extend(text_message(chunk) for chunk in split_text(str(attachment)))
    custom = output.get("custom")
    if isinstance(custom, dict) and "line" in custom:
        raw = custom["line"]
        messages.extend(m for m in (raw if isinstance(raw, list) else [raw]) if isinstance(m, dict))
    return messages


def merge_texts(
    messages: Sequence[LineMessage],
    max_messages: int = MAX_MESSAGES_PER_CALL,
    limit: int = MAX_TEXT_LENGTH,
) -> list[LineMessage]:
    """Join neighbouring text messages until at most ``max_messages`` remain, if possible.

    Nothing is merged when the answer already fits: separate bubbles read better. Otherwise
    the shortest neighbouring pair is joined first, so merged bubbles stay balanced.
    """
    result = [dict(m) for m in messages]
    while len(result) > max_messages:
        best: tuple[int, int] | None = None
        for index in range(len(result) - 1):
            first, second = result[index], result[index + 1]
            if first.get("type") != "text" or second.get("type") != "text":
                continue
            if "quickReply" in first or "quickReply" in second:
                continue
            size = utf16_len(first["text"]) + len(PARAGRAPH_JOINER) + utf16_len(second["text"])
            if size <= limit and (best is None or size < best[1]):
                best = (index, size)
        if best is None:
            break
        index = best[0]
        merged = result[index]["text"] + PARAGRAPH_JOINER + result[index + 1]["text"]
        result[index : index + 2] = [text_message(merged)]
    return result


def build_messages(outputs: Iterable[dict[str, Any]]) -> list[LineMessage]:
    """All LINE messages for one turn, merged to fit one reply where possible.

    Buttons from any output become quick replies on the very last message, because LINE
    hides quick replies as soon as a newer message arrives.
    """
    messages: list[LineMessage] = []
    buttons: list[dict[str, Any]] = []
    for output in outputs:
        messages.extend(_messages_for(output))
        buttons.extend(b for b in output.get("buttons") or [] if isinstance(b, dict))
    messages = merge_texts(messages)
    quick = quick_reply(buttons)
    if quick is not None:
        if not messages:
            messages.append(text_message("選んでください。"))
        messages[-1] = {**messages[-1], "quickReply": quick}
    return messages


def batches(
    messages: Sequence[LineMessage], size: int = MAX_MESSAGES_PER_CALL
) -> list[list[LineMessage]]:
    """Groups of at most ``size`` messages, in order (one API call each)."""
    return [list(messages[start : start + size]) for start in range(0, len(messages), size)]
