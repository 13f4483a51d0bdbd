"""After 「連絡を希望しますか？」 the resident's own words are read as the answer: a wish for
contact or help is yes, a refusal or a negated wish is no, and anything else (a worry, a
question, a crisis, a yes and a no at once) is left to the model."""

from __future__ import annotations

import pytest

from bot.dialogue.offer_answer import MAX_ANSWER_CHARS, answer_to_offer, read_offer_answer
from bot.dialogue.state import AWAITING_HANDOFF_OFFER, AWAITING_INTAKE_CONFIRM

YES = [
    "はい、相談したいです",
    "お願いします",
    "ぜひお願いします",
    "うん、連絡ほしい",
    "れんらくほしいです",
    "電話ください",
    "希望します",
    "よろしくお願いします",
    "相談したいです",
    "職員さんと話したい",
    "お願いできますか",
    "連絡もらえますか",
    "ﾊｲ ｵﾈｶﾞｲｼﾏｽ",  # half-width kana from an old phone
    "ハイ、オネガイシマス",
    "頼んます",  # dialect
    "ほんならお願いしよかな",
    "おう、たのむわ",
    "ええよ、頼むわ",
    "話を聞いてほしい",
    "一人では無理なので相談したいです",  # a negation before the last clause
    "はい。連絡をお願いします。",
    "OK",
    "もちろんです",
]

NO = [
    "いいえ、大丈夫です",
    "いえ、けっこうです。",
    "今はいいです",
    "今日はいいかな",
    "まだいいです",
    "連絡はいらないです",
    "いりません",
    "連絡はいらん",  # dialect
    "ええわ、いらん",  # Kansai: ええわ is no thanks
    "しなくていいです",
    "遠慮します",
    "連絡しないでください",
    "連絡はしてほしくないです",
    "今は話したくない",
    "電話はいやです",
    "ううん",
]

NEITHER = [
    "こんにちは",
    "家賃が払えません",  # a worry with a negation
    "息子が部屋から出てこない",
    "わかりません",
    "窓口の電話番号は？",
    "何時まで開いてますか",
    "宇部市です",
    "大丈夫です",  # yes or no, by the question: the model decides
    "はい、でも電話はしないでください",  # both
    "いいえ、お願いします",  # both
    "死にたい",  # crisis words: never an answer
    "もう死にたいので相談したい",
    "",
    "😊😊😊",
]


@pytest.mark.parametrize("text", YES)
def test_a_wish_for_contact_is_yes(text: str) -> None:
    assert read_offer_answer(text) == "affirm"


@pytest.mark.parametrize("text", NO)
def test_a_refusal_is_no(text: str) -> None:
    assert read_offer_answer(text) == "deny"


@pytest.mark.parametrize("text", NEITHER)
def test_anything_else_is_left_to_the_model(text: str) -> None:
    assert read_offer_answer(text) is None


def test_a_long_message_is_left_to_the_model() -> None:
    text = "はい、お願いします。" + "子どものことも" * 5
    assert len(text) > MAX_ANSWER_CHARS
    assert read_offer_answer(text) is None


def test_only_while_the_offer_waits_outside_a_form() -> None:
    text = "はい、相談したいです"
    assert answer_to_offer(text, "nlu_fallback", AWAITING_HANDOFF_OFFER, None) == "affirm"
    assert answer_to_offer(text, "nlu_fallback", None, None) is None
    # The summary's yes sends personal data: only its buttons and the model decide there.
    assert answer_to_offer(text, "nlu_fallback", AWAITING_INTAKE_CONFIRM, None) is None
    assert answer_to_offer(text, "nlu_fallback", AWAITING_HANDOFF_OFFER, "intake_form") is None


@pytest.mark.parametrize(
    "intent", ["crisis", "share_worry", "ask_window_info", "inform_city", "change_city", "stop"]
)
def test_an_intent_with_its_own_path_is_kept(intent: str) -> None:
    """A worry, a question, a city or a crisis keeps its own path even while the offer waits."""
    assert answer_to_offer("お願いします", intent, AWAITING_HANDOFF_OFFER, None) is None


def test_a_button_payload_is_kept() -> None:
    assert answer_to_offer("/deny", "deny", AWAITING_HANDOFF_OFFER, None) is None
