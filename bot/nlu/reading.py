"""The katakana reading of a tokenised Rasa message.

Rule layers and the lexicon match on the reading, so that 借金, しゃっきん and ｼｬｯｷﾝ all
read シャッキン whatever way Sudachi happened to cut kana-only text.
"""

from __future__ import annotations

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalize import fold


def message_reading(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    parts = []
    for token in tokens:
        reading = (token.data or {}).get("reading") if hasattr(token, "data") else None
        parts.append(reading or fold(token.text))
    return "".join(parts)
