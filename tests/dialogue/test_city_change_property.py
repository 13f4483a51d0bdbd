"""A resident who corrects their city never again meets a window, number or ticket of the first.

Property: for every ordered pair of cities (the four, plus another municipality) and every
worry category, the city is changed mid-conversation (after the windows were shown) and
mid-intake (while the questions are asked, and at the summary); whatever the message's intent,
no reply after the change names another city's window id, window name or phone number, the
consent question and the summary name only the new city's windows, and every window the
ticket would carry belongs to the ticket's city. During the intake a consent already given
(to the first city's windows) is asked again.

The Rasa side is reproduced as it happens: the ``city`` slot is filled from the message's
entity before any action runs, so each handler receives the state with the new city and the
first city's windows still stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pytest

from bot.dialogue import (
    ConversationState,
    Reply,
    Turn,
    on_affirm,
    on_city,
    on_continue,
    on_deny,
    on_fallback,
    on_request_human,
    on_worry,
)
from bot.dialogue import texts as dialogue_texts
from bot.directory import City, Directory, load_directory
from bot.intake.questions import consent_question
from bot.intake.summary import handoff_windows, summary_text
from bot.nlu.categories import CATEGORIES
from bot.tickets.domain import validate_window

DIRECTORY: Directory = load_directory()
CITY_CODES = tuple(city.code for city in DIRECTORY.cities)
OTHER = "other"
PLACES = (*CITY_CODES, OTHER)
PAIRS = [(a, b) for a, b in itertools.permutations(PLACES, 2)]


def _phones(city: City) -> set[str]:
    found = {c.value for w in city.windows for c in w.contacts_of("phone")}
    hall = city.city_hall.phone()
    if hall is not None:
        found.add(hall.value)
    return found


def _table(code: str) -> City:
    return DIRECTORY.city(code) or DIRECTORY.generic


def foreign_markers(new_city: str) -> dict[str, set[str]]:
    """What of every *other* city must never be shown once the resident lives in ``new_city``.

    Window ids and phone numbers identify one city and are always compared. Names are compared
    only when unique to the other city: some are kinds of window that every city has
    (「地域包括支援センター」, 「社会福祉協議会」…), so a name that also occurs inside a name of
    the new city's table (or of the generic table, whose names are such kinds) says nothing
    about which city is meant.
    """
    own = _table(new_city)
    own_names = [w.name for w in (*own.windows, *DIRECTORY.generic.windows)]
    own_phones = _phones(own)
    markers: dict[str, set[str]] = {"id": set(), "name": set(), "phone": set()}
    for city in DIRECTORY.cities:
        if city.code == new_city:
            continue
        markers["id"] |= {w.id for w in city.windows}
        markers["phone"] |= _phones(city) - own_phones
        markers["name"] |= {
            w.name for w in city.windows if not any(w.name in name for name in own_names)
        }
    return markers


def shown(replies: Iterable[Reply]) -> str:
    return "\n".join(
        part
        for reply in replies
        for part in (
            reply.text,
            *(b.title for b in reply.buttons),
            *(b.payload for b in reply.buttons),
        )
    )


def assert_nothing_foreign(text: str, new_city: str, where: str) -> None:
    for kind, values in foreign_markers(new_city).items():
        leaked = sorted(v for v in values if v in text)
        assert not leaked, f"{where}: another city's window {kind} shown after the change: {leaked}"


def assert_windows_follow(state: ConversationState, new_city: str, where: str) -> None:
    assert state.city == new_city, where
    assert state.routed_windows, f"{where}: no window for the worries in the new city"
    for window_id in state.routed_windows:
        window = DIRECTORY.window(window_id)
        assert window is not None, where
        assert window.city_code == (new_city if new_city != OTHER else "generic"), (
            f"{where}: {window_id} is not a window of {new_city}"
        )


def assert_ticket_agrees(state: ConversationState, new_city: str, where: str) -> None:
    """The consent question, the summary and the ticket's windows: all of the new city."""
    windows = handoff_windows(DIRECTORY, state.routed_windows)
    city = DIRECTORY.city(new_city)
    assert city is not None
    consent = consent_question(city.name, [w.name for w in windows])
    summary = summary_text({"intake_consent": "yes"}, state.worries, windows)
    assert_nothing_foreign(consent + "\n" + summary, new_city, f"{where} (consent, summary)")
    for window in windows:
        validate_window(window.id, new_city)  # raises for a window of another city


def windows_shown_in(first: str, category: str) -> ConversationState:
    """A worry, the city question, the first city: its windows shown."""
    asked = on_worry(ConversationState(), [category], DIRECTORY)
    routed = on_city(asked.state, first, DIRECTORY)
    assert routed.state.routed_windows
    return routed.state


def as_rasa_reads(state: ConversationState, new_city: str) -> ConversationState:
    """The slot mapping has already put the new city in; the first city's windows are stored."""
    return ConversationState.from_slots({**state.as_slots(), "city": new_city})


# Whatever the intent of the correcting message, the handler that runs must follow the city.
HANDLERS: dict[str, Callable[[ConversationState, str, str], Turn]] = {
    "inform_city": lambda s, city, _: on_city(s, city, DIRECTORY),
    "share_worry": lambda s, _, category: on_worry(s, [category], DIRECTORY),
    "deny": lambda s, _c, _k: on_deny(s, DIRECTORY),
    "affirm": lambda s, _c, _k: on_affirm(s, DIRECTORY),
    "request_human": lambda s, _c, _k: on_request_human(s, DIRECTORY),
    "continue": lambda s, _c, _k: on_continue(s, DIRECTORY),
    "nlu_fallback": lambda s, _c, _k: on_fallback(s, DIRECTORY),
}


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_changing_city_mid_conversation_shows_only_the_new_citys_windows(first, second):
    for category, (intent, handle) in itertools.product(CATEGORIES, HANDLERS.items()):
        where = f"{first}->{second}, {category}, {intent}"
        before = windows_shown_in(first, category)
        turn = handle(as_rasa_reads(before, second), second, category)
        said = shown(turn.replies)
        assert_nothing_foreign(said, second, where)
        assert_windows_follow(turn.state, second, where)
        assert category in turn.state.worries, f"{where}: the worry was lost"
        if second == OTHER:
            assert dialogue_texts.OTHER_CITY_DIRECT in said, where
            assert turn.state.awaiting is None, f"{where}: a handoff offered outside the cities"
            continue
        new_name = DIRECTORY.city(second).name  # type: ignore[union-attr]
        assert new_name in said, f"{where}: the resident is not told the city changed"
        assert turn.state.awaiting == "handoff_offer", f"{where}: no offer for the new windows"
        # What follows the change: the direct contacts and the intake all follow the new city.
        after = [on_affirm(turn.state, DIRECTORY), on_deny(turn.state, DIRECTORY)]
        after.append(on_request_human(turn.state, DIRECTORY))
        for later in after:
            assert_nothing_foreign(shown(later.replies), second, f"{where}, later turn")
        assert_ticket_agrees(turn.state, second, where)


MAX_CHARS = 520  # "about 500", as for the first answer (tests/dialogue/test_answer_shape.py)


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_the_answer_to_a_city_change_fits_a_phone(first, second):
    """Outside the intake the change is answered like a first answer: three short messages."""
    for category, (intent, handle) in itertools.product(CATEGORIES, HANDLERS.items()):
        where = f"{first}->{second}, {category}, {intent}"
        before = windows_shown_in(first, category)
        turn = handle(as_rasa_reads(before, second), second, category)
        said = [r.text for r in turn.replies]
        assert len(said) <= 3, f"{where}: {said}"
        assert sum(len(t) for t in said) <= MAX_CHARS, f"{where}:\n" + "\n---\n".join(said)


@pytest.mark.parametrize(("first", "second"), [p for p in PAIRS if p[0] != OTHER])
def test_changing_city_during_the_intake_questions_keeps_the_intake_in_the_new_city(first, second):
    for category in CATEGORIES:
        where = f"{first}->{second}, {category}, during the questions"
        before = windows_shown_in(first, category)  # 「はい」 then started the questions
        turn = on_city(as_rasa_reads(before, second), second, DIRECTORY, during_intake=True)
        said = shown(turn.replies)
        assert_nothing_foreign(said, second, where)
        assert_windows_follow(turn.state, second, where)
        if second == OTHER:
            # Staff of the four cities cannot take the case: the intake stops, nothing is sent.
            assert turn.extra.get("end_intake") is True, where
            assert dialogue_texts.OTHER_CITY_DIRECT in said, where
            continue
        assert DIRECTORY.city(second).name in said, where  # type: ignore[union-attr]
        assert not turn.extra.get("end_intake"), f"{where}: the intake should go on"
        # A consent already given named the first city's windows: it is asked again.
        assert turn.extra.get("ask_consent_again") is True, f"{where}: old consent kept"
        assert_ticket_agrees(turn.state, second, where)


@pytest.mark.parametrize(("first", "second"), [p for p in PAIRS if p[0] != OTHER])
def test_changing_city_at_the_summary_asks_consent_again_for_the_new_city(first, second):
    """The summary's consent named the first city's windows: it is asked again, then shown."""
    for category in CATEGORIES:
        where = f"{first}->{second}, {category}, at the summary"
        before = windows_shown_in(first, category).evolve(awaiting="intake_confirm")
        turn = on_city(as_rasa_reads(before, second), second, DIRECTORY)
        said = shown(turn.replies)
        assert_nothing_foreign(said, second, where)
        assert_windows_follow(turn.state, second, where)
        assert turn.state.awaiting is None, f"{where}: the old summary must not be answerable"
        if second == OTHER:
            assert turn.extra.get("end_intake") is True, where
            continue
        assert turn.extra.get("ask_consent_again") is True, where
        assert not turn.extra.get("show_summary"), f"{where}: a summary before the consent"
        assert dialogue_texts.CONSENT_AGAIN in said, where
        assert_ticket_agrees(turn.state, second, where)


def test_a_city_restated_unchanged_keeps_the_windows_and_the_open_question():
    """「宇部です」 again while the offer is open is not a change: nothing is re-routed."""
    before = windows_shown_in("ube", "debt")
    turn = on_city(as_rasa_reads(before, "ube"), "ube", DIRECTORY, during_intake=True)
    assert turn.state.routed_windows == before.routed_windows
    assert not turn.extra.get("end_intake")
    assert not turn.extra.get("ask_consent_again"), "the windows consented to are unchanged"


def test_the_markers_are_not_vacuous():
    """Every city has ids, numbers and at least one name no other city shares."""
    for code in PLACES:
        markers = foreign_markers(code)
        assert markers["id"] and markers["phone"] and markers["name"], code
