"""How residents' answers to the intake questions are read."""

from __future__ import annotations

import pytest

from bot.intake import answers
from bot.intake.validation import decide


@pytest.mark.parametrize(
    "text,expected",
    [
        ("090-1234-5678", "090-1234-5678"),
        ("０９０１２３４５６７８", "090-1234-5678"),
        ("(0836) 43-7440", "0836437440"),
        ("12345", None),
        ("090-1234-567", None),
        ("電話はありません", None),
    ],
)
def test_phone_numbers_in_any_width_are_read(text, expected):
    assert answers.read_phone(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("家族", "家族"),
        ("むすめのことです", "家族"),
        ("わたし", "本人"),
        ("となりの人", "知人・近所"),
        ("ほんにん", "本人"),
        ("自分のことです", "本人"),
        ("うちです", "本人"),
        # A parent writing about a son: 「うち」「私」 there say whose son, not who is in trouble.
        ("うちの息子です", "家族"),
        ("私の母のことです", "家族"),
        ("うちの子です", "家族"),
        ("自分の娘", "家族"),
        ("わたしのともだち", "知人・近所"),
    ],
)
def test_who_the_worry_is_about(text, expected):
    """The staff call the person the answer names: a 70-year-old mother answering
    「うちの息子です」 was recorded as the one in trouble (本人)."""
    assert answers.read_about(text) == expected


def test_an_old_button_pressed_again_is_not_taken_as_an_answer():
    assert answers.read_name("/affirm") is None
    assert answers.read_free_text("/deny") is None


def test_consent_is_never_assumed_from_unclear_words():
    first = decide("intake_consent", "うーん", 0)
    assert first.value is None and first.retries == 1
    second = decide("intake_consent", "どうしよう", 1)
    assert second.value == "no"


def test_a_skipped_question_stays_skipped():
    assert decide("intake_age", "skipped", 0).value == "skipped"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("急いでないです", "急がない"),
        ("急ぎじゃないです", "急がない"),
        ("いつでも大丈夫", "急がない"),
        ("できるだけ早く", "今日中"),
        ("明日までに", "今日中"),
        ("今夜中にお願い", "今日中"),
        ("ｷｮｳﾁｭｳ", "今日中"),
        ("来週でいいです", "今週中"),
        ("2、3日のうちに", "今週中"),
        ("月曜日くらい", "今週中"),
        # The buttons' own words, and 今 in a longer word: 今週 is not 今日.
        ("今週中", "今週中"),
        ("今週中でいいです", "今週中"),
        ("ｺﾝｼｭｳﾁｭｳ", "今週中"),
        ("今日中", "今日中"),
        ("今すぐ", "今日中"),
        ("いますぐ", "今日中"),
        ("今度でいいです", "急がない"),
        ("今月中なら", "急がない"),
        ("今日か明日、遅くても今週中", "今日中"),  # the earliest counts
        ("なるべくはよう", "今日中"),  # 博多弁, 関西弁
        ("はよ来てほしい", "今日中"),
        ("はようせんでいい", "急がない"),
        # A month named for the worry, with the wish itself said too: the wish counts.
        ("来月の家賃がもう払えないので、なるべく早めに", "今日中"),
        ("今月で仕事終わるので、今週中には", "今週中"),
        ("急いでもらわなくてもいいです", "急がない"),
    ],
)
def test_how_urgent_is_read_from_everyday_words(text, expected):
    """「急いでないです」 is not 今日中, and 「できるだけ早く」 is not lost as an unclear answer."""
    from bot.intake.answers import read_urgency

    assert read_urgency(text) == expected


def test_an_unclear_answer_is_one_bubble_before_the_question_comes_again():
    """A miss is 「ごめんなさい…」 with the hint in one message (the form re-asks: two bubbles)."""
    from bot.intake.validation import decide

    decision = decide("intake_age", "わからない", 0)
    assert decision.value is None
    assert len(decision.messages) == 1
    assert "年齢" in decision.messages[0] and "ごめんなさい" in decision.messages[0]


def test_a_question_skipped_after_two_misses_says_it_was_the_bots_miss():
    """「わかりました。この質問はとばして」 read as if the resident had asked to skip, and the
    answer they gave was lost without a word: it says the bot could not read it, and how to
    answer later; for consent, that it counts as not given."""
    skipped = decide("intake_household", "ばあさんとじゃ", 1)
    assert skipped.value == "skipped"
    (said,) = skipped.messages
    assert not said.startswith("わかりました")
    assert "読み取れません" in said and "なおす" in said
    (consent_said,) = decide("intake_consent", "どうしよう", 1).messages
    assert "同意しない" in consent_said
