"""Issue 9 (2), web chat: a typed title acts as its button at every step, conversation and form.

Each step's buttons are the ones the bot really offers there (city, offer with 「くわしく」
「ほかの窓口」, the worry categories, after a crisis, each intake question, consent, meeting,
summary, correction). The fake Rasa offers one step's buttons; typing a title must reach Rasa
as that button's payload. 「暴力・虐待」 holds crisis words, so it stays words for the crisis path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from actions.intake_correct import CORRECTABLE
from bot.dialogue import Button
from bot.dialogue import texts as dialogue_texts
from bot.dialogue.flow import _category_buttons
from bot.intake import fields
from bot.intake.questions import CONFIRM_BUTTONS, CONSENT_BUTTONS, MEETING_BUTTONS, choice_buttons

if TYPE_CHECKING:  # the LINE test imports the steps from here, without tests/web on the path
    from web_helpers import MakeClient

API = "/chat/api/message"
PRIME = "step:"
STEPS: dict[str, tuple[Button, ...]] = {
    "city": dialogue_texts.CITY_BUTTONS,
    "offer": (
        *dialogue_texts.YES_NO_CONTACT,
        dialogue_texts.MORE_DETAIL_BUTTON,
        dialogue_texts.OTHER_WINDOWS_BUTTON,
    ),
    "categories": _category_buttons(),
    "after_crisis": dialogue_texts.AFTER_CRISIS_BUTTONS,
    "about": choice_buttons(fields.ABOUT),
    "age": choice_buttons(fields.AGE),
    "household": choice_buttons(fields.HOUSEHOLD),
    "urgency": choice_buttons(fields.URGENCY),
    "contact_method": choice_buttons(fields.contact_method_field("rest")),
    "safe_contact": choice_buttons(fields.SAFE_CONTACT),
    "consent": CONSENT_BUTTONS,
    "meeting": MEETING_BUTTONS,
    "confirm": CONFIRM_BUTTONS,
    "correct": tuple(
        Button(f.label, f'/correct_field{{"intake_field": "{f.slot}"}}') for f in CORRECTABLE
    ),
}
#: Titles that must stay words: crisis words go to the crisis path, never to a button.
STAYS_WORDS = {"暴力・虐待"}


def expected(button: Button) -> str:
    return button.title if button.title in STAYS_WORDS else button.payload


@pytest.fixture
async def step_rasa(aiohttp_server: Any, fake_rasa_received: list[dict[str, Any]]) -> str:
    """Offers the buttons of the step named after ``step:``; no buttons for anything else."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        fake_rasa_received.append(body)
        message = str(body["message"])
        buttons = STEPS.get(message[len(PRIME) :], ()) if message.startswith(PRIME) else ()
        return web.json_response([{"text": "どうぞ", "buttons": [b.as_dict() for b in buttons]}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize("step", list(STEPS))
async def test_every_title_typed_at_every_step_is_sent_as_its_button(
    make_client: MakeClient, step_rasa: str, fake_rasa_received: list[dict[str, Any]], step: str
) -> None:
    client = await make_client(step_rasa, rate_web_sender=1000, rate_web_ip=1000)
    for button in STEPS[step]:
        assert (await client.post(API, json={"message": PRIME + step})).status == 200
        assert (await client.post(API, json={"message": button.title})).status == 200
        assert fake_rasa_received[-1]["message"] == expected(button), button.title
