"""The service catalogue (data/services.yml): a resident who names a service or benefit instead
of the worry (「児童手当いつ？」「ｼｮｰﾄｽﾃｲ使いたい」) is understood as that worry.

Protects: every category has its services with a source; every service is taught to the model
through the training data under its categories; the reading lexicon knows the unambiguous
names in any spelling, without counting a name inside a longer one apart.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from bot.categories import CATEGORIES
from bot.nlu.categories import categories_of_intent
from bot.nlu.lexicon import lexicon_hits
from bot.nlu.normalize import fold
from bot.nlu.services import MIN_LEXICON_READING, Service, load_services
from bot.nlu.sudachi import SudachiAnalyzer
from bot.settings import PROJECT_ROOT

SERVICES = load_services()
ANALYZER = SudachiAnalyzer("C")


def reading(text: str) -> str:
    return ANALYZER.reading_text(text)


@functools.lru_cache(maxsize=1)
def _training_examples() -> list[tuple[str, set[str]]]:
    examples = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            wanted = set(categories_of_intent(item.get("intent")))
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- ") and wanted:
                    examples.append((fold(line.strip()[2:]), wanted))
    return examples


def test_every_category_has_services_each_with_a_source() -> None:
    for code in CATEGORIES:
        named = [s for s in SERVICES if code in s.categories]
        assert len(named) >= 7, (code, len(named))
    assert all(s.source.strip() for s in SERVICES)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_service_is_taught_under_its_categories(service: Service) -> None:
    """The model learns each name from at least one example labelled with all its worries."""
    spellings = {fold(s) for s in service.spellings}
    taught = [
        text
        for text, wanted in _training_examples()
        if set(service.categories) <= wanted and any(s in text for s in spellings)
    ]
    assert taught, f"{service.name} ({service.categories}) appears in no training example"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ｼｮｰﾄｽﾃｲ使いたい", {"elderly_care"}),
        ("じゅうきょかくほきゅうふきんってまだある？", {"housing"}),
        ("じどうてあていつふりこまれる", {"childcare"}),
        ("放課後等デイサービスに空きはありますか", {"childcare", "disability"}),
        ("母がデイサービスに行きたがらない", {"elderly_care"}),
        ("ハローワークに通っています", {"income"}),
    ],
)
def test_a_named_service_lifts_its_categories_in_any_spelling(
    message: str, expected: set[str]
) -> None:
    assert lexicon_hits(reading(message)) == expected


@pytest.mark.parametrize("message", ["四十歳になりました", "地域を見守りたい", "包括的な話です"])
def test_short_or_everyday_words_do_not_lift_a_category(message: str) -> None:
    assert lexicon_hits(reading(message)) == set()


def test_names_with_long_readings_are_all_in_the_lexicon() -> None:
    missing = [
        (service.name, service.categories)
        for service in SERVICES
        if len(reading(service.name).replace(" ", "")) >= MIN_LEXICON_READING
        and not set(service.categories) <= lexicon_hits(reading(service.name))
    ]
    assert not missing, missing


def test_a_malformed_entry_is_reported_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "services.yml"
    broken.write_text("services:\n  housing:\n    - name: 市営住宅\n", encoding="utf-8")
    with pytest.raises(ValueError, match="市営住宅"):
        load_services(broken)
