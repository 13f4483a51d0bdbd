"""An answer to the intake's current question is an answer, whatever the model called it.

Why: the model reads some plain answers as a wish to stop (「親と3人」 for the household:
stop 0.50; 「急いでます」 for how soon), and during the form a stop ends the intake at once:
「送るのをやめました」, everything the resident had answered gone. In the Rasa server, after
the model's parse, a ``stop`` that the current question's own reader understands
(``bot.intake.validation.answers_the_question``) and that the stop rules do not call a stop
(「やめます」「キャンセル」 still are, ``bot.nlu.stop_rules``) becomes ``inform``, the intent of
an answer. The model's intent stays in the parse data (``form_answer.model_intent``).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.trackers import DialogueStateTracker

from bot.intake.validation import answers_the_question
from bot.nlu.components import STOP_INTENT
from bot.nlu.stop_rules import is_stop_request

log = logging.getLogger(__name__)

#: The intake form (domain.yml) and the intent of an answer to one of its questions.
INTAKE_FORM = "intake_form"
ANSWER_INTENT = "inform"
#: Where the parse data keeps what the model said.
FORM_ANSWER_KEY = "form_answer"


def keep_form_answer(parse_data: dict[str, Any], tracker: DialogueStateTracker) -> None:
    """Make a readable answer to the current question an answer (in place; see above)."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent != STOP_INTENT or tracker.active_loop_name != INTAKE_FORM:
        return
    requested = tracker.get_slot("requested_slot")
    text = str(parse_data.get("text") or "")
    if not requested or text.lstrip().startswith("/") or is_stop_request(text):
        return
    if not answers_the_question(requested, text, tracker.get_slot("intake_contact_method")):
        return
    parse_data[FORM_ANSWER_KEY] = {"model_intent": intent}
    parse_data["intent"] = {"name": ANSWER_INTENT, "confidence": 1.0}
    log.debug("a stop read as the answer to %s", requested)
