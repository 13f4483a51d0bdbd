"""「土曜日も？」 gets yes or no first, read only from the window's sourced hours."""

from __future__ import annotations

import pytest

from bot.dialogue.opening_days import day_lines

WEEKDAYS_WITH_HOLIDAYS = "月〜金曜日 8時30分〜17時15分（祝休日・年末年始はお休み）"


@pytest.mark.parametrize(
    ("hours", "day", "said"),
    [
        ("月〜金 9:00〜17:15", "saturday", "土曜日はお休みです。"),
        ("月曜日〜金曜日 8時30分〜17時15分", "sunday", "日曜日はお休みです。"),
        (WEEKDAYS_WITH_HOLIDAYS, "holiday", "祝日はお休みです。"),
        (WEEKDAYS_WITH_HOLIDAYS, "saturday", "土曜日はお休みです。"),
        ("24時間", "sunday", "日曜日も受け付けています。"),
        ("365日24時間", "holiday", "祝日も受け付けています。"),
        ("月〜土 9時〜17時（日・祝休み）", "saturday", "土曜日も受け付けています。"),
        ("月〜土 9時〜17時（日・祝休み）", "sunday", "日曜日はお休みです。"),
        ("月〜土 9時〜17時（日・祝休み）", "holiday", "祝日はお休みです。"),
    ],
)
def test_the_asked_day_is_answered_from_the_sourced_hours(hours: str, day: str, said: str) -> None:
    lines, unknown = day_lines([hours], [day])
    assert lines == [said]
    assert not unknown


def test_a_day_the_source_does_not_settle_is_not_guessed() -> None:
    """月〜金 says nothing about holidays: the resident is told it is not known yet."""
    lines, unknown = day_lines(["月〜金 9:00〜17:15"], ["holiday"])
    assert lines == ["祝日にあいているかは、まだ確認できていません。"]
    assert unknown


def test_sites_that_disagree_leave_the_day_unknown() -> None:
    lines, unknown = day_lines(["24時間", "月〜金 9時〜16時"], ["saturday"])
    assert unknown and "まだ確認できていません" in lines[0]


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ("月〜金 9:00〜17:15", "受付は17時15分までです。"),
        ("月〜金 9時〜16時", "受付は16時までです。"),
        (WEEKDAYS_WITH_HOLIDAYS, "受付は17時15分までです。"),
        ("365日24時間", "24時間受け付けています。"),
    ],
)
def test_until_when_is_answered_with_the_closing_time_first(hours: str, said: str) -> None:
    """「何時まで？」 used to get the whole hours line back; the closing time comes first now."""
    lines, unknown = day_lines([hours], ["closing"])
    assert lines == [said] and not unknown


def test_the_question_until_when_is_read_as_closing() -> None:
    from bot.nlu.window_question_rules import detect_window_question

    for text in ("何時まで？", "なんじまでやってる？", "何時に閉まる？"):
        question = detect_window_question(text)
        assert question is not None and "closing" in question.days, text
