"""The REST channel's input check (``bot.channels.rest.refusal``), without starting Rasa.

Protects: every malformed body of the shared bad-input table is refused with a Japanese 4xx
before Rasa sees it (Rasa's own channel gave a 500 for a JSON list and a silent ``[]`` for a
message that is not text), text up to the cap passes, an empty string still reaches the bot.
The same table runs against the real Rasa in tests/badinput/test_rest_inputs.py.
"""

from __future__ import annotations

import json

import pytest

from bot.channels.limits import MAX_TEXT_CHARS
from bot.channels.rest import refusal
from tests.badinput.cases import BODY_CASES, BodyCase, body_ids, is_japanese


@pytest.mark.parametrize("case", BODY_CASES, ids=body_ids())
def test_malformed_bodies_are_refused_in_japanese(case: BodyCase) -> None:
    refused = refusal(case.body)
    assert refused is not None
    status, payload = refused
    assert 400 <= status < 500 and is_japanese(payload["message"])


@pytest.mark.parametrize("text", ["", "家賃が払えません", "あ" * MAX_TEXT_CHARS])
def test_text_within_the_cap_passes(text: str) -> None:
    assert refusal(json.dumps({"sender": "s", "message": text}).encode()) is None


def test_one_character_over_the_cap_is_413() -> None:
    body = json.dumps({"sender": "s", "message": "あ" * (MAX_TEXT_CHARS + 1)}).encode()
    refused = refusal(body)
    assert refused is not None and refused[0] == 413
