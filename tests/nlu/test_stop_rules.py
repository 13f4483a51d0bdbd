"""A resident's wish to stop is read as such in every spelling, and nothing else is.

Protects the intake form: a typed 「やめます」 used to be saved as the answer (a name, a
household) and the questions went on; a worry or a wish about living must never be read as
"stop the form".
"""

from __future__ import annotations

import pytest

from bot.nlu.stop_rules import is_stop_request

STOPS = [
    "やめます",
    "やめる",
    "ヤメマス",
    "やっぱりやめます",
    "やっぱりやめときます。",
    "相談はやめます",
    "入力をやめたいです",
    "送るのをやめてください",
    "やめてください",
    "キャンセル",
    "ｷｬﾝｾﾙ",
    "キャンセルします",
    "キャンセルでお願いします",
    "中止してください",
    "中断します",
    "ストップ",
    "送らないでください",
    "もういいです",
    "やっぱりいいです！",
    "すみません、やめます",
    "一旦やめます",
    "止めます",
]

NOT_STOPS = [
    "仕事をやめた",
    "仕事をやめました",
    "会社を辞めたい",
    "もうやめたい",
    "もう終わりにしたい",
    "生きるのをやめたい",
    "いいです",
    "結構です",
    "はい",
    "いいえ",
    "酒をやめられない",
    "夫がギャンブルをやめてくれない",
    "息子が学校をやめそう",
    "やめたいけど、相談のしかたがわからないし、家賃も払えなくてどうしたらいいか",
    "",
    "   ",
]


@pytest.mark.parametrize("text", STOPS)
def test_a_wish_to_stop_is_read_in_every_spelling(text: str) -> None:
    assert is_stop_request(text)


@pytest.mark.parametrize("text", NOT_STOPS)
def test_worries_answers_and_wishes_about_living_are_not_a_wish_to_stop(text: str) -> None:
    assert not is_stop_request(text)


def _message(text: str, intent: str, categories: list[str] | None = None):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.9})
    if categories is not None:
        message.set("worry_categories", {"categories": categories, "confidence": {}})
    return message


def test_the_rule_layer_turns_a_typed_stop_into_the_stop_intent() -> None:
    """In the form, 「ｷｬﾝｾﾙ」 reaches the dialogue as ``stop``, whatever the model guessed."""
    from bot.nlu.components import STOP_INTENT, apply_stop_request

    message = _message("ｷｬﾝｾﾙで", "inform")
    apply_stop_request(message)
    assert message.get("intent")["name"] == STOP_INTENT


@pytest.mark.parametrize(("intent", "categories"), [("crisis", None), ("share_worry", ["income"])])
def test_a_crisis_or_a_worry_is_never_turned_into_stop(
    intent: str, categories: list[str] | None
) -> None:
    from bot.nlu.components import apply_stop_request

    message = _message("やめます", intent, categories)
    apply_stop_request(message)
    assert message.get("intent")["name"] == intent
