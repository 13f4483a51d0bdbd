"""Typed text that names an offered button acts as it (``bot.dialogue.button_match``)."""

from __future__ import annotations

import pytest

from bot.dialogue.button_match import MAX_TYPED_CHARS, match_button
from bot.dialogue.state import Button
from bot.dialogue.texts import AFTER_CRISIS_BUTTONS, CITY_BUTTONS, YES_NO_CONTACT
from bot.intake.fields import AGE, CONTACT_METHOD, DECLINE_BUTTON, HOUSEHOLD, URGENCY
from bot.intake.questions import CONFIRM_BUTTONS, CONSENT_BUTTONS, choice_buttons


def pairs(buttons: tuple[Button, ...]) -> list[tuple[str, str]]:
    return [(b.title, b.payload) for b in buttons]


def payload_of(buttons: tuple[Button, ...], title: str) -> str:
    return next(b.payload for b in buttons if b.title == title)


CONTACT = choice_buttons(CONTACT_METHOD)
AGES = choice_buttons(AGE)
HOUSEHOLDS = choice_buttons(HOUSEHOLD)
URGENCIES = choice_buttons(URGENCY)
DECLINE = DECLINE_BUTTON[1]

EVERY_BUTTON_SET = [
    CITY_BUTTONS,
    YES_NO_CONTACT,
    AFTER_CRISIS_BUTTONS,
    CONSENT_BUTTONS,
    CONFIRM_BUTTONS,
    CONTACT,
    AGES,
    HOUSEHOLDS,
    URGENCIES,
]


@pytest.mark.parametrize("buttons", EVERY_BUTTON_SET)
def test_every_title_typed_as_it_is_names_its_button(buttons: tuple[Button, ...]) -> None:
    for button in buttons:
        assert match_button(button.title, pairs(buttons)) == button.payload


class TestKanaOnly:
    @pytest.mark.parametrize(
        ("typed", "buttons", "title"),
        [
            ("めーる", CONTACT, "メール"),
            ("まどぐちにいく", CONTACT, "窓口に行く"),
            ("こたえたくない", CONTACT, "答えたくない"),
            ("くるめし", CITY_BUTTONS, "久留米市"),
            ("さいしょから", AFTER_CRISIS_BUTTONS, "最初から"),
            ("どういしない", CONSENT_BUTTONS, "同意しない"),
            ("かぞくとくらしている", HOUSEHOLDS, "家族と暮らしている"),
            ("40から64さい", AGES, None),  # から is not 〜: left to the NLU and the form
        ],
    )
    def test_kana_spelling_of_a_kanji_title(
        self, typed: str, buttons: tuple[Button, ...], title: str | None
    ) -> None:
        expected = payload_of(buttons, title) if title else None
        assert match_button(typed, pairs(buttons)) == expected


class TestHalfWidth:
    @pytest.mark.parametrize(
        ("typed", "buttons", "title"),
        [
            ("ﾒｰﾙ", CONTACT, "メール"),
            ("ｲｲｴ", YES_NO_CONTACT, "いいえ"),
            ("ﾄﾞｳｲｽﾙ", CONSENT_BUTTONS, "同意する"),
            ("６５歳以上", AGES, "65歳以上"),
        ],
    )
    def test_half_and_full_width_forms(
        self, typed: str, buttons: tuple[Button, ...], title: str
    ) -> None:
        assert match_button(typed, pairs(buttons)) == payload_of(buttons, title)


class TestKatakana:
    @pytest.mark.parametrize(
        ("typed", "buttons", "title"),
        [
            ("デンワ", CONTACT, "電話"),
            ("ヒトリグラシ", HOUSEHOLDS, "ひとり暮らし"),
            ("キョウ", URGENCIES, "今日中"),
            ("イソガナイ", URGENCIES, "急がない"),
        ],
    )
    def test_katakana_spelling(
        self, typed: str, buttons: tuple[Button, ...], title: str | None
    ) -> None:
        expected = payload_of(buttons, title) if title else None
        assert match_button(typed, pairs(buttons)) == expected


class TestPoliteEndings:
    @pytest.mark.parametrize(
        ("typed", "buttons", "title"),
        [
            ("メールでお願いします", CONTACT, "メール"),
            ("窓口に行きます。", CONTACT, "窓口に行く"),
            ("同意します！", CONSENT_BUTTONS, "同意する"),
            ("答えたくないです", AGES, DECLINE_BUTTON[0]),
            ("今週中でおねがいします", URGENCIES, "今週中"),
        ],
    )
    def test_polite_endings_and_punctuation_are_ignored(
        self, typed: str, buttons: tuple[Button, ...], title: str
    ) -> None:
        assert match_button(typed, pairs(buttons)) == payload_of(buttons, title)


class TestShortUniqueForm:
    @pytest.mark.parametrize(
        ("typed", "buttons", "title"),
        [
            ("はい", YES_NO_CONTACT, "はい、連絡がほしい"),
            ("連絡ほしい", YES_NO_CONTACT, "はい、連絡がほしい"),
            ("窓口", CONTACT, "窓口に行く"),
            ("その他", CITY_BUTTONS, "その他の市町村"),
            ("続ける", AFTER_CRISIS_BUTTONS, "相談を続ける"),
            ("なおす", CONFIRM_BUTTONS, "なおす"),
        ],
    )
    def test_a_short_form_names_the_one_button_it_fits(
        self, typed: str, buttons: tuple[Button, ...], title: str
    ) -> None:
        assert match_button(typed, pairs(buttons)) == payload_of(buttons, title)

    def test_a_single_character_is_too_little(self) -> None:
        assert match_button("い", pairs(YES_NO_CONTACT)) is None


class TestAmbiguityRefused:
    def test_a_form_fitting_two_buttons_names_neither(self) -> None:
        buttons = [("今日中に電話", "a"), ("今週中に電話", "b")]
        assert match_button("電話", buttons) is None

    def test_an_exact_title_wins_over_a_longer_one(self) -> None:
        buttons = [("電話", "short"), ("電話とメール", "long")]
        assert match_button("でんわ", buttons) == "short"

    def test_a_negation_is_never_dropped_from_a_title(self) -> None:
        assert match_button("同意", pairs(CONSENT_BUTTONS)) == "/affirm"
        assert match_button("答えたい", pairs(CONTACT)) is None

    @pytest.mark.parametrize(
        "typed", ["電話はいや", "電話以外", "メールじゃない", "いいえ、連絡がほしい", "いい"]
    )
    def test_added_words_are_not_a_button(self, typed: str) -> None:
        assert match_button(typed, pairs(CONTACT) + pairs(YES_NO_CONTACT)) is None

    def test_nothing_offered_nothing_matched(self) -> None:
        assert match_button("はい", []) is None

    def test_a_typed_payload_is_never_a_button(self) -> None:
        assert match_button("/affirm", pairs(YES_NO_CONTACT)) is None


class TestLongSentencesRefused:
    def test_a_sentence_is_left_to_the_nlu(self) -> None:
        long = "電話" + "で" * MAX_TYPED_CHARS
        assert match_button(long, pairs(CONTACT)) is None

    def test_two_sentences_are_left_to_the_nlu(self) -> None:
        assert match_button("電話。メール", pairs(CONTACT)) is None


class TestCrisisWordsRefused:
    @pytest.mark.parametrize("typed", ["死にたい", "もう消えたい"])
    def test_crisis_words_never_become_a_button(self, typed: str) -> None:
        buttons = [*pairs(YES_NO_CONTACT), (typed, "/deny")]
        assert match_button(typed, buttons) is None
