"""At the intake's summary, a greeting, thanks or a bare answer keeps the summary (asked again),
never sends it, and nothing else changes."""

from __future__ import annotations

import pytest

from bot.dialogue.state import AWAITING_HANDOFF_OFFER, AWAITING_INTAKE_CONFIRM
from bot.dialogue.summary_answer import LOST_AT_THE_SUMMARY, unclear_at_the_summary


def _parse(intent: str) -> dict[str, object]:
    return {"text": "よろしくお願いします", "intent": {"name": intent, "confidence": 0.6}}


@pytest.mark.parametrize("intent", sorted(LOST_AT_THE_SUMMARY))
def test_a_greeting_or_thanks_at_the_summary_is_not_understood(intent: str) -> None:
    """「よろしくお願いします」 (a greeting to the model) got the chat's opening words and the
    summary was left behind; it is asked again instead."""
    assert unclear_at_the_summary(_parse(intent), AWAITING_INTAKE_CONFIRM, None)


@pytest.mark.parametrize(
    "intent", ["affirm", "deny", "stop", "correct_intake", "crisis", "share_worry", "request_human"]
)
def test_the_summarys_answers_and_other_paths_are_kept(intent: str) -> None:
    assert not unclear_at_the_summary(_parse(intent), AWAITING_INTAKE_CONFIRM, None)


def test_only_at_the_summary() -> None:
    assert not unclear_at_the_summary(_parse("greet"), None, None)
    assert not unclear_at_the_summary(_parse("greet"), AWAITING_HANDOFF_OFFER, None)
    assert not unclear_at_the_summary(_parse("greet"), AWAITING_INTAKE_CONFIRM, "intake_form")
