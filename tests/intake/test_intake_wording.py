"""The questions speak to the resident as あなた when the worry is their own."""

from __future__ import annotations

import pytest

from bot.intake.answers import about_whom
from bot.intake.fields import AGE, HOUSEHOLD, question_for


@pytest.mark.parametrize("field", [AGE, HOUSEHOLD])
def test_own_worry_says_anata(field):
    text = question_for(field, "self")
    assert "あなた" in text and "その方" not in text


@pytest.mark.parametrize("field", [AGE, HOUSEHOLD])
def test_someone_elses_worry_says_sono_kata(field):
    text = question_for(field, "other")
    assert "その方" in text and "あなた" not in text


@pytest.mark.parametrize("field", [AGE, HOUSEHOLD])
def test_unknown_whose_worry_is_neutral(field):
    text = question_for(field, None)
    assert "あなた" not in text and "その方" not in text


@pytest.mark.parametrize(
    "about,told,expected",
    [
        ("本人", [], "self"),
        ("家族", [], "other"),
        ("知人・近所", [], "other"),
        ("本人", ["母の介護がつらい"], "self"),  # the answer wins over the story
        (None, ["借金が返せません"], None),
        (None, ["わたしは借金が返せません"], "self"),
        (None, ["ﾜﾀｼ、仕事がなくて"], "self"),
        (None, ["母が認知症で"], "other"),
        (None, ["うちの息子がひきこもっています"], "other"),
        (None, ["隣のおばあさんが心配"], "other"),
        ("skipped", ["自分の借金のこと"], "self"),
    ],
)
def test_whose_worry_it_is(about, told, expected):
    assert about_whom(about, told) == expected
