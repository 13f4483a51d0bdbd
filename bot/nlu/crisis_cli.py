"""``intake crisis-eval`` and ``intake crisis-cv``: the crisis figures, measured two ways.

* ``crisis-eval`` runs the trained bot model (the same pipeline residents meet: rules,
  classifier, abuse_dv worries) on the held-out dev set and prints recall and false crises.
* ``crisis-cv`` is how the threshold was chosen and the sentence embeddings were judged
  *without* the dev set: 5-fold cross-validation on the training data for each threshold,
  with and without embeddings, and the cost of each per message. ``--dev`` adds the dev-set
  figures of both variants, for the record only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from bot.settings import PROJECT_ROOT

DEV_DIR = PROJECT_ROOT / "tests" / "nlu" / "crisis_dev"
TRAINING_DIR = PROJECT_ROOT / "data" / "crisis"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
THRESHOLDS = (0.4, 0.5, 0.6, 0.65, 0.7, 0.8)


def run_crisis_eval(model: str | None, dev_dir: str, show: bool, sink: IO[str]) -> int:
    from bot.nlu.classifier import MessageClassifier
    from bot.nlu.classify_cli import _model_path, _quiet_libraries
    from bot.nlu.crisis_data import load_crisis_cases
    from bot.nlu.crisis_detection import LIFE_DANGER_KINDS, CrisisAssessment
    from bot.nlu.crisis_evaluation import evaluate_crisis, format_crisis_report

    _quiet_libraries()
    classifier = MessageClassifier(_model_path(model))
    cases = load_crisis_cases([Path(dev_dir)])
    started = time.perf_counter()
    results = classifier.classify_all(case.text for case in cases)
    elapsed = time.perf_counter() - started
    assessments = [
        CrisisAssessment(
            detected=bool(r.crisis_detail.get("detected")),
            kind=r.crisis_detail.get("kind"),
            kinds=tuple(r.crisis_detail.get("kinds") or ()),
            source=r.crisis_detail.get("source"),
        )
        for r in results
    ]
    report = evaluate_crisis(cases, assessments)
    sink.write(format_crisis_report(f"{dev_dir} (bot model)", report, show_misses=show) + "\n")
    life = [(c, r) for c, r in zip(cases, results, strict=True) if c.kind in LIFE_DANGER_KINDS]
    negatives = [r for c, r in zip(cases, results, strict=True) if not c.is_danger]
    sink.write(
        f"  life in danger now (the classify 'crisis' flag): "
        f"{sum(r.crisis for _, r in life)}/{len(life)} flagged, "
        f"{sum(r.crisis for r in negatives)}/{len(negatives)} negatives flagged\n"
    )
    sink.write(f"  classified {len(cases)} messages in {elapsed:.2f} s\n")
    classifier.close()
    return 0


def _cross_validate(
    texts: Sequence[str],
    kinds: Sequence[str],
    embedder: object | None,
    folds: int = 5,
) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    from bot.nlu.crisis_model import CrisisModel

    danger = np.zeros(len(texts))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=42)
    for train, test in splitter.split(np.zeros(len(kinds)), kinds):
        model = CrisisModel(embedder).fit(  # type: ignore[arg-type]
            [texts[i] for i in train],
            [kinds[i] for i in train],
            [None] * len(train),
            [None] * len(train),
        )
        for i, prediction in zip(test, model.predict([texts[i] for i in test]), strict=True):
            danger[i] = prediction.danger
    return danger


def run_crisis_cv(embeddings: bool, with_dev: bool, sink: IO[str]) -> int:
    from bot.nlu.crisis_data import load_crisis_cases, training_cases
    from bot.nlu.crisis_detection import assess
    from bot.nlu.crisis_evaluation import evaluate_crisis
    from bot.nlu.crisis_model import CrisisModel
    from bot.nlu.crisis_rules import find_crises

    cases = training_cases(TRAINING_DIR, NLU_DIR)
    texts = [c.text for c in cases]
    kinds = [c.kind for c in cases]
    positive = np.array([c.is_danger for c in cases])
    rule_hits = np.array([bool(find_crises(t)) for t in texts])
    sink.write(f"training data: {len(cases)} messages, {positive.sum()} dangers\n")
    variants: list[tuple[str, object | None]] = [("n-grams", None)]
    if embeddings:
        from bot.nlu.crisis_embedding import embed

        cache: dict[str, np.ndarray] = {}

        def cached(batch: Sequence[str]) -> np.ndarray:
            missing = [t for t in dict.fromkeys(batch) if t not in cache]
            if missing:
                cache.update(zip(missing, embed(missing), strict=True))
            return np.stack([cache[t] for t in batch])

        variants.append(("n-grams + e5", cached))
    dev = load_crisis_cases([DEV_DIR]) if with_dev else []
    for name, embedder in variants:
        danger = _cross_validate(texts, kinds, embedder)
        for threshold in THRESHOLDS:
            found = rule_hits | (danger >= threshold)
            sink.write(
                f"CV {name:13s} threshold {threshold:.2f}: recall {found[positive].mean():.3f}, "
                f"false crises {found[~positive].mean():.3f}\n"
            )
        if not dev:
            continue
        model = CrisisModel(embedder).fit(  # type: ignore[arg-type]
            texts, kinds, [c.about for c in cases], [c.victim for c in cases]
        )
        started = time.perf_counter()
        predictions = [model.predict([c.text])[0] for c in dev]
        per_message = (time.perf_counter() - started) / len(dev) * 1000
        for threshold in THRESHOLDS:
            report = evaluate_crisis(
                dev,
                [
                    assess(c.text, find_crises(c.text), p, threshold=threshold)
                    for c, p in zip(dev, predictions, strict=True)
                ],
            )
            sink.write(
                f"dev {name:13s} threshold {threshold:.2f}: recall {report.recall:.3f}, "
                f"false crises {report.false_rate:.3f}\n"
            )
        sink.write(f"dev {name:13s} {per_message:.1f} ms a message (one at a time)\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    evaluation = subparsers.add_parser(
        "crisis-eval", help="crisis recall and false crises of the bot model on the dev set"
    )
    evaluation.add_argument("--model", help="model archive (default: the latest in models/)")
    evaluation.add_argument("--dev", default=str(DEV_DIR), help="folder of dev-set YAML files")
    evaluation.add_argument(
        "--show", action="store_true", help="list missed and false messages (reading only)"
    )
    evaluation.set_defaults(
        handler=lambda args: run_crisis_eval(args.model, args.dev, args.show, sys.stdout)
    )

    cv = subparsers.add_parser(
        "crisis-cv", help="cross-validated crisis figures per threshold, with/without e5"
    )
    cv.add_argument("--embeddings", action="store_true", help="also try e5 sentence embeddings")
    cv.add_argument("--dev", action="store_true", help="also print dev-set figures (record only)")
    cv.set_defaults(handler=lambda args: run_crisis_cv(args.embeddings, args.dev, sys.stdout))
