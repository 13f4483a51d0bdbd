"""The contact-method choices depend on where the resident is writing from."""

from __future__ import annotations

from bot.intake.fields import CONTACT_QUESTIONS, contact_method_allowed, contact_method_field


def test_line_is_a_choice_only_on_the_line_channel() -> None:
    assert "LINE" in contact_method_field("line").choices
    for channel in ("web", "rest"):
        assert "LINE" not in contact_method_field(channel).choices
        assert not contact_method_allowed("LINE", channel)
    assert contact_method_allowed("LINE", "line")
    assert contact_method_allowed("電話", "web") and contact_method_allowed(None, "web")


def test_no_line_id_is_ever_asked_for() -> None:
    # Staff cannot use a LINE ID (no personal LINE accounts at work): the bot's own LINE
    # conversation is the way back, so nothing is asked after choosing LINE.
    assert "LINE" not in CONTACT_QUESTIONS
