"""The first answer to a worry fits a phone; 「くわしく」「ほかの窓口」 show the rest on request.

Why: a resident in trouble reads on a phone, often in a hurry. Five messages over four screens
(one per worry, then the coordinating window, then the offer) hide the one thing to do now.
So the first answer is at most three short messages: a warm line and ONE window with its
sourced phone and hours (for several worries the window that coordinates them all), then the
offer of a staff contact with buttons for the rest. Nothing is dropped, only deferred: every
window routed stays in ``state.routed_windows`` and is shown under 「ほかの窓口」, the full
description under 「くわしく」. How to reach a person is in every one of these turns.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue import texts
from bot.dialogue.state import (
    AWAITING_HANDOFF_OFFER,
    OTHER_CITY,
    Button,
    ConversationState,
    Reply,
    Turn,
)
from bot.directory import (
    City,
    Directory,
    Route,
    Window,
    category_label,
    describe_window,
    describe_window_brief,
    describe_window_contact,
)

# Windows per message under 「ほかの窓口」: two messages at most, well inside LINE's five.
_MAX_MESSAGES = 2


def lead_window(route: Route, coordinator: Window | None) -> Window:
    """The one window to contact now: the coordinating one for several worries, else the
    primary; when that one has no sourced phone, the first window for these worries (or the
    city's coordinating or any-attribute window) that has one, because a number to call is
    what a resident can act on straight away."""
    natural = coordinator or (
        route.primary(route.categories[0]) if route.categories else route.any_attribute
    )
    candidates = [
        natural,
        *(w for c in route.categories for w in route.by_category[c]),
        route.table.compound_window,
        route.any_attribute,
    ]
    return next((w for w in candidates if w.contacts_of("phone")), natural)


def _lead_line(route: Route, lead: Window, *, with_earlier: bool) -> str:
    if route.is_generic:
        return texts.lead_generic(lead.name)
    if with_earlier:
        return texts.lead_with_earlier(lead.name)
    if len(route.categories) > 1:
        return texts.lead_compound(lead.name)
    return texts.lead_single([category_label(c) for c in route.categories], lead.name)


def _closing(generic: bool, buttons: Sequence[Button]) -> Reply:
    """The staff-contact offer (or, outside the four cities, where to go), with the buttons."""
    if generic:
        return Reply(texts.OTHER_CITY_DIRECT, tuple(buttons))
    return Reply(texts.OFFER_CONTACT, (*texts.YES_NO_CONTACT, *buttons))


def phone_sized_answer(
    route: Route,
    coordinator: Window | None,
    windows: Sequence[str],
    *,
    intro: str = "",
    with_earlier: bool = False,
) -> tuple[Reply, ...]:
    """Two messages: the warm line and what to do now, then the offer with the buttons.

    ``windows`` are the ids routed in this turn; 「ほかの窓口」 is offered when any is not the
    lead, or when several worries make the any-attribute window worth naming too.
    """
    lead = lead_window(route, coordinator)
    lines = [intro] if intro else []
    lines.append(_lead_line(route, lead, with_earlier=with_earlier))
    lines.extend(describe_window_brief(lead, route.table, route.categories))
    buttons = [texts.MORE_DETAIL_BUTTON]
    compound = len(route.categories) > 1 or with_earlier
    if any(w != lead.id for w in windows) or (compound and route.any_attribute.id != lead.id):
        buttons.append(texts.OTHER_WINDOWS_BUTTON)
    return (Reply("\n".join(lines)), _closing(route.is_generic, buttons))


def _route_of(state: ConversationState, directory: Directory) -> Route:
    city = None if state.city in (None, OTHER_CITY) else state.city
    return directory.route(city, state.worries)


def _lead_of(state: ConversationState, directory: Directory) -> Window | None:
    if state.worries:
        route = _route_of(state, directory)
        return lead_window(route, route.coordinator)
    return next((w for w in map(directory.window, state.routed_windows) if w is not None), None)


def _others(state: ConversationState, directory: Directory, lead: Window) -> list[Window]:
    """The routed windows other than the lead, then the any-attribute one for several worries."""
    found = [w for w in map(directory.window, state.routed_windows) if w is not None]
    others = [w for w in found if w.id != lead.id]
    if len(state.worries) > 1:
        anyone = _route_of(state, directory).any_attribute
        if anyone.id != lead.id and anyone.id not in {w.id for w in others}:
            others.append(anyone)
    return others


def _no_window_yet(state: ConversationState) -> Turn:
    return Turn(replies=(Reply(texts.NO_WINDOW_YET),), state=state.evolve(awaiting=None))


def _with_offer(state: ConversationState, replies: list[Reply], button: Button | None) -> Turn:
    """The turn's replies, then the offer again (the resident can still ask for a person)."""
    generic = state.city in (None, OTHER_CITY)
    replies.append(_closing(generic, (button,) if button is not None else ()))
    awaiting = state.awaiting if generic else AWAITING_HANDOFF_OFFER
    return Turn(replies=tuple(replies), state=state.evolve(awaiting=awaiting))


def on_more_detail(state: ConversationState, directory: Directory) -> Turn:
    """「くわしく」: the full description of the window named first (address, page, notes)."""
    lead = _lead_of(state, directory)
    if lead is None:
        return _no_window_yet(state)
    text = describe_window(lead, directory.city_of(lead), state.worries, offer_follows=True)
    more = texts.OTHER_WINDOWS_BUTTON if _others(state, directory, lead) else None
    return _with_offer(state, [Reply(text)], more)


def _entry(
    window: Window,
    state: ConversationState,
    route: Route | None,
    city: City | None,
    lead: Window | None = None,
) -> str:
    labels = [
        category_label(c)
        for c in state.worries
        if route is not None and any(w.id == window.id for w in route.by_category.get(c, ()))
    ]
    head = f"【{'・'.join(labels)}】" if labels else ""
    if not labels and window.any_attribute:
        head = texts.ANY_WORRY_HEAD + "\n"
    shown = lead.id if lead is not None and lead.contacts_of("phone") else None
    return "\n".join([f"{head}「{window.name}」", *describe_window_contact(window, city, shown)])


def on_other_windows(state: ConversationState, directory: Directory) -> Turn:
    """「ほかの窓口」: the other windows for the other worries, each with its phone."""
    lead = _lead_of(state, directory)
    if lead is None:
        return _no_window_yet(state)
    others = _others(state, directory, lead)
    if not others:
        return _with_offer(state, [Reply(texts.NO_OTHER_WINDOWS)], texts.MORE_DETAIL_BUTTON)
    route = _route_of(state, directory) if state.worries else None
    entries = [_entry(w, state, route, directory.city_of(w), lead) for w in others]
    size = -(-len(entries) // _MAX_MESSAGES)
    chunks = ["\n\n".join(entries[i : i + size]) for i in range(0, len(entries), size)]
    chunks[0] = f"{texts.OTHER_WINDOWS_HEAD}\n{chunks[0]}"
    return _with_offer(state, [Reply(c) for c in chunks], texts.MORE_DETAIL_BUTTON)
