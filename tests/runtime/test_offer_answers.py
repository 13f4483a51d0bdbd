"""In the Rasa server, with the trained model, a resident's own-words answer to the pending
offer reaches the dialogue as yes or no, where the model alone read it as nothing it knew
(「はい、相談したいです」 was nlu_fallback: the bot asked again and the offer was lost)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.state import AWAITING_HANDOFF_OFFER, AWAITING_INTAKE_CONFIRM, OFFER_DECLINED_SLOT
from bot.runtime.offer_answers import (
    OFFER_ANSWER_KEY,
    install_offer_answers,
    uninstall_offer_answers,
)
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"


@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` trains it before pytest runs")
    install_offer_answers()
    try:
        yield Agent.load(str(MODEL))
    finally:
        uninstall_offer_answers()


def _tracker(agent: Agent, awaiting: str | None, **slots: object) -> DialogueStateTracker:
    tracker = DialogueStateTracker("offer-resident", agent.domain.slots)
    tracker.update(ActionExecuted("action_listen"), agent.domain)
    for name, value in {"awaiting": awaiting, **slots}.items():
        if value is not None:
            tracker.update(SlotSet(name, value), agent.domain)
    return tracker


def _intent(agent: Agent, text: str, awaiting: str | None, **slots: object) -> dict:
    processor = agent.processor
    assert processor is not None
    tracker = _tracker(agent, awaiting, **slots)
    return asyncio.run(processor.parse_message(UserMessage(text), tracker))


@pytest.mark.parametrize(
    ("text", "answer"),
    [("はい、相談したいです", "affirm"), ("電話ください", "affirm"), ("今はいいです", "deny")],
)
def test_the_answer_to_the_offer_reaches_the_dialogue(agent, text, answer) -> None:
    without_offer = _intent(agent, text, None)
    assert without_offer["intent"]["name"] != answer  # the model alone did not read it so
    parse = _intent(agent, text, AWAITING_HANDOFF_OFFER)
    assert parse["intent"]["name"] == answer
    assert parse[OFFER_ANSWER_KEY]["model_intent"] == without_offer["intent"]["name"]


def test_a_worry_while_the_offer_waits_stays_a_worry(agent) -> None:
    parse = _intent(agent, "借金もあって返せません", AWAITING_HANDOFF_OFFER)
    assert parse["intent"]["name"] == "share_worry"
    assert OFFER_ANSWER_KEY not in parse


def test_crisis_words_while_the_offer_waits_stay_a_crisis(agent) -> None:
    parse = _intent(agent, "もう死にたい、お願い", AWAITING_HANDOFF_OFFER)
    assert parse["intent"]["name"] == "crisis"


@pytest.mark.parametrize("text", ["やっぱり電話ください", "やっぱりお願いします"])
def test_a_change_of_mind_after_declining_asks_for_a_person(agent, text) -> None:
    """After 「今はいいです」 the model alone read these as something else (やっぱり as a wish to
    stop); with the decline remembered they ask for a person, whose path makes the offer again."""
    alone = _intent(agent, text, None)
    assert alone["intent"]["name"] != "request_human"
    parse = _intent(agent, text, None, **{OFFER_DECLINED_SLOT: True})
    assert parse["intent"]["name"] == "request_human"
    assert parse[OFFER_ANSWER_KEY]["model_intent"] == alone["intent"]["name"]


@pytest.mark.parametrize("text", ["迷ってます", "はいって押したらどうなるの"])
def test_a_hesitation_at_the_offer_does_not_start_the_intake(agent, text) -> None:
    """The model alone read these as yes, and the intake's personal questions began."""
    parse = _intent(agent, text, AWAITING_HANDOFF_OFFER)
    assert parse["intent"]["name"] != "affirm"


def test_a_greeting_at_the_summary_asks_the_summary_again(agent) -> None:
    """「よろしくお願いします」 at 「この内容で送ってよいですか？」 was a greeting to the model: the
    chat's opening words, and the summary left behind. It is read as not understood (the
    summary is asked again), never as a yes."""
    alone = _intent(agent, "よろしくお願いします", None)
    parse = _intent(agent, "よろしくお願いします", AWAITING_INTAKE_CONFIRM)
    assert parse["intent"]["name"] == "nlu_fallback"
    assert parse[OFFER_ANSWER_KEY]["model_intent"] == alone["intent"]["name"]


def test_a_request_for_contact_after_a_crisis_asks_for_a_person(agent) -> None:
    """After the crisis lines and 「相談を続ける」, 「やっぱり連絡してほしい」 got 「困っている
    ことを書いてください」: the model read it as a bare yes to nothing."""
    text = "やっぱり連絡してほしい"
    alone = _intent(agent, text, None)
    assert alone["intent"]["name"] != "request_human"
    parse = _intent(agent, text, None, crisis_detected=True)
    assert parse["intent"]["name"] == "request_human"


def test_a_household_answer_the_model_calls_stop_does_not_cancel_the_intake(agent) -> None:
    """「親と3人」 at 「どなたと暮らしていますか？」: the model read stop (0.50), and the form
    cancelled the intake with everything answered. Through the server's parse it is an answer."""
    tracker = _tracker(agent, None, requested_slot="intake_household")
    tracker.update(ActiveLoop("intake_form"), agent.domain)
    processor = agent.processor
    assert processor is not None
    parse = asyncio.run(processor.parse_message(UserMessage("親と3人"), tracker))
    assert parse["intent"]["name"] == "inform"


def test_thanks_in_longer_words_is_thanks(agent) -> None:
    """After a sent intake 「丁寧にありがとうございました。連絡を待っています」 got 「うまく読み
    取れませんでした」 and the worry buttons."""
    parse = _intent(agent, "丁寧にありがとうございました。連絡を待っています", None)
    assert parse["intent"]["name"] == "thanks"
