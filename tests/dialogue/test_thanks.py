"""Thanks in the resident's own, longer words gets thanks back, not 「うまく読み取れません
でした」 and the worry buttons (after a sent intake, the resident who had just been helped)."""

from __future__ import annotations

import pytest

from bot.dialogue.state import AWAITING_HANDOFF_OFFER, AWAITING_INTAKE_CONFIRM
from bot.dialogue.thanks import thanks_in_own_words


def _parse(text: str, intent: str = "nlu_fallback", **more: object) -> dict[str, object]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.4}, **more}


@pytest.mark.parametrize(
    "text",
    [
        "ありがとうございました。少し気が楽になりました",
        "丁寧にありがとうございました。連絡を待っています",
        "thx!助かった",
        "本当に助かりました",
        "お礼が言いたくて。ありがとう",
    ],
)
def test_thanks_the_model_did_not_know_is_thanks(text: str) -> None:
    assert thanks_in_own_words(_parse(text), None, None)


@pytest.mark.parametrize(
    "text",
    [
        "ありがとう、でもまだ家賃が払えなくて不安です",  # thanks with a worry still open
        "ありがとう。でももう死にたい",
        "家賃が払えません",
        "/thanks",
    ],
)
def test_thanks_with_more_to_say_is_left_to_the_model(text: str) -> None:
    assert not thanks_in_own_words(_parse(text), None, None)


def test_a_lean_to_danger_or_a_worry_or_an_open_summary_keeps_the_models_reading() -> None:
    text = "ありがとうございました。少し気が楽になりました"
    assert not thanks_in_own_words(_parse(text, crisis={"confidence": 0.3}), None, None)
    worry = _parse(text, worry_categories={"categories": ["housing"]})
    assert not thanks_in_own_words(worry, None, None)
    assert not thanks_in_own_words(_parse(text), AWAITING_INTAKE_CONFIRM, None)
    assert not thanks_in_own_words(_parse(text), None, "intake_form")
    assert not thanks_in_own_words(_parse(text, "share_worry"), None, None)
    assert thanks_in_own_words(_parse(text), AWAITING_HANDOFF_OFFER, None)
