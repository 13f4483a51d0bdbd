"""The per-class dev set and its grouped report: which kinds of writing the classifier misses.

Pure checks: the report's grouping and exact-match figure, and that the held-out set stays held
out (none of its lines in data/nlu) and covers every class it names. With the trained model: the
floors issue 9 sets on this set.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlu.classifier import Classification
from bot.nlu.evaluation import (
    LabelledCase,
    evaluate,
    evaluate_by_class,
    format_class_reports,
    load_cases,
)
from bot.settings import PROJECT_ROOT

DEV_CLASSES = PROJECT_ROOT / "tests" / "nlu" / "dev_classes.yml"
CLASSES = {"service_name", "no_keyword", "many_worries", "casual_dialect", "city_mention"}


def _case(text: str, cats: set[str], group: str | None) -> LabelledCase:
    return LabelledCase(text=text, categories=frozenset(cats), city=None, crisis=False, group=group)


def _guess(text: str, cats: list[str]) -> Classification:
    return Classification(text=text, categories=cats, city=None, crisis=False)


def test_a_class_field_is_read_and_cases_are_reported_per_class(tmp_path: Path) -> None:
    cases_file = tmp_path / "cases.yml"
    cases_file.write_text(
        "cases:\n"
        "- {text: a, cats: [housing], city: null, crisis: false, class: service_name}\n"
        "- {text: b, cats: [income, isolation], city: null, crisis: false, class: many_worries}\n"
        "- {text: c, cats: [debt], city: null, crisis: false}\n",
        encoding="utf-8",
    )
    cases = load_cases(cases_file)
    predictions = [_guess("a", ["housing"]), _guess("b", ["income"]), _guess("c", ["debt"])]

    by_class = evaluate_by_class(cases, predictions)

    assert set(by_class) == {"service_name", "many_worries"}
    assert by_class["service_name"].exact_match == 1.0
    assert by_class["many_worries"].exact_match == 0.0
    assert round(by_class["many_worries"].micro_f1, 3) == 0.667
    text = format_class_reports(by_class)
    assert "service_name" in text and "many_worries" in text and "exact" in text


def test_exact_match_counts_messages_whose_whole_category_set_is_right() -> None:
    cases = [_case("a", {"housing"}, None), _case("b", {"debt", "income"}, None)]
    report = evaluate(cases, [_guess("a", ["housing"]), _guess("b", ["debt"])])
    assert report.exact_match == 0.5


def _training_lines() -> set[str]:
    lines: set[str] = set()
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    lines.add(line.strip()[2:].strip())
    return lines


def test_the_class_dev_set_is_held_out_and_covers_each_class() -> None:
    cases = load_cases(DEV_CLASSES)
    sizes = Counter(case.group for case in cases)
    assert set(sizes) == CLASSES
    assert all(size >= 30 for size in sizes.values()), sizes
    leaked = {case.text for case in cases} & _training_lines()
    assert not leaked, leaked


@pytest.mark.slow
def test_the_bot_meets_the_floors_on_the_per_class_dev_set(classifier: Any) -> None:
    """Issue 9's floors on messages written the way residents write (held out): micro-F1 ≥ 0.93,
    exact category set ≥ 0.85, and the city right in ≥ 0.95 of them. Each class is printed so a
    failure says which kind of writing fell behind."""
    cases = load_cases(DEV_CLASSES)
    predictions = classifier.classify_all(case.text for case in cases)
    report = evaluate(cases, predictions)
    details = format_class_reports(evaluate_by_class(cases, predictions)) + "\n".join(report.errors)
    assert report.micro_f1 >= 0.93, details
    assert report.exact_match >= 0.85, details
    assert report.city_accuracy >= 0.95, details
