"""Answers to questions about the windows just shown: from the directory only, never invented."""

from __future__ import annotations

import re

import pytest

from bot.dialogue import texts
from bot.dialogue.state import AWAITING_CITY, AWAITING_HANDOFF_OFFER, ConversationState
from bot.dialogue.window_questions import MAX_WINDOWS, on_window_question
from bot.directory import City, Directory, Window, default_directory

DIRECTORY = default_directory()
FACETS = ("hours", "phone", "address", "booking", "bring", "cityhall")
NOT_YET = "まだ確認できていません"
# Anything that looks like a phone number (with or without an area code).
NUMBER = re.compile(r"\d[\d()（）-]{4,}\d")


def sourced_values(directory: Directory, city: City) -> str:
    """Every contact value the directory holds for this city (windows, lines, city hall)."""
    values = [c.shown for w in city.windows for c in w.contacts]
    values += [c.shown for c in city.city_hall.contacts]
    values += [c.shown for line in city.lines for c in line.contacts]
    return "\n".join(values)


def window_cases() -> list[tuple[str, str]]:
    return [(city.code, window.id) for city in DIRECTORY.cities for window in city.windows]


def answer(state: ConversationState, facets: tuple[str, ...], days: tuple[str, ...] = ()) -> str:
    turn = on_window_question(state, facets, DIRECTORY, days=days)
    return "\n".join(r.text for r in turn.replies)


def shown(city: str, *windows: str) -> ConversationState:
    return ConversationState(
        city=city, worries=("income",), routed_windows=windows, awaiting=AWAITING_HANDOFF_OFFER
    )


@pytest.mark.parametrize(("city_code", "window_id"), window_cases())
@pytest.mark.parametrize("facet", FACETS)
def test_every_number_in_an_answer_is_one_the_directory_holds(
    city_code: str, window_id: str, facet: str
) -> None:
    city = DIRECTORY.city(city_code)
    assert city is not None
    text = answer(shown(city_code, window_id), (facet,))
    sources = sourced_values(DIRECTORY, city)
    for number in NUMBER.findall(text):
        assert number in sources, f"{number} in an answer about {window_id} has no source"


def _lacks(window: Window, facet: str) -> bool:
    kinds = {"hours": "hours", "phone": "phone", "address": "address"}
    if facet in kinds:
        return not window.contacts_of(kinds[facet])
    return facet in ("booking", "bring") and not any(
        word in n.value for n in window.contacts_of("note") for word in ("予約", "持")
    )


def missing_fact_cases() -> list[tuple[str, str, str]]:
    """Every (city, window, facet) whose fact the directory lacks: the cases to answer honestly."""
    cases = []
    for city_code, window_id in window_cases():
        window = DIRECTORY.window(window_id)
        assert window is not None
        for facet in ("hours", "phone", "address", "bring"):
            if _lacks(window, facet):
                cases.append((city_code, window_id, facet))
    return cases


def test_the_directory_still_has_facts_to_look_up_and_gaps_to_answer() -> None:
    """Guards the next test against becoming empty (or everything) as the data grows."""
    cases = missing_fact_cases()
    assert cases
    assert len(cases) < 4 * len(window_cases())


@pytest.mark.parametrize(("city_code", "window_id", "facet"), missing_fact_cases())
def test_a_missing_fact_says_so_and_gives_the_next_best_sourced_way_to_ask(
    city_code: str, window_id: str, facet: str
) -> None:
    text = answer(shown(city_code, window_id), (facet,))
    assert NOT_YET in text
    # Something to act on: a sourced number, a page, or where to ask in person.
    assert NUMBER.search(text) or "http" in text or "おたずねください" in text


def test_a_known_fact_is_given_as_the_directory_states_it() -> None:
    for city in DIRECTORY.cities:
        for window in city.windows:
            for kind, facet in (("hours", "hours"), ("phone", "phone"), ("address", "address")):
                for contact in window.contacts_of(kind):
                    assert contact.shown in answer(shown(city.code, window.id), (facet,))


def test_needs_check_facts_carry_the_warning() -> None:
    flagged = [
        (city.code, w.id)
        for city in DIRECTORY.cities
        for w in city.windows
        if any(c.needs_check for c in w.contacts_of("phone"))
    ]
    assert flagged, "the directory has numbers to re-check"
    for city_code, window_id in flagged:
        assert "要確認" in answer(shown(city_code, window_id), ("phone",))


@pytest.mark.parametrize("city", [c.code for c in DIRECTORY.cities])
def test_the_pending_offer_is_kept_and_asked_again(city: str) -> None:
    table = DIRECTORY.city(city)
    assert table is not None
    state = shown(city, table.compound_id)
    turn = on_window_question(state, ("hours",), DIRECTORY)
    assert turn.state.awaiting == AWAITING_HANDOFF_OFFER
    assert turn.state.routed_windows == state.routed_windows
    assert turn.replies[-1].text == texts.OFFER_CONTACT
    assert turn.replies[-1].buttons == texts.YES_NO_CONTACT


def test_without_a_pending_offer_nothing_new_is_awaited() -> None:
    state = shown("ube", "ube.fukushi_sogo_sodan").evolve(awaiting=None)
    turn = on_window_question(state, ("phone",), DIRECTORY)
    assert turn.state.awaiting is None
    assert len(turn.replies) == 1


def test_at_most_two_windows_are_answered_in_one_phone_sized_message() -> None:
    city = DIRECTORY.city("fuji")
    assert city is not None
    ids = tuple(w.id for w in city.windows[:4])
    turn = on_window_question(shown("fuji", *ids), ("phone",), DIRECTORY)
    body = turn.replies[0].text
    assert sum(body.count(f"「{DIRECTORY.window(i).name}」") > 0 for i in ids) <= MAX_WINDOWS  # type: ignore[union-attr]
    assert len(turn.replies) <= 2


@pytest.mark.parametrize("city", [c.code for c in DIRECTORY.cities])
def test_the_city_halls_number_is_only_a_sourced_one(city: str) -> None:
    table = DIRECTORY.city(city)
    assert table is not None
    text = answer(shown(city, table.compound_id), ("cityhall",))
    assert table.city_hall.name in text
    hall_phone = table.city_hall.phone()
    if hall_phone is not None:
        assert hall_phone.shown in text
    else:
        assert NOT_YET in text


def test_a_question_before_any_window_asks_for_the_worry() -> None:
    turn = on_window_question(ConversationState(city="kurume"), ("hours",), DIRECTORY)
    assert "困っていること" in turn.replies[0].text
    assert not NUMBER.search(turn.replies[0].text)


def test_a_question_before_the_city_asks_for_the_city() -> None:
    turn = on_window_question(ConversationState(), ("phone",), DIRECTORY)
    assert turn.state.awaiting == AWAITING_CITY
    assert turn.replies[-1].buttons == texts.CITY_BUTTONS


def test_another_city_is_sent_to_its_own_town_hall() -> None:
    turn = on_window_question(
        ConversationState(city="other", routed_windows=(DIRECTORY.generic.any_attribute_id,)),
        ("phone",),
        DIRECTORY,
    )
    assert "役所" in turn.replies[0].text
    assert not NUMBER.search(turn.replies[0].text)


def test_no_facet_gives_the_main_facts() -> None:
    text = answer(shown("ube", "ube.seikatsu_support"), ())
    assert "0836-43-7440" in text and "8時30分" in text


def test_saturday_question_is_answered_yes_or_no_before_the_hours() -> None:
    """「土曜日もやってる？」 after a weekday-only window: 「土曜日はお休みです。」 comes first."""
    from bot.nlu.window_question_rules import detect_window_question

    question = detect_window_question("そこ土曜日もやってる？")
    assert question is not None and question.days == ("saturday",)
    for city in DIRECTORY.cities:
        for window in city.windows:
            hours = [c.value for c in window.contacts_of("hours")]
            if not hours or not all("月〜金" in h or "月曜日〜金曜日" in h for h in hours):
                continue
            text = answer(shown(city.code, window.id), question.facets, question.days)
            body = text.split("\n", 1)[1]
            assert body.startswith("土曜日はお休みです。"), text
            assert hours[0] in text
            return
    pytest.fail("no weekday-only window in the directory")
