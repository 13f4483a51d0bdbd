"""NLU figures: the Sudachi pipeline against a character n-gram one, and tokenizer speed.

The char-n-gram pipeline is derived from config.yml when the bench runs, so it follows every
change to config.yml: the Sudachi-based word and reading featurizers are replaced by one
CountVectorsFeaturizer on surface character n-grams (``char_wb``, ``use_lemma: false``);
every other component and setting stays as config.yml has it. Rasa needs a tokenizer before
any featurizer and none of its own handles Japanese, so the Sudachi tokenizer stays: its token
boundaries only decide where ``char_wb`` pads n-grams with spaces.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.common import MODEL, PROJECT_ROOT, VENV_BIN, WORK_ROOT, Plan, progress

DEV_SETS = ("tests/nlu/dev_cases.yml", "tests/nlu/dev_classes.yml")
CHAR_FEATURIZER: dict[str, Any] = {
    "name": "CountVectorsFeaturizer",
    "analyzer": "char_wb",
    "min_ngram": 1,
    "max_ngram": 4,
    "use_lemma": False,
}
# Featurizers whose features come from Sudachi's analysis (lemma, reading, part of speech).
_SUDACHI_FEATURIZERS = (
    "bot.nlu.reading_featurizer.ReadingCountVectorsFeaturizer",
    "LexicalSyntacticFeaturizer",
)
# What training reads (the Makefile's TRAINING_INPUTS): a cached char model is reused only
# while none of these changed.
_TRAINING_INPUTS = ("domain.yml", "data/nlu/*.yml", "data/crisis/*.yml", "bot/nlu/*.py")


def _is_sudachi_featurizer(component: dict[str, Any]) -> bool:
    name = str(component.get("name", ""))
    if name in _SUDACHI_FEATURIZERS:
        return True
    # A word CountVectorsFeaturizer counts Sudachi's tokens (their lemma by default).
    return name == "CountVectorsFeaturizer" and component.get("analyzer", "word") == "word"


def char_ngram_config(config: dict[str, Any], epochs: int | None = None) -> dict[str, Any]:
    """config.yml with its Sudachi-based featurizers replaced by one char_wb n-gram
    featurizer at the place of the first; ``epochs`` (quick mode only) shortens DIET."""
    pipeline: list[dict[str, Any]] = []
    replaced = False
    for component in config["pipeline"]:
        if _is_sudachi_featurizer(component):
            if not replaced:
                pipeline.append(dict(CHAR_FEATURIZER))
                replaced = True
            continue
        component = dict(component)
        if epochs is not None and component.get("name") == "DIETClassifier":
            component["epochs"] = epochs
        pipeline.append(component)
    if not replaced:
        raise ValueError("config.yml has no Sudachi-based featurizer to replace")
    return {**config, "pipeline": pipeline}


def _inputs_digest(derived: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(derived, sort_keys=True).encode())
    for pattern in _TRAINING_INPUTS:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def rasa_env() -> dict[str, str]:
    """The Makefile's environment for Rasa: HOME inside var/, no telemetry, quiet logs."""
    home = PROJECT_ROOT / "var" / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "HOME": str(home),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TQDM_DISABLE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONWARNINGS": "ignore",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


@dataclass
class CharModel:
    """The trained char-n-gram NLU model and how it was obtained."""

    path: Path
    config: dict[str, Any]
    train_seconds: float | None  # None: reused from an earlier bench run (same inputs)


def train_char_model(plan: Plan) -> CharModel:
    """Train the char-n-gram pipeline NLU-only (cached in var/bench/ by input digest)."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    derived = char_ngram_config(config, plan.char_epochs)
    cache = WORK_ROOT / "char-models"
    cache.mkdir(parents=True, exist_ok=True)
    name = f"char-{_inputs_digest(derived)}"
    model = cache / f"{name}.tar.gz"
    if model.exists():
        progress(f"char-n-gram model: reusing {model.relative_to(PROJECT_ROOT)} (same inputs)")
        return CharModel(model, derived, None)
    with tempfile.TemporaryDirectory(dir=WORK_ROOT) as tmp:
        config_path = Path(tmp) / "config-char.yml"
        config_path.write_text(yaml.safe_dump(derived, allow_unicode=True), encoding="utf-8")
        command = [
            str(VENV_BIN / "rasa"),
            "train",
            "nlu",
            "--config",
            str(config_path),
            "--nlu",
            "data",
            "--domain",
            "domain.yml",
            "--out",
            tmp,
            "--fixed-model-name",
            name,
        ]
        progress("char-n-gram model: training NLU only (log: var/bench/train-char.log)")
        started = time.monotonic()
        with (WORK_ROOT / "train-char.log").open("wb") as log:
            subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                env=rasa_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        seconds = time.monotonic() - started
        produced = Path(tmp) / f"{name}.tar.gz"
        produced.replace(model)
    progress(f"char-n-gram model: trained in {seconds:.0f} s")
    return CharModel(model, derived, seconds)


def _worker(*args: str) -> dict[str, Any]:
    """Run bench.nlu_worker in the project's venv; its last stdout line is JSON."""
    finished = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bench.nlu_worker", *args],
        cwd=PROJECT_ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench.nlu_worker {args[0]} failed:\n{finished.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def evaluate(model: Path) -> dict[str, Any]:
    """``intake eval``'s figures of ``model`` on the dev sets, per file."""
    progress(f"NLU eval of {model.name} on {', '.join(DEV_SETS)}")
    return _worker("eval", str(model), *DEV_SETS)


def tokenizer_speed(messages: int) -> dict[str, Any]:
    """Characters per second of the Sudachi tokenizer over ``messages`` messages."""
    progress(f"tokenizer speed over {messages} messages")
    return _worker("tokenize", str(messages))


def nlu_figures(plan: Plan) -> dict[str, Any]:
    """Both pipelines' dev-set figures and the tokenizer speed."""
    char = train_char_model(plan)
    return {
        "sudachi": evaluate(MODEL),
        "char": evaluate(char.path),
        "char_model": char,
        "tokenizer": tokenizer_speed(plan.tokenizer_messages),
    }
