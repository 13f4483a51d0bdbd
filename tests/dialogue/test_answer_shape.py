"""The first answer to a worry fits a phone; 「くわしく」「ほかの窓口」 show the rest.

Property over every city (the four and another municipality) × every single category and a
set of compound combinations, reached both ways a resident reaches it (the city already known,
or the city chosen after the worry): at most three messages and about 500 characters, the
first message names one window with its sourced phone when the directory has one, the
buttons for the rest are there, and the staff-contact offer stays. The two buttons' turns then
show what the first answer left out, without losing the offer.
"""

from __future__ import annotations

import itertools
import re

import pytest

from bot.dialogue import ConversationState, Turn, on_city, on_worry
from bot.dialogue.answer_shape import on_more_detail, on_other_windows
from bot.dialogue.state import AWAITING_CITY, AWAITING_HANDOFF_OFFER, OTHER_CITY
from bot.directory import Directory, default_directory
from bot.nlu.categories import CATEGORIES

DIRECTORY: Directory = default_directory()
CITIES = (*[c.code for c in DIRECTORY.cities], OTHER_CITY)
SINGLE = [(c,) for c in CATEGORIES]
COMPOUND = [
    *itertools.combinations(CATEGORIES, 2),
    ("elderly_care", "income", "debt"),
    ("housing", "debt", "income"),
    ("hikikomori", "isolation", "income", "elderly_care"),
    tuple(CATEGORIES),
]
MAX_CHARS = 520  # "about 500"
MORE = "/more_detail"
OTHERS = "/other_windows"


def _first_answers(city: str, worries: tuple[str, ...]) -> list[Turn]:
    known = on_worry(ConversationState(city=city), list(worries), DIRECTORY)
    asked = on_worry(ConversationState(), list(worries), DIRECTORY)
    assert asked.state.awaiting == AWAITING_CITY
    chosen = on_city(asked.state.evolve(city=city), city, DIRECTORY)
    return [known, chosen]


def _payloads(turn: Turn) -> list[str]:
    return [b.payload for r in turn.replies for b in r.buttons]


def _sourced_phones(city: str, worries: tuple[str, ...]) -> set[str]:
    """Phones the directory sources for these worries: their windows, the coordinating and
    any-attribute windows, the lines for the worries, the city hall."""
    found = DIRECTORY.city(city)
    if found is None:
        return set()
    route = DIRECTORY.route(city, worries)
    holders = [
        *(w for ws in route.by_category.values() for w in ws),
        found.compound_window,
        found.any_attribute_window,
        *(ln for ln in found.lines if set(ln.categories) & set(worries)),
    ]
    hall = found.city_hall.phone()
    return {c.shown for h in holders for c in h.contacts_of("phone")} | (
        {hall.shown} if hall is not None else set()
    )


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("worries", SINGLE + COMPOUND, ids="+".join)
def test_first_answer_fits_a_phone(city: str, worries: tuple[str, ...]) -> None:
    for turn in _first_answers(city, worries):
        said = [r.text for r in turn.replies]
        assert len(said) <= 3, said
        assert sum(len(t) for t in said) <= MAX_CHARS, "\n---\n".join(said)
        first = said[0]
        assert len(re.findall("「[^」]+」", first.split("\n", 1)[-1])) >= 1
        phones = _sourced_phones(city, worries)
        if phones:
            # One window, with a number the directory sources.
            assert any(p in first for p in phones), first
        payloads = _payloads(turn)
        assert MORE in payloads
        if len(turn.state.routed_windows) > 1:
            assert OTHERS in payloads
        if city != OTHER_CITY:
            # How to reach a person is always offered.
            assert "/affirm" in payloads
            assert turn.state.awaiting == AWAITING_HANDOFF_OFFER


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("worries", SINGLE + COMPOUND[-3:], ids="+".join)
def test_the_buttons_show_the_rest_and_keep_the_offer(city: str, worries: tuple[str, ...]) -> None:
    first = on_worry(ConversationState(city=city), list(worries), DIRECTORY)
    shown = "\n".join(r.text for r in first.replies)
    detail = on_more_detail(first.state, DIRECTORY)
    others = on_other_windows(first.state, DIRECTORY)
    for turn in (detail, others):
        assert 1 <= len(turn.replies) <= 3
        assert turn.state.awaiting == first.state.awaiting
        assert turn.state.routed_windows == first.state.routed_windows
    detail_text = "\n".join(r.text for r in detail.replies)
    assert len(detail_text) > len(first.replies[0].text) // 2
    other_text = "\n".join(r.text for r in others.replies)
    for window_id in first.state.routed_windows:
        window = DIRECTORY.window(window_id)
        assert window is not None
        # Every window routed is named either in the first answer or under ほかの窓口.
        assert f"「{window.name}」" in shown or f"「{window.name}」" in other_text


def test_compound_worry_leads_with_the_coordinating_window() -> None:
    city = DIRECTORY.city("ube")
    assert city is not None
    turn = on_worry(ConversationState(city="ube"), ["elderly_care", "income", "debt"], DIRECTORY)
    assert f"「{city.compound_window.name}」" in turn.replies[0].text
    others = "\n".join(r.text for r in on_other_windows(turn.state, DIRECTORY).replies)
    for category in ("elderly_care", "income", "debt"):
        assert f"「{city.windows_for(category)[0].name}」" in others


def test_buttons_before_any_window_ask_for_the_worry() -> None:
    for handler in (on_more_detail, on_other_windows):
        turn = handler(ConversationState(city="ube"), DIRECTORY)
        assert turn.replies and turn.state.awaiting is None


@pytest.mark.parametrize(
    ("typed", "payload"),
    [("ほかの窓口", OTHERS), ("ほかのまどぐち", OTHERS), ("他の窓口", OTHERS), ("詳しく", MORE)],
)
def test_typed_button_titles_act_as_the_buttons(typed: str, payload: str) -> None:
    from bot.dialogue.button_match import match_button

    turn = on_worry(ConversationState(city="ube"), ["elderly_care", "debt"], DIRECTORY)
    offered = [(b.title, b.payload) for r in turn.replies for b in r.buttons]
    assert match_button(typed, offered) == payload


@pytest.mark.parametrize("city", [c.code for c in DIRECTORY.cities])
@pytest.mark.parametrize("worries", SINGLE, ids="+".join)
def test_more_detail_offers_a_staff_contact_once(city: str, worries: tuple[str, ...]) -> None:
    """「くわしく」 on a window without a phone said 「…の職員から連絡してもらうこともできます。」
    and then, at once, 「市の窓口の職員から、あなたに連絡してもらうこともできます。」: one offer,
    the one with the buttons, is enough on a phone screen."""
    first = _first_answers(city, worries)[0]
    detail = on_more_detail(first.state, DIRECTORY)
    said = "\n".join(r.text for r in detail.replies)
    assert said.count("職員から") == 1, said


def test_other_windows_point_back_to_the_first_window_instead_of_repeating_its_number() -> None:
    """富士市, care + job + debt: 地域包括 has no sourced phone and its way in is 福祉総務課,
    which the first answer already showed with its number; it was printed again."""
    first = on_worry(ConversationState(city="fuji"), ["debt", "income", "elderly_care"], DIRECTORY)
    lead_phone = "0545-55-2757"
    assert lead_phone in "\n".join(r.text for r in first.replies)
    others = "\n".join(r.text for r in on_other_windows(first.state, DIRECTORY).replies)
    assert lead_phone not in others
    assert "上の「福祉総務課" in others
