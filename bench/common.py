"""What every bench module shares: paths, the size of each phase, progress lines.

``BENCH_QUICK=1`` shortens every phase (10 s loads, 50 sequential messages, a short char-n-gram
training) so the whole bench can be tried in a few minutes while developing; its figures are
noise and go to bench/results-quick.md, never to bench/results.md.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
LOCUST_VENV = PROJECT_ROOT / "bench" / ".venv-locust"
MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
WORK_ROOT = PROJECT_ROOT / "var" / "bench"

_STARTED = time.monotonic()


def progress(message: str) -> None:
    """A timestamped line on stderr: the full bench takes ~25 minutes, say where it is."""
    elapsed = time.monotonic() - _STARTED
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp} +{elapsed:5.0f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Plan:
    """How long each phase runs; the full plan is what bench/results.md is made with."""

    quick: bool
    #: Sequential phase: conversations × turns, one user, no think time.
    sequential_conversations: int
    turns: int
    #: Conversation-length phase: this many conversations (one at a time) of this many turns.
    #: Several, because a median of one conversation's 20 turns moved by 0.2× between runs
    #: of the same code while Rasa's CPU per turn stayed flat.
    long_conversations: int
    long_turns: int
    #: Seconds of each open-loop and saturation run.
    load_seconds: int
    #: Offered rates of the open-loop phase (msg/s).
    rates: tuple[int, ...]
    #: Think time of a resident in the open-loop phase: users = rate × think seconds.
    think_seconds: float
    #: Concurrent users without think time that saturate one instance / the scaled layout.
    saturation_users: int
    #: DIET epochs of the char-n-gram model: None keeps config.yml's.
    char_epochs: int | None
    #: Messages for the tokenizer speed.
    tokenizer_messages: int

    @property
    def results_file(self) -> Path:
        """Where the results go: quick runs never overwrite the committed figures."""
        name = "results-quick.md" if self.quick else "results.md"
        return PROJECT_ROOT / "bench" / name


def plan_from_env() -> Plan:
    """The full plan, or the quick one when ``BENCH_QUICK`` is set to 1/true/yes."""
    quick = os.environ.get("BENCH_QUICK", "").lower() in ("1", "true", "yes")
    if quick:
        return Plan(
            quick=True,
            sequential_conversations=5,
            turns=10,
            long_conversations=1,
            long_turns=40,
            load_seconds=10,
            rates=(10, 25, 40),
            think_seconds=4.0,
            saturation_users=8,
            char_epochs=5,
            tokenizer_messages=10_000,
        )
    return Plan(
        quick=False,
        sequential_conversations=50,
        turns=10,
        long_conversations=5,
        long_turns=120,
        load_seconds=60,
        rates=(10, 25, 40),
        think_seconds=4.0,
        saturation_users=8,
        char_epochs=None,
        tokenizer_messages=10_000,
    )
