"""Issue 9 (3): no dead ends, as the resident sees the worry action's first answer.

For every city and worry: when the window named first has no sourced phone, the same answer
gives the nearest sourced way in (the coordinating window's phone, a department or prefectural
line, the city hall's number, a page or the city hall's address) and offers that a staff member
can get in touch. Programme names (〜事業) are never shown as windows, and 益田市's case meeting
is called by its own name, ひとまる会議.
"""

from __future__ import annotations

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.worries import ActionRouteWorry, ActionShowMoreDetail, ActionShowOtherWindows
from bot.directory import CATEGORY_CODES, City, default_directory
from tests.actions.conftest import make_tracker, slot_events, texts

DIRECTORY = default_directory()
CITIES = [city.code for city in DIRECTORY.cities]
STAFF_OFFER = "職員から、あなたに連絡してもらうこともできます"


def sourced_ways_in(city: City) -> set[str]:
    """Every sourced phone, page and address of the city: what a way in may consist of."""
    contacts = [*city.city_hall.contacts, *(c for w in city.windows for c in w.contacts)]
    contacts += [c for line in city.lines for c in line.contacts]
    return {c.shown for c in contacts if c.kind in ("phone", "url", "address")}


def route(dispatcher: CollectingDispatcher, city: str, worries: list[str]) -> dict:
    tracker = make_tracker("困っています", "share_worry", slots={"city": city}, categories=worries)
    return {"city": city, **slot_events(ActionRouteWorry().run(dispatcher, tracker, {}))}


@pytest.mark.parametrize("category", CATEGORY_CODES)
@pytest.mark.parametrize("city", CITIES)
def test_a_window_without_a_phone_still_gives_a_way_in_and_a_staff_contact(
    dispatcher, city, category
):
    slots = route(dispatcher, city, [category])
    said = texts(dispatcher)
    first = DIRECTORY.window(slots["routed_windows"][0])
    if not first.contacts_of("phone"):
        ways = sourced_ways_in(DIRECTORY.city(city))
        assert any(way in said for way in ways), f"{city}/{category}: no sourced way in:\n{said}"
    assert STAFF_OFFER in said
    assert "/affirm" in [b["payload"] for b in dispatcher.messages[-1]["buttons"]]


def programme_free(text: str) -> bool:
    # 事業所 (an office) is a place; 〜事業 (a programme) is not.
    return "事業" not in text.replace("事業所", "")


@pytest.mark.parametrize("city", CITIES)
def test_no_programme_name_in_the_answer_its_details_or_the_other_windows(dispatcher, city):
    """アウトリーチ等を通じた継続的支援事業・参加支援事業・地域介護予防活動支援事業 and the
    like are what the plan calls its programmes, not places a resident can go."""
    for category in CATEGORY_CODES:
        slots = route(dispatcher, city, [category, "isolation"])
        for action, intent in (
            (ActionShowMoreDetail(), "more_detail"),
            (ActionShowOtherWindows(), "other_windows"),
        ):
            action.run(dispatcher, make_tracker(f"/{intent}", intent, slots=slots), {})
    said = texts(dispatcher)
    for name in (
        "アウトリーチ等を通じた継続的支援事業",
        "参加支援事業",
        "地域介護予防活動支援事業",
    ):
        assert name not in said
    assert programme_free(said), city


def test_masuda_names_its_case_meeting_hitomaru_kaigi(dispatcher):
    """Residents of 益田市 know the place as ひとまる会議, not by the plan's wording."""
    route(dispatcher, "masuda", ["isolation"])
    assert "ひとまる会議" in texts(dispatcher)
    assert programme_free(texts(dispatcher))


@pytest.mark.parametrize("city", CITIES)
def test_every_window_in_the_other_windows_list_has_a_way_in(dispatcher, city):
    """「ほかの窓口」 lists more windows; one without a phone or page used to say only
    「電話番号は、まだ確認できていません。」 (富士市 こども家庭センター), a dead end at night."""
    ways = sourced_ways_in(DIRECTORY.city(city))
    for category in CATEGORY_CODES:
        dispatcher.messages.clear()
        slots = route(dispatcher, city, [category, "isolation", "income"])
        first_answer = texts(dispatcher)
        dispatcher.messages.clear()
        tracker = make_tracker("ほかの窓口", "other_windows", slots=slots)
        ActionShowOtherWindows().run(dispatcher, tracker, {})
        for message in dispatcher.messages:
            text = message.get("text") or ""
            if "まだ確認できていません" in text:
                # Pointing back to the first answer's window counts only if that answer
                # showed it with a sourced number.
                above = re.search(r"上の「([^」]+)」", text)
                pointed_back = above is not None and f"「{above.group(1)}」" in first_answer
                if pointed_back:
                    assert any(way in first_answer for way in ways), first_answer
                assert (
                    pointed_back or any(way in text for way in ways) or "おたずねください" in text
                ), text
