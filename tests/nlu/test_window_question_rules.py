"""Questions about a window: which facet is asked, in any spelling, and what is not a question."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import CityEntityExtractor
from bot.nlu.window_question_rules import detect_window_question


def facets(text: str) -> tuple[str, ...]:
    question = detect_window_question(text)
    return () if question is None else question.facets


@pytest.mark.parametrize(
    ("text", "facet"),
    [
        # days and hours, holidays, evenings
        ("土曜日もやってますか？", "hours"),
        ("どようびもあいてる？", "hours"),
        ("何時までですか", "hours"),
        ("ナンジから開いてるん？", "hours"),
        ("祝日は？", "hours"),
        ("夜も電話できる？", "hours"),
        ("週末は休み？", "hours"),
        ("受付時間おしえて", "hours"),
        # phone
        ("そこの電話番号は？", "phone"),
        ("でんわばんごう教えてください", "phone"),
        ("ﾃﾞﾝﾜﾊﾞﾝｺﾞｳは？", "phone"),
        ("連絡先わかりますか", "phone"),
        # address and access
        ("場所はどこですか", "address"),
        ("じゅうしょは？", "address"),
        ("バスで行ける？", "address"),
        ("駐車場ある？", "address"),
        ("そこってどこにあるの", "address"),
        ("行き方がわからん", "address"),
        # booking
        ("予約いる？", "booking"),
        ("よやくしないとだめ？", "booking"),
        ("いきなり行っても大丈夫かな", "booking"),
        # what to bring
        ("何を持っていけばいいですか", "bring"),
        ("もちものは？", "bring"),
        ("はんこいる？", "bring"),
        # the city hall
        ("市役所の番号は？", "cityhall"),
        ("しやくしょの電話ばんごうおしえて", "cityhall"),
    ],
)
def test_each_facet_is_read_in_any_spelling(text: str, facet: str) -> None:
    assert facet in facets(text)


def test_several_facets_in_one_question_are_all_kept_in_a_fixed_order() -> None:
    assert facets("住所と電話番号と、土日もやってるか教えて") == ("hours", "phone", "address")


@pytest.mark.parametrize(
    "text",
    [
        "夜眠れないんです",  # a worry that mentions the night
        "夜なら大丈夫です",  # the intake's "when may we call?" answered
        "090-1234-5678です",  # the resident's own number
        "電話してほしいです",  # asking to be called is the handoff, not the number
        "電話でお願いします",  # the intake's contact method answered
        "電話がいいです",
        "平日の昼間がいいです",  # the intake's contact time answered
        "土日なら出られます",
        "どこに相談すればいいかわからない",  # asks for a window, not an address
        "こんにちは",
        "お金がなくて家賃が払えません",
    ],
)
def test_what_is_not_a_question_about_a_window(text: str) -> None:
    assert facets(text) == ()


def parse(text: str, intent: str, categories: list[str] | None = None) -> Message:
    data = {"text": text, "intent": {"name": intent, "confidence": 0.6}}
    if categories is not None:
        data["worry_categories"] = {"categories": categories, "confidence": {}}
    message = Message(data=data)
    CityEntityExtractor({}).process([message])
    return message


def facet_entities(message: Message) -> list[str]:
    return list((message.get("window_question") or {}).get("facets") or [])


@pytest.mark.parametrize("model_intent", ["nlu_fallback", "greet", "affirm", "out_of_scope"])
def test_a_question_reaches_the_window_action_whatever_the_model_said(model_intent: str) -> None:
    message = parse("土曜日もあいてますか？", model_intent)
    assert message.get("intent")["name"] == "ask_window_info"
    assert facet_entities(message) == ["hours"]


def test_a_crisis_is_never_replaced() -> None:
    message = parse("夜になると死にたくなる、電話番号は？", "crisis")
    assert message.get("intent")["name"] == "crisis"


def test_an_intake_answer_is_never_replaced() -> None:
    assert parse("平日の昼なら電話に出られます？", "inform").get("intent")["name"] == "inform"


def test_a_worry_stays_a_worry_unless_the_question_points_at_the_window() -> None:
    worry = parse("土日も仕事なのにお金が足りない。どうしたらいい？", "share_worry", ["income"])
    assert worry.get("intent")["name"] == "share_worry"
    question = parse("子育ての窓口は何時まで？", "share_worry", ["childcare"])
    assert question.get("intent")["name"] == "ask_window_info"


def test_the_city_named_in_the_question_is_kept() -> None:
    message = parse("益田市役所の電話番号は？", "nlu_fallback")
    assert message.get("intent")["name"] == "ask_window_info"
    assert facet_entities(message) == ["phone", "cityhall"]
    assert [e["value"] for e in message.get("entities") if e["entity"] == "city"] == ["masuda"]
