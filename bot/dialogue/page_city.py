"""The city the website chat page shows: the conversation's, not the one in the page's address.

Why: the page's heading and its crisis link came from ``?city=`` alone, so after a correction
(「市をまちがえました、益田です」) the page still named the first city while the bot answered
with the new city's windows. Every answer of the dialogue (``actions.common.apply_turn``)
therefore carries the conversation's current city as a custom message ``{"city": code}``
(Rasa's REST channel returns it as ``{"custom": {...}}``; LINE ignores a custom message
without a ``line`` key; a custom message needs no domain entry). The web proxy passes on only
a served city code or ``other``.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.state import OTHER_CITY, ConversationState
from bot.directory import Directory

CITY_KEY = "city"


def page_city(state: ConversationState, directory: Directory) -> str | None:
    """A served city's code, ``other`` for another municipality, None while unknown."""
    if state.city is None:
        return None
    city = directory.city(state.city)
    return city.code if city is not None and not city.is_generic else OTHER_CITY


def city_message(state: ConversationState, directory: Directory) -> dict[str, Any] | None:
    """The custom message telling the page the conversation's city, if it is known."""
    code = page_city(state, directory)
    return None if code is None else {CITY_KEY: code}
