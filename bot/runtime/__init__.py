"""Changes to how the Rasa server process runs, each measured, installed once per server."""

from bot.runtime.action_results import install_compiled_action_schema
from bot.runtime.event_types import install_event_type_table
from bot.runtime.sessions import install_session_length_limit


def install_for_rasa_server() -> None:
    """Everything here, for the Rasa server process (the tracker store calls it)."""
    install_compiled_action_schema()
    install_event_type_table()
    install_session_length_limit()


__all__ = ["install_for_rasa_server"]
