"""The resident's answer to the bot's offer is read as an answer, in the Rasa server.

Rasa's NLU sees each message alone; only the server knows the bot just asked 「連絡を希望しま
すか？」. After Rasa's own parse (``MessageProcessor.parse_message``), a message that answers
the pending offer in the resident's own words takes the intent ``affirm`` or ``deny``, so the
rules start the intake or show the windows' contacts instead of asking again
(``bot.dialogue.offer_answer`` decides when, and why so narrowly). After a declined offer, a
clear request for contact in the same words (a resident who changed their mind:
「やっぱりお願いします」) takes the intent ``request_human``, whose
path makes the offer again. A yes that only hesitates or asks (「迷ってます」) is read as not
understood, and the offer is asked again; so is a greeting or thanks at the intake's summary
(``bot.dialogue.summary_answer``), which is asked again. Thanks in longer words the model
did not know is thanks (``bot.dialogue.thanks``).

The model's own intent stays in the parse data (``offer_answer.model_intent``), so the
message's history shows what was read and why. A parse without a conversation (``/model/parse``,
``intake classify``) is never changed. The model's ``intent_ranking`` is kept as it ranked.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.contact_request import asks_for_contact_again, doubts_the_yes
from bot.dialogue.offer_answer import answer_to_offer
from bot.dialogue.state import OFFER_DECLINED_SLOT
from bot.dialogue.summary_answer import unclear_at_the_summary
from bot.dialogue.thanks import thanks_in_own_words
from bot.intake.identity import INTAKE_SENT_SLOT
from bot.runtime.form_answers import keep_form_answer

log = logging.getLogger(__name__)

_RASA_PARSE_MESSAGE = MessageProcessor.parse_message

#: A wish for a person: its path makes the offer of a staff contact (again).
REQUEST_HUMAN_INTENT = "request_human"

#: Read as not understood: the offer is asked again (a hesitation the model took for a yes).
NOT_UNDERSTOOD_INTENT = "nlu_fallback"

#: Thanks in longer words (``bot.dialogue.thanks``).
THANKS_INTENT = "thanks"

#: Where the parse data keeps what the model said before the answer was read in context.
OFFER_ANSWER_KEY = "offer_answer"


def read_in_context(parse_data: dict[str, Any], tracker: DialogueStateTracker) -> None:
    """Turn ``parse_data`` into the offer's answer, or a request for the offer made again, when
    it is one (in place)."""
    intent = (parse_data.get("intent") or {}).get("name")
    awaiting, active_loop = tracker.get_slot("awaiting"), tracker.active_loop_name
    answer: str | None = answer_to_offer(parse_data, awaiting, active_loop)
    if answer is None and asks_for_contact_again(
        parse_data,
        awaiting,
        active_loop,
        offer_declined=bool(tracker.get_slot(OFFER_DECLINED_SLOT)),
        shown_help=bool(tracker.get_slot("routed_windows") or tracker.get_slot("crisis_detected")),
        intake_sent=bool(tracker.get_slot(INTAKE_SENT_SLOT)),
    ):
        answer = REQUEST_HUMAN_INTENT
    elif answer is None and (
        doubts_the_yes(parse_data, awaiting, active_loop)
        or unclear_at_the_summary(parse_data, awaiting, active_loop)
    ):
        answer = NOT_UNDERSTOOD_INTENT
    elif answer is None and thanks_in_own_words(parse_data, awaiting, active_loop):
        answer = THANKS_INTENT
    if answer is None:
        return
    parse_data[OFFER_ANSWER_KEY] = {"model_intent": intent}
    parse_data["intent"] = {"name": answer, "confidence": 1.0}
    log.debug("read as the answer to the offer: %s -> %s", intent, answer)


async def _parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    parse_data = await _RASA_PARSE_MESSAGE(self, message, tracker, only_output_properties)
    if tracker is not None:
        read_in_context(parse_data, tracker)
        keep_form_answer(parse_data, tracker)  # the one other reading in context: the form's
    return parse_data


def install_offer_answers() -> None:
    """Read answers to the pending offer in context (see the module docstring)."""
    MessageProcessor.parse_message = _parse_message


def uninstall_offer_answers() -> None:
    """Rasa's own parse again (tests share their process with other tests)."""
    MessageProcessor.parse_message = _RASA_PARSE_MESSAGE
