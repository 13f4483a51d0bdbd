"""The handoff intake as a Rasa form: questions, validation, summary, sending, correcting.

The decisions live in ``bot.intake``; this module reads the tracker and writes events.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import directory, now, outbox, send, state_of, ticket_store
from bot.dialogue import Button
from bot.dialogue.state import OTHER_CITY
from bot.directory import describe_window
from bot.intake import questions
from bot.intake.fields import (
    ABOUT,
    ALL_FIELDS,
    CONTACT_QUESTIONS,
    CORRECTABLE,
    DECLINE_BUTTON,
    FIELD_BY_SLOT,
    LINE_NOT_HERE,
    RETRY_SLOT,
    SAFE_CONTACT,
    Field,
    contact_method_allowed,
    contact_method_field,
)
from bot.intake.safety import needs_safe_contact
from bot.intake.summary import (
    INTAKE_ID_SLOT,
    Conversation,
    answer,
    build_submission,
    consent_given,
    handoff_windows,
    intake_key,
    new_intake_id,
    summary_text,
)
from bot.intake.validation import decide
from bot.tickets import submit
from bot.tickets.analytics import record_anonymous_intake

logger = logging.getLogger(__name__)

FORM = "intake_form"


def _slots(tracker: Tracker) -> dict[str, Any]:
    return tracker.current_slot_values()


def _reset_intake() -> list[EventType]:
    """Forget the answers and the intake's id: the next consultation is a new intake."""
    return [
        *(SlotSet(field.slot, None) for field in ALL_FIELDS),
        SlotSet(RETRY_SLOT, 0.0),
        SlotSet(INTAKE_ID_SLOT, None),
    ]


def _start_intake(tracker: Tracker) -> list[EventType]:
    """Give the intake its own id at its first question (kept until it is sent or ended).

    Every question calls this because the form may start at any of them; only the first
    call, with the slot still empty, sets it.
    """
    return [] if tracker.get_slot(INTAKE_ID_SLOT) else [SlotSet(INTAKE_ID_SLOT, new_intake_id())]


def _form_started_at(tracker: Tracker) -> float | None:
    """When this conversation's intake form last started (for ``intake_key``'s fallback)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return float(event.get("timestamp") or 0)
    return None


def _channel(tracker: Tracker) -> str:
    """line, web (the website chat's proxy names itself) or rest (any other REST client)."""
    channel = tracker.get_latest_input_channel()
    return channel if channel in ("line", "web") else "rest"


def _windows(tracker: Tracker) -> list[Any]:
    return handoff_windows(directory(), state_of(tracker).routed_windows)


def _direct_contacts(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    windows = _windows(tracker) or [directory().any_attribute_window(state_of(tracker).city)]
    for window in windows[:2]:
        send(dispatcher, describe_window(window, directory().city_of(window)))


def _needs_safe_contact(tracker: Tracker, method: str | None) -> bool:
    state = state_of(tracker)
    categories = [*state.worries, *state.pending_categories]
    return needs_safe_contact(categories, state.crisis_kind, method)


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
        slots = _slots(tracker)
        method = answer(slots, "intake_contact_method")
        required = list(domain_slots)
        if method is None or (method == "LINE" and _channel(tracker) == "line"):
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
        slots = _slots(tracker)
        decision = decide(
            requested,
            slot_values[requested],
            int(slots.get(RETRY_SLOT) or 0),
            answer(slots, "intake_contact_method"),
        )
        if requested == "intake_contact_method" and not contact_method_allowed(
            decision.value, _channel(tracker)
        ):  # 「LINE」 typed on the web chat: staff could not answer there
            decision = replace(decision, value=None, messages=(LINE_NOT_HERE,))
        for message in decision.messages:
            send(dispatcher, message)
        kept = [e for e in events if not (e.get("event") == "slot" and e["name"] == requested)]
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
        send(dispatcher, self.field.question, questions.choice_buttons(self.field))
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
        field = contact_method_field(_channel(tracker))
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
        method = answer(_slots(tracker), "intake_contact_method") or "電話"
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
        names = [w.name for w in _windows(tracker)]
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


def _record_anonymous(tracker: Tracker, outcome: str) -> None:
    state = state_of(tracker)
    try:
        record_anonymous_intake(ticket_store(), state.city or "other", state.worries, outcome)
    except Exception as error:  # a count is not worth failing the resident's turn
        logger.warning("Anonymous count not recorded (%s): %s", outcome, type(error).__name__)


class ActionIntakeSummary(Action):
    """After the questions: the summary to confirm, or (no consent) the direct contacts."""

    def name(self) -> str:
        return "action_intake_summary"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = _slots(tracker)
        if not consent_given(slots):
            _record_anonymous(tracker, "consent_declined")
            send(dispatcher, questions.CONSENT_DECLINED)
            _direct_contacts(dispatcher, tracker)
            return [*_reset_intake(), SlotSet("awaiting", None)]
        text = summary_text(slots, state_of(tracker).worries, _windows(tracker))
        send(dispatcher, text, questions.CONFIRM_BUTTONS)
        return [SlotSet("awaiting", "intake_confirm")]


def _resident_messages(tracker: Tracker) -> tuple[tuple[str, datetime], ...]:
    """The resident's own words (button payloads are not words)."""
    found = []
    for event in tracker.events:
        text = event.get("text") or ""
        if event.get("event") == "user" and text and not text.startswith("/"):
            at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
            found.append((text, at))
    return tuple(found)


class ActionSubmitIntake(Action):
    def name(self) -> str:
        return "action_submit_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = _slots(tracker)
        state = state_of(tracker)
        windows = _windows(tracker)
        intake_id, from_slot = intake_key(
            slots.get(INTAKE_ID_SLOT), tracker.sender_id, _form_started_at(tracker)
        )
        if not from_slot:
            logger.warning("Intake sent without an intake_id slot; key derived from the form")
        try:
            submission = build_submission(
                slots,
                Conversation(
                    sender_id=tracker.sender_id,
                    city=state.city or "",
                    categories=state.worries,
                    window_ids=tuple(w.id for w in windows),
                    messages=_resident_messages(tracker),
                    crisis=state.crisis_detected,
                    channel=_channel(tracker),
                    intake_id=intake_id,
                    crisis_kind=state.crisis_kind,
                ),
                now(),
            )
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(None, submit, submission, ticket_store(), outbox())
        except ValueError as error:
            logger.error("Intake could not be built: %s", error)
            send(dispatcher, questions.FAILED)
            _direct_contacts(dispatcher, tracker)
            return [*_reset_intake(), SlotSet("awaiting", None)]
        except OSError as error:
            # Database down and the outbox unwritable (disk full, permissions): say so.
            logger.error("Intake neither stored nor queued: %s", type(error).__name__)
            send(dispatcher, questions.NOT_SAVED)
            _direct_contacts(dispatcher, tracker)
            return [*_reset_intake(), SlotSet("awaiting", None)]
        if result.status == "failed":
            send(dispatcher, questions.FAILED)
        elif result.created and result.reference and windows:
            first = windows[0]
            send(
                dispatcher,
                questions.received(
                    result.reference,
                    first.name,
                    answer(slots, "intake_contact_method"),
                    first.response_time,
                ),
            )
        else:
            send(dispatcher, questions.QUEUED)
        _direct_contacts(dispatcher, tracker)
        return [*_reset_intake(), SlotSet("awaiting", None)]


class ActionCancelIntake(Action):
    def name(self) -> str:
        return "action_cancel_intake"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        _record_anonymous(tracker, "cancelled")
        send(dispatcher, questions.CANCELLED)
        _direct_contacts(dispatcher, tracker)
        return [*_reset_intake(), SlotSet("awaiting", None)]


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
