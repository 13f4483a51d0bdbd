"""The trained model, loaded once for every test that needs the bot's real NLU."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def classifier() -> Iterator[object]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` trains it before pytest runs")
    from bot.nlu.classifier import MessageClassifier

    loaded = MessageClassifier(Path(MODEL))
    yield loaded
    loaded.close()


@pytest.fixture(scope="session", autouse=True)
def _quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level; keep failure output to what matters."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
