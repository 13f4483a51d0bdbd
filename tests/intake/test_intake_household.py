"""The household question takes the many ways people say who they live with, and nothing else."""

from __future__ import annotations

import pytest

from bot.intake import answers
from bot.intake.validation import decide


@pytest.mark.parametrize(
    "text",
    [
        # alone
        "ひとり",
        "ひとり暮らし",
        "一人暮らしです",
        "独居",
        "ﾋﾄﾘｸﾞﾗｼ",
        "一人で住んでいます",
        "誰もいません",
        "単身です",
        # with family, named or counted
        "夫と",
        "夫と二人",
        "母と二人で暮らしています",
        "子ども3人と",
        "家族4人",
        "3人です",
        "犬と二人",
        "4人家族です",
        "親と同居",
        "両親",
        "妻と息子",
        "祖母といっしょ",
        "ｵｯﾄﾄﾌﾀﾘ",
        # with others, or not at home
        "友人と住んでいます",
        "施設に入っています",
        "グループホーム",
        "入院中です",
        # the buttons
        "家族と暮らしている",
        "その他",
    ],
)
def test_the_ways_people_say_who_they_live_with_are_kept(text):
    assert answers.read_household(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "68歳",
        "60代",
        "38です",
        "ｻﾝｼﾞｭｳﾊｯｻｲ",
        "090-1234-5678",
        "0836-43-7440",
        "taro@example.jp",
        "お金がなくて困っています",
        "夫の暴力がこわいです",
        "どうしたらいいですか",
        "電話",
        "今日中",
        "はい",
    ],
)
def test_answers_that_are_not_about_the_household_are_not_kept(text):
    assert answers.read_household(text) is None


def test_not_knowing_who_they_live_with_is_an_answer():
    # Someone asking for a neighbour may not know; asking again would not help them.
    assert answers.read_household("わからない") == "わからない"
    assert answers.read_household("よく分かりません") == "わからない"


def test_the_residents_words_are_kept_for_the_staff():
    assert answers.read_household("ﾊﾊﾄﾌﾀﾘ") == "ハハトフタリ"
    assert answers.read_household("  母と 二人  ") == "母と 二人"


def test_a_non_household_answer_is_asked_again_politely_once():
    first = decide("intake_household", "68歳", 0)
    assert first.value is None and first.retries == 1
    assert any("一緒に暮らしている" in m or "暮らして" in m for m in first.messages)
    second = decide("intake_household", "090-1234-5678", 1)
    assert second.value == "skipped"
