"""Ages are read however residents write them: digits of any width, kana or kanji numerals,
decades, 「〜過ぎ」, ranges, or a bare number."""

from __future__ import annotations

import pytest

from bot.intake import answers
from bot.intake.ages import read_number_words

TEEN, YOUNG, MIDDLE, OLDER = "19歳以下", "20〜39歳", "40〜64歳", "65歳以上"


@pytest.mark.parametrize(
    "text,expected",
    [
        # kana numerals, hiragana and katakana, with the sound changes of counting
        ("さんじゅうはち", 38),
        ("ろくじゅう", 60),
        ("ななじゅうご", 75),
        ("しちじゅういち", 71),
        ("きゅうじゅうきゅう", 99),
        ("じゅうく", 19),
        ("ひゃく", 100),
        ("ヨンジュウ", 40),
        ("ハチジュウニ", 82),
        # kanji numerals
        ("六十八", 68),
        ("二十", 20),
        ("百一", 101),
    ],
)
def test_numeral_words_are_read_as_numbers(text, expected):
    assert read_number_words(text) == str(expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        # half-width katakana and digits (NFKC)
        ("ｻﾝｼﾞｭｳﾊｯｻｲ", YOUNG),
        ("ﾛｸｼﾞｭｳﾀﾞｲ", MIDDLE),
        ("ﾅﾅｼﾞｭｯｻｲ", OLDER),
        ("68", OLDER),
        ("６８", OLDER),
        ("６８歳", OLDER),
        ("１７", TEEN),
        # kana numerals with 歳・代
        ("さんじゅうはっさい", YOUNG),
        ("ろくじゅうだい", MIDDLE),
        ("はちじゅうだいです", OLDER),
        ("じゅっさい", TEEN),
        ("にじゅうごさいです", YOUNG),
        ("よんじゅうにさい", MIDDLE),
        # kanji numerals
        ("六十八歳", OLDER),
        ("七十代", OLDER),
        ("三十代です", YOUNG),
        # digits with 代／歳／才
        ("60代", MIDDLE),
        ("60代後半", OLDER),
        ("60代前半", MIDDLE),
        ("70代", OLDER),
        ("10代", TEEN),
        ("68歳", OLDER),
        ("45才", MIDDLE),
        ("38です", YOUNG),
        ("たぶん80くらい", OLDER),
        ("19", TEEN),
        ("母は82です", OLDER),
        ("還暦です", MIDDLE),
        # over, ranges
        ("70過ぎ", OLDER),
        ("70すぎです", OLDER),
        ("64歳以上", OLDER),
        ("30〜35歳", YOUNG),
        ("60から70歳くらい", OLDER),
        ("40代か50代", MIDDLE),
        # the choice itself, or its button
        ("65歳以上", OLDER),
        ("20〜39歳", YOUNG),
        ("中学生です", TEEN),
    ],
)
def test_ages_land_in_their_band(text, expected):
    assert answers.read_age(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "090-1234-5678",
        "09012345678",
        "母と二人",
        "子ども3人と",
        "わからない",
        "お金がなくて困っています",
        "1000",
        "",
    ],
)
def test_what_is_not_an_age_is_not_read_as_one(text):
    assert answers.read_age(text) is None
