"""What a held-back resident is told: crisis words get the crisis answer, others slow down."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogue.flood_reply import crisis_reply, slow_down_reply
from bot.dialogue.flood_texts import SLOW_DOWN

NIGHT = datetime(2024, 5, 1, 2, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_crisis_words_get_the_bots_first_crisis_answer_and_other_words_none() -> None:
    answer = "\n".join(crisis_reply("もう死にたい", NIGHT))
    assert "119" in answer
    assert crisis_reply("家賃が払えません", NIGHT) == ()
    assert crisis_reply("", NIGHT) == ()


def test_slow_down_names_emergency_numbers_and_a_line_open_at_night() -> None:
    first, help_text = slow_down_reply(NIGHT)
    assert first == SLOW_DOWN
    assert "119" in help_text and "110" in help_text
    assert any(ch.isdigit() for ch in help_text.split("・", 1)[1])
