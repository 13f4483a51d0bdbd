"""「LINE」 is a contact method only where staff can answer there: the LINE channel.

Staff write to a LINE resident through the bot's account from the ticket page; a web-chat
resident has no such conversation, and staff must not use personal LINE accounts, so the
choice is not offered on the web chat (nor accepted when typed).
"""

from __future__ import annotations

import pytest

from actions.intake_questions import ActionAskIntakeContactMethod, ValidateIntakeForm
from tests.actions.conftest import make_tracker, slot_events, texts

DOMAIN = {"forms": {"intake_form": {"required_slots": ["intake_contact_method"]}}}
SLOT = "intake_contact_method"


def _offered(dispatcher, channel: str) -> list[str]:
    tracker = make_tracker("", "inform", input_channel=channel, active_loop="intake_form")
    ActionAskIntakeContactMethod().run(dispatcher, tracker, {})
    return [button["title"] for button in dispatcher.messages[-1]["buttons"]]


def test_line_residents_are_offered_line(dispatcher) -> None:
    assert "LINE" in _offered(dispatcher, "line")


@pytest.mark.parametrize("channel", ["web", "rest"])
def test_web_chat_residents_are_not_offered_line(dispatcher, channel: str) -> None:
    offered = _offered(dispatcher, channel)
    assert "LINE" not in offered
    assert {"電話", "メール", "窓口に行く"} <= set(offered)


async def _validate(dispatcher, text: str, channel: str) -> dict:
    tracker = make_tracker(
        text,
        "inform",
        slots={SLOT: text},
        requested_slot=SLOT,
        active_loop="intake_form",
        input_channel=channel,
    )
    tracker.events.append({"event": "slot", "name": SLOT, "value": text})
    return slot_events(
        await ValidateIntakeForm().get_validation_events(dispatcher, tracker, DOMAIN)
    )


async def test_line_typed_on_the_web_chat_is_asked_again_kindly(dispatcher) -> None:
    slots = await _validate(dispatcher, "LINEでお願いします", "web")
    assert slots[SLOT] is None
    said = texts(dispatcher)
    assert "LINE" in said and "電話" in said  # says why, and what can be chosen instead


async def test_line_typed_on_line_is_kept(dispatcher) -> None:
    slots = await _validate(dispatcher, "LINEでお願いします", "line")
    assert slots[SLOT] == "LINE"
