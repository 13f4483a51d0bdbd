"""The handoff intake as a Rasa form: which questions, how answers are checked, how asked.

The decisions live in ``bot.intake``; this module reads the tracker and writes events.
"""

from __future__ import annotations

from dataclasses import replace

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import directory, send, state_of
from actions.intake_common import channel_of, intake_windows, slots_of
from bot.dialogue import Button
from bot.dialogue.sessions import EARLIER_WORDS_SLOT, conversation_words
from bot.dialogue.state import OTHER_CITY
from bot.intake import questions
from bot.intake.answers import about_whom
from bot.intake.fields import (
    ABOUT,
    CONTACT_QUESTIONS,
    DECLINE_BUTTON,
    FIELD_BY_SLOT,
    LINE_NOT_HERE,
    RETRY_SLOT,
    SAFE_CONTACT,
    Field,
    contact_method_allowed,
    contact_method_field,
    question_for,
)
from bot.intake.identity import INTAKE_ID_SLOT, new_intake_id
from bot.intake.safety import needs_safe_contact
from bot.intake.summary import answer
from bot.intake.validation import contact_in_method_answer, decide


def _start_intake(tracker: Tracker) -> list[EventType]:
    """Give the intake its own id at its first question (kept until it is sent or ended).

    Every question calls this because the form may start at any of them; only the first
    call, with the slot still empty, sets it.
    """
    return [] if tracker.get_slot(INTAKE_ID_SLOT) else [SlotSet(INTAKE_ID_SLOT, new_intake_id())]


def _needs_safe_contact(tracker: Tracker, method: str | None) -> bool:
    state = state_of(tracker)
    categories = [*state.worries, *state.pending_categories]
    return needs_safe_contact(categories, state.crisis_kind, method)


def _worry_texts(tracker: Tracker) -> list[str]:
    """What the resident wrote that carried a worry (how they told it, before the questions),
    sessions before included."""
    words = conversation_words(tracker.get_slot(EARLIER_WORDS_SLOT), tracker.events)
    return [word.text for word in words if word.told_worry]


def _whose_worry(tracker: Tracker) -> str | None:
    return about_whom(tracker.get_slot(ABOUT.slot), _worry_texts(tracker))


class ValidateIntakeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if state_of(tracker).city == OTHER_CITY:
            # The resident changed to a city outside the four: no staff here can take the
            # intake, so it ends (bot.dialogue.city_change told them where to go).
            return []
        slots = slots_of(tracker)
        method = answer(slots, "intake_contact_method")
        required = list(domain_slots)
        if method is None or (method == "LINE" and channel_of(tracker) == "line"):
            # No contact detail to ask (skipped, or LINE itself is the way back).
            required.remove("intake_contact_value")
        if slots.get("intake_consent") == "no":
            required.remove("intake_meeting_consent")
        if SAFE_CONTACT.slot in required and not _needs_safe_contact(tracker, method):
            required.remove(SAFE_CONTACT.slot)
        return required

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        slot_values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        if requested not in FIELD_BY_SLOT or requested not in slot_values:
            return events
        slots = slots_of(tracker)
        kept = [e for e in events if not (e.get("event") == "slot" and e["name"] == requested)]
        if requested == "intake_contact_method" and (
            given := contact_in_method_answer(slot_values[requested])
        ):
            method, contact = given  # 「090-…」 typed for the method: it answers both
            return [
                *kept,
                SlotSet(requested, method),
                SlotSet("intake_contact_value", contact),
                SlotSet(RETRY_SLOT, 0.0),
            ]
        decision = decide(
            requested,
            slot_values[requested],
            int(slots.get(RETRY_SLOT) or 0),
            answer(slots, "intake_contact_method"),
        )
        if requested == "intake_contact_method" and not contact_method_allowed(
            decision.value, channel_of(tracker)
        ):  # 「LINE」 typed on the web chat: staff could not answer there
            decision = replace(decision, value=None, messages=(LINE_NOT_HERE,))
        for message in decision.messages:
            send(dispatcher, message)
        return [
            *kept,
            SlotSet(requested, decision.value),
            SlotSet(RETRY_SLOT, float(decision.retries)),
        ]


class _AskChoice:
    """Ask one question of the form, with its choices and 「答えたくない」 as buttons.

    A mixin, not an ``Action``: the SDK registers every ``Action`` subclass it finds.
    """

    field: Field

    def name(self) -> str:
        return f"action_ask_{self.field.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.field is ABOUT and not tracker.get_slot(RETRY_SLOT):
            send(dispatcher, questions.INTRO)
        question = question_for(self.field, _whose_worry(tracker))
        send(dispatcher, question, questions.choice_buttons(self.field))
        return _start_intake(tracker)


class ActionAskIntakeAbout(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_about"]


class ActionAskIntakeAge(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_age"]


class ActionAskIntakeHousehold(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_household"]


class ActionAskIntakeUrgency(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_urgency"]


class ActionAskIntakeContactMethod(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_contact_method"]

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # 「LINE」 only where staff can write back on LINE (``contact_method_field``).
        field = contact_method_field(channel_of(tracker))
        send(dispatcher, field.question, questions.choice_buttons(field))
        return _start_intake(tracker)


class ActionAskIntakeSafeContact(_AskChoice, Action):
    field = SAFE_CONTACT


class ActionAskIntakeName(_AskChoice, Action):
    field = FIELD_BY_SLOT["intake_name"]


class ActionAskIntakeContactValue(Action):
    def name(self) -> str:
        return "action_ask_intake_contact_value"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        method = answer(slots_of(tracker), "intake_contact_method") or "電話"
        question = CONTACT_QUESTIONS.get(method, CONTACT_QUESTIONS["電話"])
        send(dispatcher, question, (Button(*DECLINE_BUTTON),))
        return _start_intake(tracker)


class ActionAskIntakeConsent(Action):
    def name(self) -> str:
        return "action_ask_intake_consent"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        city = directory().city(state_of(tracker).city)
        names = [w.name for w in intake_windows(tracker)]
        text = questions.consent_question(city.name if city else "市", names)
        send(dispatcher, text, questions.CONSENT_BUTTONS)
        return _start_intake(tracker)


class ActionAskIntakeMeetingConsent(Action):
    def name(self) -> str:
        return "action_ask_intake_meeting_consent"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, questions.MEETING_QUESTION, questions.MEETING_BUTTONS)
        return _start_intake(tracker)
