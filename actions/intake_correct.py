"""Correcting one answer at the summary: the form asks it again, then shows the summary."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import send
from bot.dialogue import Button
from bot.intake import questions
from bot.intake.fields import CORRECTABLE, RETRY_SLOT


class ActionShowCorrectableFields(Action):
    def name(self) -> str:
        return "action_show_correctable_fields"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = tuple(
            Button(f.label, f'/correct_field{{"intake_field": "{f.slot}"}}') for f in CORRECTABLE
        )
        send(dispatcher, questions.WHICH_FIELD, buttons)
        return []


class ActionCorrectIntake(Action):
    """Forget one answer so that the form asks it again, then shows the summary again."""

    def name(self) -> str:
        return "action_correct_intake"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        field = next(tracker.get_latest_entity_values("intake_field"), None)
        if field not in {f.slot for f in CORRECTABLE}:
            return ActionShowCorrectableFields().run(dispatcher, tracker, domain)
        events: list[EventType] = [SlotSet(field, None), SlotSet(RETRY_SLOT, 0.0)]
        if field == "intake_contact_method":
            events.append(SlotSet("intake_contact_value", None))
        return events
