"""During the intake, an answer the current question understands is never taken as a wish to
stop (the model read 「親と3人」 as stop, and the whole intake was cancelled)."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.form_answers import FORM_ANSWER_KEY, keep_form_answer
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _tracker(requested: str, loop: str | None = "intake_form") -> DialogueStateTracker:
    tracker = DialogueStateTracker("form-resident", DOMAIN.slots)
    if loop:
        tracker.update(ActiveLoop(loop), DOMAIN)
    tracker.update(SlotSet("requested_slot", requested), DOMAIN)
    return tracker


def _stop(text: str) -> dict:
    return {"text": text, "intent": {"name": "stop", "confidence": 0.5}}


@pytest.mark.parametrize(
    ("requested", "text"),
    [("intake_household", "親と3人"), ("intake_urgency", "急いでます"), ("intake_about", "家族")],
)
def test_a_readable_answer_the_model_called_stop_is_an_answer(requested, text) -> None:
    parse = _stop(text)
    keep_form_answer(parse, _tracker(requested))
    assert parse["intent"]["name"] == "inform"
    assert parse[FORM_ANSWER_KEY]["model_intent"] == "stop"


@pytest.mark.parametrize(
    ("requested", "text"),
    [
        ("intake_household", "やめます"),  # the stop rules: a wish to stop stays one
        ("intake_urgency", "キャンセルで"),
        ("intake_household", "もういいです"),
        ("intake_name", "もう結構です"),  # any text is a name: proves nothing
        ("intake_urgency", "わからん"),  # not an answer the question reads
    ],
)
def test_a_wish_to_stop_or_an_unreadable_answer_stays_a_stop(requested, text) -> None:
    parse = _stop(text)
    keep_form_answer(parse, _tracker(requested))
    assert parse["intent"]["name"] == "stop"


def test_only_during_the_form() -> None:
    parse = _stop("親と3人")
    keep_form_answer(parse, _tracker("intake_household", loop=None))
    assert parse["intent"]["name"] == "stop"
