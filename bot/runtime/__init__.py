"""Changes to how the Rasa server process runs, each measured, installed once per server."""

from bot.runtime.action_results import install_compiled_action_schema

__all__ = ["install_compiled_action_schema"]
