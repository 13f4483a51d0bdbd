"""Once the model is loaded, the garbage collector's full collections no longer walk its
objects: before, each one stopped the Rasa server for 250-290 ms every ~17 s under load
(every resident whose message arrived then waited that long)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent

from bot.runtime.frozen_heap import install_frozen_heap, uninstall_frozen_heap
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"


@pytest.fixture
def frozen() -> Iterator[None]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` trains it before pytest runs")
    install_frozen_heap()
    try:
        yield
    finally:
        uninstall_frozen_heap()


def test_a_full_collection_after_loading_the_model_walks_only_new_objects(frozen) -> None:
    agent = Agent.load(str(MODEL))
    frozen_objects = gc.get_freeze_count()
    assert frozen_objects > 100_000  # the model, the domain, the pipeline's components
    # What a full collection still walks: objects made since, not the model.
    assert len(gc.get_objects(generation=2)) < frozen_objects / 20
    # Loading another model unfreezes first: the old one's objects are not kept frozen twice.
    assert agent.processor is not None
    agent.load_model(agent.processor.model_path)
    assert gc.get_freeze_count() < 1.5 * frozen_objects
