"""A mistyped number in the environment stops start-up with the variable's name in the message.

Otherwise an operator setting ``RATE_LIMIT_WEB_IP=60/min`` would get a bare ``invalid literal for
int()`` and have to guess which of thirty variables is wrong.
"""

from __future__ import annotations

import pytest

from bot.settings import load_settings


@pytest.mark.parametrize(
    ("name", "value"), [("RATE_LIMIT_WEB_IP", "60/min"), ("OUTBOX_POLL_SECONDS", "five")]
)
def test_a_mistyped_number_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_settings()


def test_unset_numbers_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEW_TICKETS_PER_DAY", raising=False)
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "")
    settings = load_settings()
    assert settings.review_tickets_per_day == 3
    assert settings.rate_window_seconds == 60.0
