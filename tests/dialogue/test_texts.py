"""Residents' text: one wording everywhere, and no contact detail without a source."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.dialogue import texts
from bot.settings import PROJECT_ROOT

SHARED_REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"
PHONE = re.compile(r"(?<![\d-])(?:0\d{1,4}-\d{1,4}-\d{3,4}|\d{2}-\d{4}|0120-\d{3}-\d{3}|#\d{4})")
RESIDENT_TEXT_FILES = [
    PROJECT_ROOT / "domain.yml",
    PROJECT_ROOT / "bot" / "dialogue" / "texts.py",
    PROJECT_ROOT / "bot" / "intake" / "questions.py",
    PROJECT_ROOT / "bot" / "channels" / "line_texts.py",
    PROJECT_ROOT / "bot" / "web" / "texts.py",
    *sorted((PROJECT_ROOT / "bot" / "web" / "templates").glob("*.html")),
]


def test_the_greeting_is_the_same_from_rasa_and_from_the_actions():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"]["utter_greet"][0]["text"] == texts.GREETING


def test_no_phone_number_in_residents_text_lacks_a_source():
    sources = "".join(p.read_text(encoding="utf-8") for p in SHARED_REFERENCE.glob("*.md"))
    found = {
        (path.name, number)
        for path in RESIDENT_TEXT_FILES
        if path.exists()
        for number in PHONE.findall(path.read_text(encoding="utf-8"))
    }
    unsourced = {(name, number) for name, number in found if number not in sources}
    assert not unsourced, f"phone numbers with no source in ../shared/reference: {unsourced}"


def test_the_pattern_would_catch_an_invented_number(tmp_path: Path):
    assert PHONE.findall("お電話は 0836-99-9999 まで") == ["0836-99-9999"]


def test_how_to_reach_names_the_residents_worries_and_leaves_nothing_to_fill():
    """It said 「〇〇のことで相談したい」: a resident at night read the placeholder literally."""
    said = texts.how_to_reach(["借金", "仕事・お金"])
    assert "「借金」と「仕事・お金」のことで相談したいです" in said
    assert "〇" not in said and "〇" not in texts.how_to_reach([])
