"""Rasa's check of each action server answer, with the schema compiled once per process.

Why: Rasa 3.6 validates every answer of the action server with ``jsonschema.validate``
(``RemoteAction._validate_action_result``), which first checks the schema itself against the
JSON Schema meta-schema — on every call. The events schema is large (every event type), so
profiling the server under load (py-spy, issue 11) put 28 % of the Rasa process's CPU there:
more than understanding the message. The answer is still validated in full, against the same
schema, and an invalid answer is still refused with the same error; only the meta-schema
check happens once instead of on every custom action.

Installed by ``bot.trackers.store.PrivateSQLTrackerStore`` (see there why the tracker store is
this project's start-up hook in the Rasa process); idempotent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_RASA_VALIDATION = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The action response schema's validator, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What Rasa's ``_validate_action_result`` does, with the compiled validator."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install_compiled_action_schema() -> None:
    """Make every ``RemoteAction`` of this process validate with the compiled schema."""
    RemoteAction._validate_action_result = validate_action_result


def uninstall_compiled_action_schema() -> None:
    """Rasa's own check again (tests share their process with other tests)."""
    RemoteAction._validate_action_result = _RASA_VALIDATION
