"""The NLU measurements that need Rasa loaded, run in their own process by bench/nlu.py.

A separate process so that the bench driver never holds a model (1+ GB) while it measures the
servers' memory. Prints one JSON object on stdout.

    python -m bench.nlu_worker eval MODEL CASES.yml...   # the figures of `intake eval`
    python -m bench.nlu_worker tokenize N                # Sudachi tokenizer speed
"""

from __future__ import annotations

import json
import re
import sys
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import yaml

from bench.common import PROJECT_ROOT

# Rasa's entity annotation in training examples: [宇部市]{"entity": ...} or [宇部](city).
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def _evaluate(model: str, case_files: list[str]) -> dict[str, Any]:
    """``intake eval``'s own code (bot.nlu.classify_cli.run_eval), figures as JSON."""
    from bot.nlu.classifier import MessageClassifier
    from bot.nlu.classify_cli import _quiet_libraries
    from bot.nlu.evaluation import as_json, evaluate, load_cases

    _quiet_libraries()
    classifier = MessageClassifier(Path(model))
    figures: dict[str, Any] = {}
    try:
        for name in case_files:
            cases = load_cases(Path(name))
            predictions = classifier.classify_all(case.text for case in cases)
            report = evaluate(cases, predictions)
            figures[name] = {**as_json(report), "cases": report.cases}
    finally:
        classifier.close()
    return figures


def training_messages() -> list[str]:
    """Every example text of data/nlu/*.yml, annotations removed, in file order."""
    texts: list[str] = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ANNOTATION.sub(r"\1", line[2:]).strip())
    return [text for text in texts if text]


def _tokenize(count: int) -> dict[str, Any]:
    """Characters per second of the pipeline's tokenizer component and of the analyzer it
    wraps, over ``count`` messages: data/nlu examples cycled in file order."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.sudachi import SudachiAnalyzer
    from bot.nlu.tokenizer import SudachiTokenizer

    examples = training_messages()
    messages = list(islice(cycle(examples), count))
    characters = sum(len(text) for text in messages)
    tokenizer = SudachiTokenizer({**SudachiTokenizer.get_default_config(), "split_mode": "C"})
    analyzer = SudachiAnalyzer("C")
    for text in examples[:50]:  # warm: the dictionary is loaded, caches are filled
        tokenizer.tokenize(Message(data={"text": text}), "text")
    started = time.perf_counter()
    tokens = 0
    for text in messages:
        tokens += len(tokenizer.tokenize(Message(data={"text": text}), "text"))
    component = time.perf_counter() - started
    started = time.perf_counter()
    for text in messages:
        analyzer.analyze(text)
    raw = time.perf_counter() - started
    return {
        "messages": count,
        "distinct_examples": len(examples),
        "characters": characters,
        "tokens": tokens,
        "component_seconds": component,
        "analyzer_seconds": raw,
    }


def main(argv: list[str]) -> int:
    """Entry point: ``eval MODEL CASES...`` or ``tokenize N``."""
    if len(argv) >= 3 and argv[0] == "eval":
        result = _evaluate(argv[1], argv[2:])
    elif len(argv) == 2 and argv[0] == "tokenize":
        result = _tokenize(int(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
