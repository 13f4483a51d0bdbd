"""Changes to how the Rasa server process runs, installed once per server: the speed changes
each measured (issue 11), and the one reading that needs the conversation (the offer's answer)."""

from bot.runtime.action_results import install_compiled_action_schema
from bot.runtime.event_types import install_event_type_table
from bot.runtime.frozen_heap import install_frozen_heap
from bot.runtime.offer_answers import install_offer_answers
from bot.runtime.sessions import install_session_length_limit


def install_for_rasa_server() -> None:
    """Everything here, for the Rasa server process (the tracker store calls it)."""
    install_compiled_action_schema()
    install_event_type_table()
    install_session_length_limit()
    install_offer_answers()
    install_frozen_heap()


__all__ = ["install_for_rasa_server"]
