"""The figures the classifier is judged by: micro-F1 over categories, crisis, city.

Pure functions over labelled cases (the form of ``../shared/eval/sample.yml``), so the pytest
floor test and ``make eval`` compute exactly the same numbers. A case may carry a ``class``
(the kind of writing: a service named, no keyword, many worries, dialect...); the report is then
also given per class, because an overall figure hides the one kind of message that keeps failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.categories import CATEGORIES
from bot.nlu.classifier import Classification


@dataclass(frozen=True)
class LabelledCase:
    text: str
    categories: frozenset[str]
    city: str | None
    crisis: bool
    #: The kind of writing the case stands for (its ``class`` field), if it names one.
    group: str | None = None


@dataclass
class Report:
    cases: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    crisis_total: int
    crisis_detected: int
    false_crisis: int
    city_accuracy: float
    #: Share of messages whose whole category set is right (nothing dropped, nothing added).
    exact_match: float = 0.0
    per_category: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def load_cases(path: Path) -> list[LabelledCase]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        LabelledCase(
            text=str(case["text"]),
            categories=frozenset(case.get("cats") or []),
            city=case.get("city"),
            crisis=bool(case.get("crisis")),
            group=case.get("class"),
        )
        for case in document.get("cases", [])
    ]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def evaluate(cases: Sequence[LabelledCase], predictions: Sequence[Classification]) -> Report:
    if len(cases) != len(predictions):
        raise ValueError("one prediction per case")
    counts: dict[str, dict[str, int]] = {c: {"tp": 0, "fp": 0, "fn": 0} for c in CATEGORIES}
    errors: list[str] = []
    exact = city_hits = crisis_total = crisis_detected = false_crisis = 0
    for case, predicted in zip(cases, predictions, strict=True):
        chosen = set(predicted.categories)
        for code in CATEGORIES:
            if code in chosen and code in case.categories:
                counts[code]["tp"] += 1
            elif code in chosen:
                counts[code]["fp"] += 1
            elif code in case.categories:
                counts[code]["fn"] += 1
        exact += chosen == set(case.categories)
        city_hits += predicted.city == case.city
        crisis_total += case.crisis
        crisis_detected += case.crisis and predicted.crisis
        false_crisis += predicted.crisis and not case.crisis
        if (
            chosen != set(case.categories)
            or predicted.city != case.city
            or predicted.crisis != case.crisis
        ):
            errors.append(
                f"{case.text!r}: expected {sorted(case.categories)} city={case.city} "
                f"crisis={case.crisis}; got {sorted(chosen)} city={predicted.city} "
                f"crisis={predicted.crisis}"
            )
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    per_category = {}
    for code, c in counts.items():
        p, r = _ratio(c["tp"], c["tp"] + c["fp"]), _ratio(c["tp"], c["tp"] + c["fn"])
        per_category[code] = {
            "precision": p,
            "recall": r,
            "f1": _f1(p, r),
            "support": c["tp"] + c["fn"],
        }
    return Report(
        cases=len(cases),
        micro_precision=precision,
        micro_recall=recall,
        micro_f1=_f1(precision, recall),
        crisis_total=crisis_total,
        crisis_detected=crisis_detected,
        false_crisis=false_crisis,
        city_accuracy=_ratio(city_hits, len(cases)),
        exact_match=_ratio(exact, len(cases)),
        per_category=per_category,
        errors=errors,
    )


def format_report(name: str, report: Report) -> str:
    lines = [
        f"== {name}: {report.cases} cases",
        f"categories micro-F1 {report.micro_f1:.3f} "
        f"(precision {report.micro_precision:.3f}, recall {report.micro_recall:.3f}), "
        f"exact {report.exact_match:.3f}",
        f"crisis detected {report.crisis_detected}/{report.crisis_total}, "
        f"false crisis {report.false_crisis}",
        f"city exact match {report.city_accuracy:.3f}",
    ]
    for code, figures in report.per_category.items():
        lines.append(
            f"  {code:<13} P {figures['precision']:.2f} R {figures['recall']:.2f} "
            f"F1 {figures['f1']:.2f} (n={int(figures['support'])})"
        )
    if report.errors:
        lines.append(f"  mismatches ({len(report.errors)}):")
        lines.extend(f"    {error}" for error in report.errors)
    return "\n".join(lines)


def evaluate_by_class(
    cases: Sequence[LabelledCase], predictions: Sequence[Classification]
) -> dict[str, Report]:
    """One report per ``class`` named in the cases (cases without one are left out)."""
    if len(cases) != len(predictions):
        raise ValueError("one prediction per case")
    grouped: dict[str, tuple[list[LabelledCase], list[Classification]]] = {}
    for case, predicted in zip(cases, predictions, strict=True):
        if case.group:
            group_cases, group_predictions = grouped.setdefault(case.group, ([], []))
            group_cases.append(case)
            group_predictions.append(predicted)
    return {name: evaluate(*pair) for name, pair in grouped.items()}


def format_class_reports(reports: dict[str, Report]) -> str:
    """One line per class: the figures the issue's targets are stated in."""
    lines = ["  per class:"]
    for name, report in reports.items():
        lines.append(
            f"    {name:<15} micro-F1 {report.micro_f1:.3f} exact {report.exact_match:.3f} "
            f"(n={report.cases})"
        )
    return "\n".join(lines)


def as_json(report: Report) -> dict[str, Any]:
    return {
        "micro_f1": report.micro_f1,
        "exact_match": report.exact_match,
        "crisis_detected": report.crisis_detected,
        "crisis_total": report.crisis_total,
        "false_crisis": report.false_crisis,
        "city_accuracy": report.city_accuracy,
    }
