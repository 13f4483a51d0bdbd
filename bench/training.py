"""Training time, cold: ``rasa train`` as ``make train`` runs it, with an empty Rasa cache.

Why not the last ``make train``'s log: Rasa reuses every component whose inputs did not
change (its cache: ``.rasa/cache`` under the working directory unless
``RASA_CACHE_DIRECTORY`` says otherwise), so after a config or domain edit ``make train`` took
23 s while a fresh clone takes minutes. The figure a city's operator meets after a data change
is the cold one, so the bench measures that: an empty temporary cache directory and HOME, the
project's config and data, the model written to a temporary directory (models/ is never
touched), timed from launch to exit (Rasa's imports included).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import PROJECT_ROOT, VENV_BIN, WORK_ROOT, progress
from bench.nlu import rasa_env


def cold_training_seconds(quick: bool) -> float | None:
    """Seconds of a full ``rasa train`` without cache; None in quick mode (it is not quick)."""
    if quick:
        return None
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK_ROOT, prefix="train-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        log = WORK_ROOT / "train-cold.log"
        progress(f"cold training: rasa train with an empty cache (log: {log})")
        command = [str(VENV_BIN / "rasa"), "train", "--out", str(work / "models")]
        started = time.monotonic()
        with log.open("wb") as sink:
            subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                # Rasa's cache is .rasa/cache under the working directory unless this is set.
                env={
                    **rasa_env(),
                    "HOME": str(work / "home"),
                    "RASA_CACHE_DIRECTORY": str(work / "cache"),
                },
                stdout=sink,
                stderr=subprocess.STDOUT,
                check=True,
            )
        seconds = time.monotonic() - started
        progress(f"cold training: {seconds:.0f} s")
        return seconds
