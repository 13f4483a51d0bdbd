"""Crisis figures on the held-out dev set: recall, false crises, and per kind, form and class.

Pure functions over (case, assessment) pairs, so ``make eval`` and the floor test in
``tests/nlu/test_crisis_dev.py`` compute the same numbers. By default the report gives counts
only; ``show_misses`` lists the missed and false messages for a person reading a run, never for
writing rules from (the dev set must stay held out).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.nlu.crisis_data import CrisisCase
from bot.nlu.crisis_detection import CrisisAssessment


@dataclass
class CrisisReport:
    positives: int
    detected: int
    negatives: int
    false_crises: int
    kind_correct: int
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind: (found, total)
    by_form: dict[str, tuple[int, int]] = field(default_factory=dict)
    false_by_class: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.positives if self.positives else 0.0

    @property
    def false_rate(self) -> float:
        return self.false_crises / self.negatives if self.negatives else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_correct / self.detected if self.detected else 0.0


def evaluate_crisis(
    cases: Sequence[CrisisCase], assessments: Sequence[CrisisAssessment]
) -> CrisisReport:
    if len(cases) != len(assessments):
        raise ValueError("one assessment per case")
    kind_hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    form_hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    false_hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sources: Counter[str] = Counter()
    report = CrisisReport(0, 0, 0, 0, 0)
    for case, decision in zip(cases, assessments, strict=True):
        if case.is_danger:
            report.positives += 1
            kind_hits[case.kind][1] += 1
            form_hits[case.form or "-"][1] += 1
            if decision.detected:
                report.detected += 1
                kind_hits[case.kind][0] += 1
                form_hits[case.form or "-"][0] += 1
                sources[decision.source or "-"] += 1
                # The kind counts as right when it is among those answered (first or alongside).
                report.kind_correct += case.kind in decision.kinds
            else:
                report.misses.append(f"[{case.kind}/{case.situation}] {case.text}")
        else:
            report.negatives += 1
            false_hits[case.situation or "-"][1] += 1
            if decision.detected:
                report.false_crises += 1
                false_hits[case.situation or "-"][0] += 1
                report.false_alarms.append(f"[{decision.kind}/{decision.source}] {case.text}")
    report.by_kind = {k: (v[0], v[1]) for k, v in sorted(kind_hits.items())}
    report.by_form = {k: (v[0], v[1]) for k, v in sorted(form_hits.items())}
    report.false_by_class = {k: (v[0], v[1]) for k, v in sorted(false_hits.items())}
    report.by_source = dict(sources)
    return report


def format_crisis_report(name: str, report: CrisisReport, show_misses: bool = False) -> str:
    lines = [
        f"== {name}: {report.positives} dangers, {report.negatives} hard negatives",
        f"crisis recall {report.recall:.3f} ({report.detected}/{report.positives}); "
        f"false crises {report.false_rate:.3f} ({report.false_crises}/{report.negatives}); "
        f"kind right {report.kind_accuracy:.3f}",
        "  recall by kind: "
        + ", ".join(f"{k} {found}/{total}" for k, (found, total) in report.by_kind.items()),
        "  recall by form: "
        + ", ".join(f"{k} {found}/{total}" for k, (found, total) in report.by_form.items()),
        "  false crises by class: "
        + ", ".join(f"{k} {hit}/{total}" for k, (hit, total) in report.false_by_class.items()),
        "  found by: " + ", ".join(f"{k} {n}" for k, n in sorted(report.by_source.items())),
    ]
    if show_misses:
        lines += [f"  missed: {text}" for text in report.misses]
        lines += [f"  false: {text}" for text in report.false_alarms]
    return "\n".join(lines)
