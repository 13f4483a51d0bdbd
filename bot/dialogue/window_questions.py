"""Answers to questions about the windows just shown: days and hours, phone, place, booking.

Why a separate turn: a resident who has just been shown a window asks practical things
(「土曜日も？」「電話番号は？」「予約いる？」) before deciding to go or to be contacted. The answer
comes only from the directory (every fact there has a source); a fact that is not there is
said to be 「まだ確認できていません」 with the nearest sourced way to ask instead: the window's
phone, its department's or the prefecture's line, the city's coordinating window, the city
hall, the window's page. The answer covers at most two windows (a phone screen), and the bot's
open question (the offer of a staff contact) is kept and asked again, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.dialogue import texts
from bot.dialogue import window_question_texts as wq
from bot.dialogue.city_change import follow_city, on_city_change
from bot.dialogue.opening_days import day_lines
from bot.dialogue.state import (
    AWAITING_CITY,
    AWAITING_HANDOFF_OFFER,
    OTHER_CITY,
    ConversationState,
    Reply,
    Turn,
)
from bot.directory import City, Contact, Directory, Window
from bot.directory.describe import NEEDS_CHECK_OTHER, NEEDS_CHECK_PHONE

#: Facets answered when the question did not say which (the model found the intent alone).
DEFAULT_FACETS: tuple[str, ...] = ("phone", "hours", "address")
#: At most this many windows per answer, so that it fits a phone screen.
MAX_WINDOWS = 2

# Notes that answer a facet: 「相談に行く前に、かならず電話で問い合わせてください」 is booking.
_NOTE_CUES = {
    "booking": re.compile(r"予約|問い合わせ|前に|事前|電話してから"),
    "bring": re.compile(r"持ち物|持って|持参|必要なもの|書類"),
    "hours": re.compile(r"曜日|時間|祝|休み|土日|夜間"),
}
_LABELS = {"phone": "電話", "address": "場所", "hours": "受付", "fax": "FAX"}


def _fact(contact: Contact, label: str | None = None) -> str:
    """One sourced fact as a line, with the area code hint and 要確認 where flagged."""
    head = label or _LABELS.get(contact.kind, "")
    if contact.label:
        head += f"（{contact.label}）"
    line = wq.labelled(head, contact.shown) if head else contact.shown
    if contact.needs_check:
        line += NEEDS_CHECK_PHONE if contact.kind == "phone" else NEEDS_CHECK_OTHER
    return line


def _notes(window: Window, facet: str) -> list[str]:
    cue = _NOTE_CUES.get(facet)
    if cue is None:
        return []
    return [
        n.value + (NEEDS_CHECK_OTHER if n.needs_check else "")
        for n in window.contacts_of("note")
        if cue.search(n.value)
    ]


def _next_best(window: Window, city: City) -> list[str]:
    """The nearest sourced way to ask when a fact is missing (never an invented contact)."""
    phones = window.contacts_of("phone")
    if phones:
        return [wq.BEFORE_GOING, _fact(phones[0])]
    if city.is_generic:
        return [wq.OTHER_CITY_ASK]
    for line in city.lines_for(window):
        phone = line.phone()
        if phone is not None:
            return [wq.ASK_INSTEAD, _fact(phone, f"{line.name}の電話")]
    coordinator = city.compound_window
    coordinator_phones = coordinator.contacts_of("phone")
    if coordinator.id != window.id and coordinator_phones:
        label = f"{coordinator.name}の電話"
        return [wq.ASK_INSTEAD, _fact(coordinator_phones[0], label)]
    hall_phone = city.city_hall.phone()
    if hall_phone is not None:
        return [wq.ASK_INSTEAD, _fact(hall_phone, f"{city.city_hall.name}の電話")]
    urls = window.contacts_of("url")
    if urls:
        return [wq.page(urls[0].value)]
    where = city.city_hall.name + (f"の{window.department}" if window.department else "")
    return [wq.ask_at(where), *(_fact(c) for c in city.city_hall.contacts if c.kind == "address")]


def _facet_lines(
    window: Window, city: City, facet: str, days: Sequence[str] = ()
) -> tuple[list[str], bool]:
    """The lines for one facet, and whether a fact was missing (then the next best follows)."""
    if facet == "hours":
        hours = window.contacts_of("hours")
        found = [_fact(c) for c in hours] + _notes(window, "hours")
        if not found:
            return [wq.HOURS_MISSING], True
        # 「土曜日も？」: yes or no first, then the sourced hours it was read from.
        said, unknown = day_lines([c.value for c in hours], days) if hours else ([], bool(days))
        return [*said, *found], unknown
    if facet == "phone":
        found = [_fact(c) for c in window.contacts_of("phone")]
        return (found, False) if found else ([wq.PHONE_MISSING], True)
    if facet == "address":
        found = [_fact(c) for c in window.contacts_of("address")]
        if not found:
            return [wq.ADDRESS_MISSING], True
        return [*found, wq.ACCESS_ASK], not window.contacts_of("phone")
    if facet == "booking":
        found = _notes(window, "booking")
        return (found, False) if found else ([wq.BOOKING_MISSING], True)
    if facet == "bring":
        found = _notes(window, "bring")
        return (found, False) if found else ([wq.BRING_MISSING], True)
    return [], False


def _answer_window(
    window: Window, city: City, facets: Sequence[str], days: Sequence[str] = ()
) -> str:
    lines = [wq.window_heading(window.name)]
    missing = False
    for facet in facets:
        found, lacking = _facet_lines(window, city, facet, days)
        lines.extend(found)
        missing = missing or lacking
    if missing:
        lines.extend(_next_best(window, city))
        urls = window.contacts_of("url")
        if urls and wq.page(urls[0].value) not in lines:
            lines.append(wq.page(urls[0].value))
    return "\n".join(dict.fromkeys(lines))


def _answer_city_hall(city: City, facets: Sequence[str]) -> str:
    """The city hall's sourced phone (and address when asked); the coordinator if no phone."""
    hall = city.city_hall
    lines = [wq.window_heading(hall.name)]
    wants_address = "address" in facets
    if "phone" in facets or not wants_address:
        phone = hall.phone()
        if phone is not None:
            lines.append(_fact(phone))
        else:
            lines.append(wq.CITY_HALL_PHONE_MISSING)
            coordinator_phones = city.compound_window.contacts_of("phone")
            if coordinator_phones:
                label = f"{city.compound_window.name}の電話"
                lines.extend([wq.ASK_INSTEAD, _fact(coordinator_phones[0], label)])
            elif not wants_address:
                lines.extend(_fact(c) for c in hall.contacts if c.kind == "address")
    if wants_address:
        addresses = [_fact(c) for c in hall.contacts if c.kind == "address"]
        lines.extend(addresses or [wq.CITY_HALL_ADDRESS_MISSING])
    return "\n".join(lines)


def _keep_open_question(state: ConversationState) -> tuple[Reply, ...]:
    """The offer of a staff contact, asked again so that 「はい」 still means yes to it."""
    if state.awaiting == AWAITING_HANDOFF_OFFER:
        return (Reply(texts.OFFER_CONTACT, texts.YES_NO_CONTACT),)
    if state.awaiting == AWAITING_CITY:
        return (Reply(wq.ASK_CITY_FIRST, texts.CITY_BUTTONS),)
    return ()


def on_window_question(
    state: ConversationState,
    facets: Sequence[str],
    directory: Directory,
    days: Sequence[str] = (),
) -> Turn:
    """Answer what was asked about the windows just shown, keeping the bot's open question.

    ``facets`` come from the NLU (hours, phone, address, booking, bring, cityhall); none
    means the question was recognised without them, and the main facts are given.
    """
    followed = follow_city(state, directory)
    if followed.city_changed:
        return on_city_change(followed, directory)
    state = followed
    wanted = [f for f in dict.fromkeys(facets)] or list(DEFAULT_FACETS)
    window_facets = [f for f in wanted if f != "cityhall"]
    if state.city is None:
        return Turn(
            replies=(Reply(wq.ASK_CITY_FIRST, texts.CITY_BUTTONS),),
            state=state.evolve(awaiting=AWAITING_CITY),
        )
    city = directory.city(state.city) if state.city != OTHER_CITY else None
    answers: list[str] = []
    if city is None:
        answers.append(wq.OTHER_CITY_ASK)
    else:
        windows = [w for w in map(directory.window, state.routed_windows) if w is not None]
        shown = windows[:MAX_WINDOWS]
        if window_facets or "cityhall" not in wanted:
            if shown:
                facets_here = window_facets or list(DEFAULT_FACETS)
                answers.extend(_answer_window(w, city, facets_here, days) for w in shown)
            elif "cityhall" not in wanted:
                answers.append(wq.NO_WINDOW_YET)
        if "cityhall" in wanted:
            answers.append(_answer_city_hall(city, window_facets))
    # One message for the answer, one for the open question: two bubbles on a phone.
    replies = (Reply("\n\n".join(answers)), *_keep_open_question(state))
    return Turn(replies=replies, state=state)
