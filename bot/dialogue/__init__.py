"""The conversation's decisions in plain Python: what to say and what to remember next.

Rasa actions (``actions/``) only translate between the tracker and these functions, so the
behaviour residents meet is testable without a Rasa server.
"""

from bot.dialogue.city_change import follow_city, on_city_change, read_state
from bot.dialogue.crisis_reply import Danger, first_answer
from bot.dialogue.flow import (
    on_affirm,
    on_ask_city,
    on_city,
    on_continue,
    on_crisis,
    on_deny,
    on_fallback,
    on_request_human,
    on_start_over,
    on_worry,
)
from bot.dialogue.page_city import city_message
from bot.dialogue.state import Button, ConversationState, Reply, Turn

__all__ = [
    "Button",
    "ConversationState",
    "city_message",
    "Danger",
    "first_answer",
    "follow_city",
    "on_city_change",
    "read_state",
    "Reply",
    "Turn",
    "on_affirm",
    "on_ask_city",
    "on_city",
    "on_continue",
    "on_crisis",
    "on_deny",
    "on_fallback",
    "on_request_human",
    "on_start_over",
    "on_worry",
]
