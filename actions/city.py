"""Actions for the resident's city: set it (re-routing any waiting worries) or ask again.

A city named again after windows were shown is a change of city (``bot.dialogue.city_change``):
every worry is routed in the new city, during the intake too; there, and at the summary, the
consent is asked again for the new city's windows before the summary is shown.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apply_turn, directory, send, state_of
from actions.intake_common import FORM, ask_consent_again, end_intake
from bot.dialogue import on_ask_city, on_city
from bot.intake import questions
from bot.intake.summary import handoff_windows, summary_text


class ActionSetCity(Action):
    def name(self) -> str:
        return "action_set_city"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        named = next(tracker.get_latest_entity_values("city"), None)
        # The slot already holds the new city (from_entity mapping): the dialogue recognises a
        # change by the windows shown, which are still the first city's.
        state = state_of(tracker)
        in_form = tracker.active_loop_name == FORM
        if named is None:
            # The model guessed "a city" but no city could be read (「やっぱりやめます」): never
            # assume another municipality. In the questions the form asks again; else we ask.
            return [] if in_form else apply_turn(dispatcher, state, on_ask_city(state))
        turn = on_city(state, named, directory(), during_intake=in_form)
        events = apply_turn(dispatcher, state, turn)
        if turn.extra.get("end_intake"):
            # Another municipality: nothing can be sent to the four cities' staff.
            return [*events, *end_intake()]
        if turn.extra.get("ask_consent_again"):
            # The consent named the first city's windows: the form asks it again, naming the
            # new ones, then the summary follows (``bot.dialogue.city_change``).
            return [*events, *ask_consent_again(in_form)]
        if turn.extra.get("show_summary"):
            windows = handoff_windows(directory(), turn.state.routed_windows)
            slots = tracker.current_slot_values()
            send(
                dispatcher,
                summary_text(slots, turn.state.worries, windows),
                questions.CONFIRM_BUTTONS,
            )
        return events


class ActionAskCity(Action):
    def name(self) -> str:
        return "action_ask_city"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = state_of(tracker)
        return apply_turn(dispatcher, state, on_ask_city(state))
