"""Issue 9 (4): the worry action's first answer fits a phone screen, for every city.

At most three messages and about 500 characters; the window named first comes with its sourced
phone and hours; the last message carries the offer and 「くわしく」, plus 「ほかの窓口」 when
more windows were found. The rest waits behind those buttons.
"""

from __future__ import annotations

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.worries import ActionRouteWorry
from bot.directory import default_directory
from tests.actions.conftest import make_tracker, slot_events

DIRECTORY = default_directory()
CITIES = [city.code for city in DIRECTORY.cities]
WORRIES = [
    ["housing"],
    ["elderly_care"],
    ["debt", "income"],
    ["income", "elderly_care", "isolation"],
    ["housing", "debt", "childcare", "disability"],
]
MAX_MESSAGES = 3
MAX_CHARS = 500


def first_answer(city: str, worries: list[str]) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("困っています", "share_worry", slots={"city": city}, categories=worries)
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    return [m for m in dispatcher.messages if m.get("text")], slot_events(events)


@pytest.mark.parametrize("worries", WORRIES, ids="+".join)
@pytest.mark.parametrize("city", CITIES)
def test_the_first_answer_fits_a_phone(city, worries):
    messages, _ = first_answer(city, worries)
    said = [m["text"] for m in messages]
    assert len(said) <= MAX_MESSAGES, said
    assert sum(map(len, said)) <= MAX_CHARS, said


@pytest.mark.parametrize("worries", WORRIES, ids="+".join)
@pytest.mark.parametrize("city", CITIES)
def test_the_window_named_first_comes_with_its_phone_and_hours(city, worries):
    """The first 「…」 named is the window to call; its number and hours follow it, before any
    other window is named."""
    messages, _ = first_answer(city, worries)
    said = "\n".join(m["text"] for m in messages)
    by_name = {w.name: w for w in DIRECTORY.city(city).windows}
    named = [n for n in re.findall(r"「([^」]+)」", said) if n in by_name]
    assert named, said
    window = by_name[named[0]]
    after = said[said.index(f"「{window.name}」") :]
    phones = window.contacts_of("phone")
    if phones:
        nxt = after.find("「", 1)
        head = after if nxt < 0 else after[:nxt]
        assert phones[0].shown in head, said
        hours = window.contacts_of("hours")
        if hours:
            assert hours[0].value in head, said


@pytest.mark.parametrize("worries", WORRIES, ids="+".join)
@pytest.mark.parametrize("city", CITIES)
def test_the_buttons_are_the_offer_then_kuwashiku_and_hoka_no_madoguchi(city, worries):
    messages, slots = first_answer(city, worries)
    titles = [b["title"] for b in messages[-1]["buttons"]]
    assert titles[:2] == ["はい、連絡がほしい", "いいえ"]
    assert "くわしく" in titles
    if len(slots["routed_windows"]) > 1:
        assert "ほかの窓口" in titles
