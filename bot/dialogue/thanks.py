"""Thanks in the resident's own, longer words is thanks.

Why: the model knows short thanks (「ありがとう」「ありがとね」), but after a sent intake
「ありがとうございました。少し気が楽になりました」「丁寧にありがとうございました。連絡を待って
います」「thx!助かった」 were nothing it knew, and the resident who had just been helped got
「ごめんなさい、うまく読み取れませんでした。どんなことで困っていますか？」 and nine buttons.
A message the model could not read that thanks the bot, and carries no worry and no lean to
danger, takes the intent ``thanks`` (applied in the Rasa server, ``bot.runtime.offer_answers``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.dialogue.offer_answer import leans_elsewhere
from bot.dialogue.state import AWAITING_INTAKE_CONFIRM
from bot.nlu.normalize import normalize_with_offsets

__all__ = ["MAX_THANKS_CHARS", "thanks_in_own_words"]

#: Longer texts say more than thanks: the model's reading stands.
MAX_THANKS_CHARS = 60

_THANKS = re.compile(
    r"ありがと|有難|有り難|感謝|助かりま|助かった|たすかった|たすかりま|お礼|おれい|"
    r"thank|thx|サンキュー|さんきゅ",
    re.IGNORECASE,
)
# Thanks said with a worry still open is not a goodbye: 「ありがとう、でもまだ不安です」.
_BUT = re.compile(r"でも|けど|けれど|しかし|ただ、|だけど|不安|心配|こわい|怖い|つらい|辛い")


def thanks_in_own_words(
    parse: Mapping[str, Any], awaiting: str | None, active_loop: str | None
) -> bool:
    """Whether a message the model could not read is thanks (see the module docstring).

    Not during the intake's questions or at its summary: there the question stays open.
    """
    if active_loop or awaiting == AWAITING_INTAKE_CONFIRM:
        return False
    if (parse.get("intent") or {}).get("name") != "nlu_fallback" or leans_elsewhere(parse):
        return False
    text = normalize_with_offsets(str(parse.get("text") or "")).text.strip()
    if not text or text.startswith("/") or len(text) > MAX_THANKS_CHARS:
        return False
    return bool(_THANKS.search(text)) and not _BUT.search(text)
