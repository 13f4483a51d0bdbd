"""What a message at the intake's summary (「この内容で送ってよいですか？」) cannot be.

Why: the summary waits for 「この内容で送る」「なおす」「送らない」. A message the model read as a
greeting, thanks or a bare answer there (「よろしくお願いします」 was a greeting) got the
opening words of the chat, and the summary, with everything the resident had answered, was
left behind without a word about it. Such a message is read as not understood, so the summary
is asked again with its buttons and the resident is told nothing was sent yet
(``actions.worries.ActionClarify``). Never a yes: sending personal data takes the button or
the model's own clear yes, so 「よろしくお願いします」 asks once more rather than sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogue.state import AWAITING_INTAKE_CONFIRM

__all__ = ["LOST_AT_THE_SUMMARY", "unclear_at_the_summary"]

#: Intents whose own path, at the summary, would leave it behind with nothing said about it.
LOST_AT_THE_SUMMARY = frozenset(
    {"greet", "thanks", "inform", "out_of_scope", "continue_consultation", "decline_answer"}
)


def unclear_at_the_summary(
    parse: Mapping[str, Any], awaiting: str | None, active_loop: str | None
) -> bool:
    """Whether the message, at the summary, is to be read as not understood (see above)."""
    intent = (parse.get("intent") or {}).get("name")
    return awaiting == AWAITING_INTAKE_CONFIRM and not active_loop and intent in LOST_AT_THE_SUMMARY
