"""The city rule component: a message that corrects the city is read as a city, not a greeting."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import CityEntityExtractor


def parse(text: str, intent: str) -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6}})
    CityEntityExtractor({}).process([message])
    return message


@pytest.mark.parametrize(
    ("text", "model_intent", "city"),
    [
        ("市をまちがえました、益田です", "greet", "masuda"),
        ("市をまちがえました、益田です", "change_city", "masuda"),
        ("やっぱり久留米市です", "nlu_fallback", "kurume"),
        ("住んでるのは富士市でした", "inform", "fuji"),
        ("いいえ、益田です", "deny", "masuda"),
        ("宇部じゃなくて益田です", "greet", "masuda"),
    ],
)
def test_a_city_correction_reaches_the_city_action_whatever_the_model_said(
    text: str, model_intent: str, city: str
) -> None:
    message = parse(text, model_intent)
    assert message.get("intent")["name"] == "inform_city"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("city", city)]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("宇部に住んでいて、借金があります", "share_worry"),
        ("宇部に住んでいて、死にたい", "crisis"),
        ("最初から、宇部です", "start_over"),
    ],
)
def test_worries_and_crises_keep_their_intent_with_a_city(text: str, intent: str) -> None:
    message = parse(text, intent)
    assert message.get("intent")["name"] == intent
    assert message.get("entities")[0]["value"] == "ube"


@pytest.mark.parametrize(
    ("text", "city", "surface"),
    [
        ("親の介護がしんどい。田主丸に住んでます", "kurume", "田主丸"),
        ("お金がない。益田", "masuda", "益田"),
        ("旧楠町で一人暮らし、仕事がない", "ube", "楠"),
        ("ﾀｺﾞﾉｳﾗの近くに住んでて家賃が払えない", "fuji", "ﾀｺﾞﾉｳﾗ"),
    ],
)
def test_a_district_or_trailing_name_gives_the_city_and_keeps_the_worry(
    text: str, city: str, surface: str
) -> None:
    """The worry stays the intent; the city rides along as an entity pointing at the name."""
    message = parse(text, "share_worry")
    assert message.get("intent")["name"] == "share_worry"
    [entity] = message.get("entities")
    assert (entity["value"], text[entity["start"] : entity["end"]]) == (city, surface)


def _parsed(text: str, intent: str):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.51})
    return message


@pytest.mark.parametrize("text", ["😭", "🙏", "ｈｓｊｋｌ", "asdf"])
def test_a_city_answer_without_a_city_becomes_a_clarifying_question(text: str) -> None:
    """DIET put emoji and keyboard mash on inform_city; a crying resident was asked to choose
    their city again. With no city in the text the rule layer makes it nlu_fallback."""
    from bot.nlu.components import CityEntityExtractor

    message = _parsed(text, "inform_city")
    CityEntityExtractor({}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_city_answer_with_a_city_stays_a_city_answer() -> None:
    from bot.nlu.components import CityEntityExtractor

    message = _parsed("うべです", "inform_city")
    CityEntityExtractor({}).process([message])
    assert message.get("intent")["name"] == "inform_city"
