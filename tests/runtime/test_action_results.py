"""Every answer of the action server is still checked in full once the compiled schema is
installed: a well-formed answer passes, a malformed one is refused with Rasa's own error, and
the Rasa process gets the compiled check from the tracker store both endpoints files name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.privacy.logs import uninstall
from bot.runtime.action_results import (
    install_compiled_action_schema,
    uninstall_compiled_action_schema,
    validate_action_result,
)


@pytest.fixture
def action() -> Iterator[RemoteAction]:
    install_compiled_action_schema()
    try:
        yield RemoteAction("action_route_worry", EndpointConfig("http://127.0.0.1:1/webhook"))
    finally:
        uninstall_compiled_action_schema()


GOOD = {
    "events": [
        {"event": "slot", "name": "city", "value": "ube", "timestamp": None},
        {"event": "bot", "text": "宇部市の窓口です", "data": {}, "metadata": {}},
    ],
    "responses": [{"text": "こんにちは"}],
}


def test_a_well_formed_answer_passes(action: RemoteAction) -> None:
    """The usual answer (slots, bot messages, responses) goes through."""
    assert action._validate_action_result(GOOD) is True


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": "slot"}]},
        {"events": "not a list"},
        {"responses": "not a list"},
    ],
)
def test_a_malformed_answer_is_refused_with_rasas_message(action: RemoteAction, answer) -> None:
    """An answer Rasa would refuse is refused, with Rasa's explanation appended."""
    with pytest.raises(ValidationError) as refused:
        action._validate_action_result(answer)
    assert "Failed to validate Action server response" in refused.value.message


def test_building_the_tracker_store_installs_it(tmp_path) -> None:
    """The Rasa process gets the compiled check as soon as it builds its tracker store."""
    from bot.trackers.store import PrivateSQLTrackerStore

    uninstall_compiled_action_schema()
    assert RemoteAction._validate_action_result is not validate_action_result
    store = PrivateSQLTrackerStore(host=f"sqlite:///{tmp_path / 'trackers.sqlite3'}")
    try:
        assert RemoteAction._validate_action_result is validate_action_result
    finally:
        store.engine.dispose()
        uninstall()
        uninstall_compiled_action_schema()
