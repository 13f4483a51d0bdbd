"""Issue 9 (5): the intake form reads answers the way residents type them on a phone.

Through the form's validation action, with the slot candidate last as the Rasa server sends it:
ages written as a decade, in years, in kana or half-width digits land in their band; a household
question answered with something else (an age, a phone number, a day) is asked again.
"""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from tests.actions.conftest import texts
from tests.actions.test_intake_actions import validate


@pytest.mark.parametrize(
    ("typed", "band"),
    [
        ("68歳", "65歳以上"),
        ("68", "65歳以上"),  # half-width digits alone
        ("60代", "40〜64歳"),  # 60–69: the band holding its middle (bot.intake.ages)
        ("60代後半", "65歳以上"),
        ("さんじゅうはっさい", "20〜39歳"),
        ("ろくじゅうはっさいです", "65歳以上"),
    ],
)
async def test_ages_land_in_their_band(dispatcher, typed, band):
    result = await validate("intake_age", typed, dispatcher)
    assert result["intake_age"] == band
    assert "もう一度" not in texts(dispatcher)


@pytest.mark.parametrize("answer", ["68歳", "090-1234-5678", "今週中", "電話"])
async def test_the_household_question_asks_again_for_a_non_household_answer(dispatcher, answer):
    """「どなたと暮らしていますか？」 answered with an age, a number or a day: not a household."""
    result = await validate("intake_household", answer, dispatcher, intake_age="65歳以上")
    assert result["intake_household"] is None
    assert result["intake_retries"] == 1.0
    assert "暮らして" in texts(dispatcher)


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("ひとりです", "ひとりです"),
        ("夫と二人", "夫と二人"),
        ("ﾋﾄﾘｸﾞﾗｼ", "ヒトリグラシ"),
    ],  # width only
)
async def test_a_household_in_the_residents_words_is_kept(answer, kept):
    result = await validate("intake_household", answer, CollectingDispatcher())
    assert result["intake_household"] == kept
