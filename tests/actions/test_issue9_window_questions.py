"""Issue 9 (1): questions about a window just shown, answered by the action from the directory.

Covers the facets the existing action tests leave out (address, booking, what to bring, the
city hall's number): each answer is the directory's sourced fact, or 「まだ確認できていません」
followed by a sourced number to ask, and the pending offer of a staff contact is asked again.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.window_questions import ActionAnswerWindowQuestion
from actions.worries import ActionRouteWorry
from bot.directory import default_directory
from tests.actions.conftest import make_tracker, slot_events, texts

DIRECTORY = default_directory()


def shown_slots(city: str, worry: str) -> dict[str, Any]:
    """The slots after a real worry turn: the windows shown, the staff contact offered."""
    tracker = make_tracker("困っています", "share_worry", slots={"city": city}, categories=[worry])
    return {
        "city": city,
        **slot_events(ActionRouteWorry().run(CollectingDispatcher(), tracker, {})),
    }


def asked(dispatcher: CollectingDispatcher, slots: dict[str, Any], facets: list[str]) -> list:
    tracker: Tracker = make_tracker("それって？", "ask_window_info", slots=slots)
    tracker.latest_message["window_question"] = {"facets": facets}
    return ActionAnswerWindowQuestion().run(dispatcher, tracker, {})


def assert_offer_kept(dispatcher: CollectingDispatcher, events: list) -> None:
    """The question did not lose the open offer: it is asked again, and still awaited."""
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert "awaiting" not in slot_events(events)


def test_the_address_of_the_window_just_shown_is_the_directorys(dispatcher):
    """「場所はどこ？」 after 生活相談サポートセンターうべ: its sourced address, offer kept."""
    slots = shown_slots("ube", "housing")
    events = asked(dispatcher, slots, ["address"])
    window = DIRECTORY.window(slots["routed_windows"][0])
    address = window.contacts_of("address")[0].value
    assert address in texts(dispatcher)
    assert_offer_kept(dispatcher, events)


@pytest.mark.parametrize(
    ("facet", "missing"),
    [("booking", "予約がいるかどうかは"), ("bring", "持っていくものは")],
)
def test_a_fact_the_directory_lacks_says_so_and_gives_the_sourced_phone(dispatcher, facet, missing):
    """「予約いる？」「何を持っていけばいい？」: not known, so said honestly, then the window's
    sourced phone to ask; nothing is invented, and the offer is asked again."""
    slots = shown_slots("ube", "housing")
    events = asked(dispatcher, slots, [facet])
    said = texts(dispatcher)
    assert f"{missing}、まだ確認できていません" in said
    window = DIRECTORY.window(slots["routed_windows"][0])
    assert window.contacts_of("phone")[0].value in said
    assert_offer_kept(dispatcher, events)


def test_the_city_halls_number_is_the_sourced_one(dispatcher):
    """益田市: the city hall's own sourced number is given."""
    events = asked(dispatcher, shown_slots("masuda", "debt"), ["cityhall"])
    said = texts(dispatcher)
    assert "益田市役所" in said and "0856-31-0100" in said
    assert_offer_kept(dispatcher, events)


@pytest.mark.parametrize("city", ["ube", "fuji"])
def test_an_unsourced_city_hall_number_says_so_and_gives_the_coordinating_window(dispatcher, city):
    """No sourced city hall number: 「まだ確認できていません」, then the coordinating window's
    sourced phone (it takes any worry) instead of a made-up 代表番号."""
    events = asked(dispatcher, shown_slots(city, "housing"), ["cityhall"])
    said = texts(dispatcher)
    assert "市役所の電話番号は、まだ確認できていません" in said
    coordinator = DIRECTORY.city(city).compound_window
    assert coordinator.name in said
    assert coordinator.contacts_of("phone")[0].value in said
    assert_offer_kept(dispatcher, events)
