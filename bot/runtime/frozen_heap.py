"""The loaded model's objects are moved out of the garbage collector's sight.

Why: a Rasa server holds some 600,000 container objects once the model is loaded
(TensorFlow, scikit-learn, the domain, Sudachi's dictionary wrappers), and they live as long
as the process. CPython's full collection walks every one of them: measured in the server
under load (gc callbacks, issue 11), a full collection every ~17 s at saturation, each
stopping the event loop for 250–290 ms; every resident whose message arrived then waited
that long, and the walks cost ~1.6 % of the instance's CPU. They find nothing: the model's
objects are never garbage.

After the model loads, one collection clears what loading left behind, and ``gc.freeze()``
moves every surviving object to the permanent generation, which collections skip. Objects
made per message are collected as before; reference counting still frees any object,
frozen or not. Before a model is replaced (Rasa's ``PUT /model``) the heap is unfrozen, so
that the old model's cycles can be collected.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

_RASA_LOAD_MODEL = Agent.load_model


def _load_model(self: Agent, model_path: str | Path, fingerprint: str | None = None) -> None:
    gc.unfreeze()
    _RASA_LOAD_MODEL(self, model_path, fingerprint)
    gc.collect()
    gc.freeze()
    logger.info("Model loaded; %d objects frozen out of garbage collection", gc.get_freeze_count())


def install_frozen_heap() -> None:
    """Freeze the heap after each model load (see the module docstring); idempotent."""
    Agent.load_model = _load_model


def uninstall_frozen_heap() -> None:
    """Rasa's own model loading again, and a heap the collector sees whole (tests)."""
    Agent.load_model = _RASA_LOAD_MODEL
    gc.unfreeze()


__all__ = ["install_frozen_heap", "uninstall_frozen_heap"]
