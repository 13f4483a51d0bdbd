"""The bad-input table shared by the REST, web chat and LINE suites (issue 11, "Bad input").

One table, three entry points: what a confused resident, a broken client or an attacker may
send. ``TEXT_CASES`` are message texts (valid JSON, a string that is odd); ``BODY_CASES`` are
raw request bodies that are not what the endpoint expects (invalid UTF-8, wrong types, missing
fields, over the size limit). Each suite applies the same contract: a clear, polite answer
(Japanese, since residents read it) or a 4xx, never a 5xx, never a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

HUGE_CHARS = 100_000
# Over every size limit in front of the bot (web chat 32 KiB, LINE 1 MB).
OVERSIZE_BYTES = 2 * 1024 * 1024
FLOOD_MESSAGES = 1_000


@dataclass(frozen=True)
class TextCase:
    """A message text. ``blank``: nothing to answer (the web chat refuses it with a 400)."""

    id: str
    text: str
    blank: bool = False
    # Longer than a resident may send through the web chat (413 there).
    too_long_for_web: bool = False


TEXT_CASES: tuple[TextCase, ...] = (
    TextCase("empty", "", blank=True),
    TextCase("whitespace", " \n\t\u3000 ", blank=True),  # U+3000: the full-width space
    TextCase("huge", "家賃が払えません。" * (HUGE_CHARS // 9 + 1), too_long_for_web=True),
    TextCase("control-chars", "\x00\x07\x1b[31m家賃\x08が払えません\x7f\u202e\u200b"),
    TextCase("emoji-only", "😢😢😢🙏"),
    TextCase("html-script", '<script>alert(1)</script><b onclick="x()">家賃</b>'),
    TextCase("sql-like", "'; DROP TABLE tickets; -- \" OR 1=1"),
)


@dataclass(frozen=True)
class BodyCase:
    """A raw body; ``expect`` is the status class every JSON entry point must give it."""

    id: str
    body: bytes
    # "4xx": must be refused; "answer-or-4xx": a polite answer is fine, a refusal too.
    expect: str = "4xx"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


BODY_CASES: tuple[BodyCase, ...] = (
    BodyCase("invalid-utf8", b'{"sender": "s", "message": "\xff\xfe\xfa"}'),
    BodyCase("not-json", b"{message: hello"),
    BodyCase("top-level-list", _json(["家賃が払えません"])),
    BodyCase("message-number", _json({"sender": "s", "message": 12345})),
    BodyCase("message-list", _json({"sender": "s", "message": ["家賃"]})),
    BodyCase("message-object", _json({"sender": "s", "message": {"text": "家賃"}})),
    BodyCase("message-null", _json({"sender": "s", "message": None})),
    BodyCase("missing-message", _json({"sender": "s"})),
    BodyCase("empty-object", _json({})),
    BodyCase("oversize", _json({"sender": "s", "message": "あ" * (OVERSIZE_BYTES // 3 + 1)})),
)


def is_japanese(text: str) -> bool:
    """Kana or kanji present: a resident-facing answer must be in Japanese."""
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def text_ids(cases: tuple[TextCase, ...] = TEXT_CASES) -> list[str]:
    return [case.id for case in cases]


def body_ids(cases: tuple[BodyCase, ...] = BODY_CASES) -> list[str]:
    return [case.id for case in cases]
