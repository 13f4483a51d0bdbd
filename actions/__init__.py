"""Custom actions for the Rasa action server (``rasa run actions`` imports this package)."""

import sys

from bot.privacy.logs import install_log_redaction

# In the action server (rasa-sdk's endpoint is loaded before it imports the actions), redact
# every log line: rasa-sdk logs failing requests with their tracker. Not on a plain import
# (tests, tools), where changing the process's logging would surprise.
if "rasa_sdk.endpoint" in sys.modules:
    install_log_redaction()
