"""``intake classify`` and ``intake eval``.

``classify`` reads JSON lines ``{"text": ...}`` on stdin and writes one JSON line per input, in
order. A line that is not valid JSON, or has no string ``text``, gets a line with ``error``
instead of stopping the batch: an analyst re-classifying thousands of notes loses nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.settings import load_settings

if TYPE_CHECKING:
    from bot.nlu.classifier import MessageClassifier


def _quiet_libraries() -> None:
    """Keep stdout for results: library logs go to stderr, and only warnings and worse."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(message)s"
    )
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl", "sanic", "matplotlib", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _model_path(option: str | None) -> Path:
    from bot.nlu.classifier import latest_model

    return Path(option) if option else latest_model(load_settings().models_dir)


def _parse_line(line: str) -> tuple[str | None, str | None]:
    """The text of one input line, or the reason it cannot be classified."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg}"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, 'expected an object with a string "text"'
    return record["text"], None


def classify_stream(classifier: MessageClassifier, source: IO[str], sink: IO[str]) -> int:
    """Classify every JSON line of ``source`` into ``sink``; returns how many lines failed."""
    failures = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        text, error = _parse_line(line)
        if text is None:
            failures += 1
            output: dict[str, Any] = {"line": number, "error": error}
        else:
            output = classifier.classify(text).as_dict()
        sink.write(json.dumps(output, ensure_ascii=False) + "\n")
        sink.flush()
    return failures


def run_classify(model: str | None, source: IO[str], sink: IO[str]) -> int:
    from bot.nlu.classifier import MessageClassifier

    _quiet_libraries()
    classifier = MessageClassifier(_model_path(model))
    try:
        classify_stream(classifier, source, sink)
    finally:
        classifier.close()
    return 0


def run_eval(model: str | None, case_files: list[str], sink: IO[str]) -> int:
    from bot.nlu.classifier import MessageClassifier
    from bot.nlu.evaluation import (
        evaluate,
        evaluate_by_class,
        format_class_reports,
        format_report,
        load_cases,
    )

    _quiet_libraries()
    started = time.perf_counter()
    classifier = MessageClassifier(_model_path(model))
    sink.write(f"model loaded in {time.perf_counter() - started:.1f} s\n")
    for file_name in case_files:
        cases = load_cases(Path(file_name))
        started = time.perf_counter()
        predictions = classifier.classify_all(case.text for case in cases)
        elapsed = time.perf_counter() - started
        sink.write(format_report(file_name, evaluate(cases, predictions)) + "\n")
        by_class = evaluate_by_class(cases, predictions)
        if by_class:
            sink.write(format_class_reports(by_class) + "\n")
        sink.write(f"  classified {len(cases)} messages in {elapsed:.2f} s\n")
    classifier.close()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    classify = subparsers.add_parser(
        "classify", help='JSON lines {"text": ...} on stdin → categories, city, crisis'
    )
    classify.add_argument("--model", help="model archive (default: the latest in models/)")
    classify.set_defaults(handler=lambda args: run_classify(args.model, sys.stdin, sys.stdout))

    evaluation = subparsers.add_parser("eval", help="score the classifier on labelled cases")
    evaluation.add_argument("--model", help="model archive (default: the latest in models/)")
    evaluation.add_argument("--cases", nargs="+", required=True, help="YAML files of cases")
    evaluation.set_defaults(handler=lambda args: run_eval(args.model, args.cases, sys.stdout))
