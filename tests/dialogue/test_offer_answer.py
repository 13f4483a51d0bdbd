"""After 「連絡を希望しますか？」 the resident's own words are read as the answer: a wish for
contact or help is yes, a refusal or a negated wish is no, and anything else (a worry, a
question, a crisis, a yes and a no at once) is left to the model."""

from __future__ import annotations

import pytest

from bot.dialogue.offer_answer import (
    DANGER_FLOOR,
    MAX_ANSWER_CHARS,
    answer_to_offer,
    read_offer_answer,
)
from bot.dialogue.state import (
    AWAITING_HANDOFF_OFFER,
    AWAITING_INTAKE_CONFIRM,
)

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
    "相談に乗ってほしいです",
    "はい。連絡をお願いします。",
    "OK",
    "オッケーです",
    "もちろんです",
    "ぜひ相談させてください",
    # Requests put as a negative question are requests.
    "連絡してもらえませんか",
    "電話してくれない？",
    "電話してくれんね",  # Kyushu
    "はい、それでいいです",
    "うん、おねがい",
    "お願いしたいと思います",
    "すみません、お願いします",  # a courtesy first: すみません is a negation only in form
    "ぜひお願いいたします",
    "やっぱりお願いします",  # a change of mind while the offer still waits
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
    "ええわ",
    "しなくていいです",
    "遠慮します",
    "連絡しないでください",
    "連絡はしてほしくないです",
    "今は話したくない",
    "電話はいやです",
    "ううん",
    "希望しません",
    "いいえ、希望しません",
    "今回は遠慮しておきます",
    "今は大丈夫です",
    "大丈夫、いらないです",
    "お断りします",
    "連絡なしでお願いします",
    "必要ないです",
    "必要ありません",
    "いいえー",  # drawn out
    "ごめんなさい、いらないです",
]

NEITHER = [
    # Any word beyond the offer's own: the model decides, as it did before.
    "一人では無理なので相談したいです",
    "夫には連絡しないでください",  # not through him: the intake asks for a safe contact
    "家族に知られたくない",
    "自分で電話したいです",  # "I will call them myself"
    "もう少し考えたい",
    "ちょっと待ってください",
    "ほっといてください",
    "どんな人が連絡くれるんですか？",
    "給付金もらえますか",
    "ちょっと聞きたいことがあります",
    "相談できる人がいない",  # nobody (居る) is not "not needed" (要る)
    "誰にも相談できない",
    "とても困っています",
    "結構しんどいです",
    "今日の夕方がいいです",
    "今からでもいいですか",
    "お金がかからないなら相談したい",
    "いや、ほんまに助かるわ",
    "はい、大丈夫です",  # "fine": yes or no, by the question
    "ええです",
    "連絡ほしいかも",  # a hedge is not yet an answer
    # Despair is never a no (nor a yes), even where no crisis rule fires.
    "もうどうなってもいい",
    "もう何もいらない",
    "もういやだ",
    "もうやめたい",
    "死にたくない",
    "あの世に行きたい",
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


def _parse(text: str, intent: str = "nlu_fallback", **more: object) -> dict[str, object]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.4}, **more}


def test_only_while_the_offer_waits_outside_a_form() -> None:
    parse = _parse("はい、相談したいです")
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) == "affirm"
    assert answer_to_offer(parse, None, None) is None
    # The summary's yes sends personal data: only its buttons and the model decide there.
    assert answer_to_offer(parse, AWAITING_INTAKE_CONFIRM, None) is None
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, "intake_form") is None


@pytest.mark.parametrize(
    "intent",
    [
        "crisis",
        "share_worry",
        "ask_window_info",
        "inform_city",
        "stop",
        "affirm",
        "deny",
        "request_human",
    ],
)
def test_an_intent_with_its_own_path_is_kept(intent: str) -> None:
    """A worry, a question, a city, a crisis, a wish for a person (the offer is made again)
    and the model's own yes or no keep their path even while the offer waits."""
    assert answer_to_offer(_parse("お願いします", intent), AWAITING_HANDOFF_OFFER, None) is None
    assert answer_to_offer(_parse("今はいいです", intent), AWAITING_HANDOFF_OFFER, None) is None


@pytest.mark.parametrize(
    "signal",
    [
        {"crisis": {"detected": False, "confidence": DANGER_FLOOR}},
        {"crisis": {"detected": True, "confidence": 1.0}},
        {"intent_ranking": [{"name": "crisis", "confidence": 0.6}]},
        {"worry_categories": {"categories": ["isolation"]}},
    ],
)
def test_a_message_leaning_to_danger_or_carrying_a_worry_is_left_to_the_model(signal) -> None:
    """Below the crisis threshold, a message the crisis model or DIET leaned on as danger is
    never made a yes or a no, nor is one in which a worry was found."""
    parse = _parse("お願いします", **signal)
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) is None


def test_a_button_payload_is_kept() -> None:
    parse = _parse("/deny", "nlu_fallback")
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) is None
