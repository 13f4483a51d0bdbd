"""The end of the intake: the summary to confirm, sending it, or cancelling it.

The decisions live in ``bot.intake`` (the summary, the submission, what the resident is told);
this module reads the tracker, hands the submission to the ticket store and writes events.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import apply_turn, directory, now, outbox, send, state_of, ticket_store
from actions.intake_common import (
    ask_consent_again,
    channel_of,
    decline_intake,
    direct_contacts,
    end_intake,
    intake_windows,
    slots_of,
)
from bot.dialogue import on_city_change
from bot.dialogue.sessions import EARLIER_WORDS_SLOT, conversation_words
from bot.intake import questions
from bot.intake.identity import INTAKE_ID_SLOT, INTAKE_SENT_SLOT, intake_key
from bot.intake.outcome import NOT_BUILT, NOT_SAVED, Outcome, kept, reachable, replies_for
from bot.intake.summary import (
    Conversation,
    answer,
    build_submission,
    consent_given,
    summary_text,
)
from bot.tickets import submit
from bot.tickets.analytics import record_anonymous_intake

logger = logging.getLogger(__name__)


def _record_anonymous(tracker: Tracker, outcome: str) -> None:
    state = state_of(tracker)
    try:
        record_anonymous_intake(ticket_store(), state.city or "other", state.worries, outcome)
    except Exception as error:  # a count is not worth failing the resident's turn
        logger.warning("Anonymous count not recorded (%s): %s", outcome, type(error).__name__)


def _resident_messages(tracker: Tracker) -> tuple[tuple[str, datetime], ...]:
    """The resident's own words (button payloads are not words), sessions before included."""
    words = conversation_words(tracker.get_slot(EARLIER_WORDS_SLOT), tracker.events)
    return tuple((word.text, datetime.fromtimestamp(word.at, tz=timezone.utc)) for word in words)


class ActionIntakeSummary(Action):
    """After the questions: the summary to confirm, or (no consent) the direct contacts."""

    def name(self) -> str:
        return "action_intake_summary"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = slots_of(tracker)
        if not consent_given(slots):
            _record_anonymous(tracker, "consent_declined")
            send(dispatcher, questions.CONSENT_DECLINED)
            direct_contacts(dispatcher, tracker)
            return decline_intake()
        text = summary_text(slots, state_of(tracker).worries, intake_windows(tracker))
        send(dispatcher, text, questions.CONFIRM_BUTTONS)
        return [SlotSet("awaiting", "intake_confirm")]


class ActionSubmitIntake(Action):
    """「この内容で送る」: the ticket (or the outbox), then what happened, told honestly."""

    def name(self) -> str:
        return "action_submit_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = slots_of(tracker)
        state = state_of(tracker)
        if state.city_changed:
            # 「はい、久留米市です」: the yes was to a summary naming the first city's windows.
            turn = on_city_change(state, directory())
            events = apply_turn(dispatcher, state, turn)
            if turn.extra.get("end_intake"):
                return [*events, *end_intake()]
            return [*events, *ask_consent_again(form_active=False)]
        windows = intake_windows(tracker)
        intake_id, from_slot = intake_key(slots.get(INTAKE_ID_SLOT))
        if not from_slot:
            logger.warning("Intake sent without an intake_id slot; stored under a fresh id")
        result: Outcome
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
                    channel=channel_of(tracker),
                    intake_id=intake_id,
                    crisis_kind=state.crisis_kind,
                ),
                now(),
            )
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(None, submit, submission, ticket_store(), outbox())
        except ValueError as error:
            logger.error("Intake could not be built: %s", error)
            result = NOT_BUILT
        except OSError as error:
            # Database down and the outbox unwritable (disk full, permissions): say so.
            logger.error("Intake neither stored nor queued: %s", type(error).__name__)
            result = NOT_SAVED
        method = answer(slots, "intake_contact_method")
        can_reach = reachable(method, answer(slots, "intake_contact_value"), channel_of(tracker))
        for text in replies_for(result, windows, method, reachable=can_reach):
            send(dispatcher, text)
        direct_contacts(dispatcher, tracker, sent=kept(result))
        return [*end_intake(), SlotSet(INTAKE_SENT_SLOT, True)] if kept(result) else end_intake()


class ActionCancelIntake(Action):
    def name(self) -> str:
        return "action_cancel_intake"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        _record_anonymous(tracker, "cancelled")
        send(dispatcher, questions.CANCELLED)
        direct_contacts(dispatcher, tracker, limit=1)
        return decline_intake()
