"""A resident who changes city: every window from then on is the new city's.

Why an invariant rather than one more intent: the city slot is filled from the message's
``city`` entity before any action runs, whatever the message's intent (「市をまちがえました、
益田です」 may be read as a greeting, a denial or a worry). The windows already shown stay in
``routed_windows``, and the consent question, the summary, the ticket and the direct contacts
all read them; left as they were, the resident would be given the first city's windows and
number under the new city's name, and the ticket would be refused. So whenever the state is
read (``read_state``), windows of another city than ``city`` are re-routed there (every worry
told, in the new city), and the turn that follows tells the resident (``on_city_change``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.dialogue import texts
from bot.dialogue.answer_shape import lead_window, phone_sized_answer
from bot.dialogue.state import (
    AWAITING_HANDOFF_OFFER,
    AWAITING_INTAKE_CONFIRM,
    OTHER_CITY,
    ConversationState,
    Reply,
    Turn,
)
from bot.directory import Directory
from bot.nlu.categories import canonical


def _code(directory: Directory, city: str | None) -> str | None:
    """The directory code for a state's city: None for another municipality (generic)."""
    return None if city in (None, OTHER_CITY) else city


def _belongs(directory: Directory, window_id: str, city: str) -> bool:
    window = directory.window(window_id)
    if window is None:
        return False  # an id the directory no longer has: never show it
    return window.city_code == (_code(directory, city) or directory.generic.code)


def is_stale(state: ConversationState, directory: Directory) -> bool:
    """Are some of the stored windows not the state's city's?"""
    if state.city is None:
        return False
    city = state.city
    return any(not _belongs(directory, w, city) for w in state.routed_windows)


def windows_for(directory: Directory, city: str | None, worries: Sequence[str]) -> tuple[str, ...]:
    """The windows for these worries in this city: primaries, then the coordinating window.

    No worry yet (the resident only asked for a person): the city's any-attribute window.
    """
    code = _code(directory, city)
    if not worries:
        return (directory.any_attribute_window(code).id,)
    route = directory.route(code, worries)
    ids = [route.primary(c).id for c in route.categories]
    if route.coordinator is not None:
        ids.append(route.coordinator.id)
    return tuple(dict.fromkeys(ids))


def follow_city(state: ConversationState, directory: Directory) -> ConversationState:
    """The state with its windows in its own city; marks a re-routing (``city_changed``)."""
    if not is_stale(state, directory):
        return state
    return state.evolve(
        routed_windows=windows_for(directory, state.city, state.worries),
        replaced_windows=state.replaced_windows or state.routed_windows,
    )


def read_state(slots: dict[str, Any], directory: Directory) -> ConversationState:
    """The conversation state from the tracker's slots, windows following the city."""
    return follow_city(ConversationState.from_slots(slots), directory)


def on_city_change(
    state: ConversationState,
    directory: Directory,
    *,
    new_categories: Sequence[str] = (),
    during_intake: bool = False,
) -> Turn:
    """Tell the resident the windows are now the new city's, and show them phone-sized.

    Every worry told so far (and any new one in this message) is routed again in the new city.
    The answer has the shape of a first answer (``answer_shape.phone_sized_answer``): the
    notice of the change opens the message naming the one window to contact now, with its
    phone and hours. Outside the intake the contact offer (with 「くわしく」「ほかの窓口」) is
    made again for the new windows. During the intake,
    and at its summary, the questions go on but a consent already given named the first city's
    windows: it is asked again, naming the new ones (``extra["ask_consent_again"]``), and only
    then is the summary shown; the summary that was open can no longer be sent (``awaiting`` is
    cleared). Another municipality cannot be handed to staff here: the intake stops
    (``extra["end_intake"]``).
    """
    code = _code(directory, state.city)
    worries = tuple(canonical([*state.worries, *state.pending_categories, *new_categories]))
    at_summary = state.awaiting == AWAITING_INTAKE_CONFIRM
    in_intake = during_intake or at_summary
    city = directory.city(code)
    # Phone-sized, as a first answer (``answer_shape``): the notice opens the message that
    # names the one window to contact now; the rest is behind 「くわしく」「ほかの窓口」.
    route = directory.route(code, worries)
    windows = list(windows_for(directory, state.city, worries))
    windows.append(lead_window(route, route.coordinator).id)
    notice = texts.city_changed_notice(city.name) if city else texts.OTHER_CITY_CHANGED
    lead, closing = phone_sized_answer(route, route.coordinator, windows, intro=notice)
    replies = [lead]
    changed = state.evolve(
        worries=worries,
        pending_categories=(),
        routed_windows=tuple(dict.fromkeys(windows)),
        replaced_windows=None,
        fallback_count=0,
    )
    extra: dict[str, Any] = {}
    if city is None:
        # Staff of the four cities cannot take a case from elsewhere: say where to go instead.
        replies.append(closing if not in_intake else Reply(texts.OTHER_CITY_DIRECT))
        if in_intake:
            replies.append(Reply(texts.INTAKE_STOPPED))
            extra["end_intake"] = True
        return Turn(tuple(replies), changed.evolve(awaiting=None), extra=extra)
    if in_intake:
        # Consent is to named windows (``Consent.window_ids``): the old one does not cover these.
        extra["ask_consent_again"] = True
        if at_summary:
            replies.append(Reply(texts.CONSENT_AGAIN))
            return Turn(tuple(replies), changed.evolve(awaiting=None), extra=extra)
        replies.append(Reply(texts.INTAKE_GOES_ON))
        return Turn(tuple(replies), changed, extra=extra)
    replies.append(closing)
    return Turn(tuple(replies), changed.evolve(awaiting=AWAITING_HANDOFF_OFFER))
