"""The window-question action: a question after the windows were shown, on real trackers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.window_questions import ActionAnswerWindowQuestion
from actions.worries import ActionRouteWorry
from tests.actions.conftest import make_tracker, slot_events, texts


def question(text: str, facets: list[str], slots: dict[str, Any]) -> Tracker:
    tracker = make_tracker(text, "ask_window_info", slots=slots)
    tracker.latest_message["window_question"] = {"facets": facets}
    return tracker


def shown_slots(dispatcher: Any, city: str, worry: str) -> dict[str, Any]:
    """The slots after a real worry turn in ``city`` (windows shown, contact offered)."""
    tracker = make_tracker("困っています", "share_worry", slots={"city": city}, categories=[worry])
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    dispatcher.messages.clear()
    return {"city": city, **slot_events(events)}


def test_hours_of_the_window_just_shown_come_from_the_directory(dispatcher):
    slots = shown_slots(dispatcher, "ube", "housing")
    events = ActionAnswerWindowQuestion().run(
        dispatcher, question("土曜日もやってる？", ["hours"], slots), {}
    )
    said = texts(dispatcher)
    assert "生活相談サポートセンターうべ" in said
    assert "月曜日〜金曜日 8時30分〜17時15分" in said
    # The contact offer is asked again and still awaited: 「はい」 goes on to the intake.
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert "awaiting" not in slot_events(events)
    assert "routed_windows" not in slot_events(events)


def test_a_missing_phone_says_so_and_points_to_a_sourced_way_to_ask(dispatcher):
    slots = shown_slots(dispatcher, "kurume", "elderly_care")
    ActionAnswerWindowQuestion().run(dispatcher, question("電話番号は？", ["phone"], slots), {})
    said = texts(dispatcher)
    assert "まだ確認できていません" in said
    assert "おたずねください" in said or "http" in said


def test_no_facet_from_the_nlu_gives_the_main_facts(dispatcher):
    slots = shown_slots(dispatcher, "ube", "housing")
    ActionAnswerWindowQuestion().run(dispatcher, question("そこってどうなの", [], slots), {})
    assert "0836-43-7440" in texts(dispatcher)


def test_a_question_before_any_worry_asks_for_the_city(dispatcher):
    events = ActionAnswerWindowQuestion().run(dispatcher, question("何時まで？", ["hours"], {}), {})
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]][:2] == ["宇部市", "益田市"]
    assert slot_events(events)["awaiting"] == "city"
