"""The classifier as analysts and the bot use it: figures on labelled data, bad input, speed.

Uses the trained model (``make test`` trains it first).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest

from bot.nlu.classify_cli import classify_stream
from bot.nlu.evaluation import evaluate, load_cases
from bot.settings import PROJECT_ROOT
from tests.nlu.conftest import MODEL, SHARED

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "cases_file",
    [SHARED / "eval" / "sample.yml", PROJECT_ROOT / "tests" / "nlu" / "dev_cases.yml"],
    ids=["shared-sample", "dev-set"],
)
def test_classifier_meets_the_acceptance_floors(classifier, cases_file):
    """Micro-F1 ≥ 0.85, every crisis caught, false alarms ≤ 2 %, city exact match ≥ 0.95.

    The older dev file labels a few abuse messages that describe danger now (an ex waiting at
    the door) as no crisis; the crisis dev set (test_crisis_dev.py) is the measure of false
    alarms. On the 30-line shared sample 2 % allows none.
    """
    cases = load_cases(cases_file)
    report = evaluate(cases, classifier.classify_all(c.text for c in cases))
    details = "\n".join(report.errors)
    assert report.micro_f1 >= 0.85, details
    assert report.crisis_detected == report.crisis_total, details
    assert report.false_crisis <= 0.02 * report.cases, details
    assert report.city_accuracy >= 0.95, details


def test_three_worries_in_one_message_yield_all_three(classifier):
    result = classifier.classify("母の介護で仕事を辞めて収入がなくなり、カードの借金も返せません")
    assert {"elderly_care", "income", "debt"} <= set(result.categories)


def test_kana_only_and_half_width_spellings_meet_the_kanji_ones(classifier):
    for text in ("しゃっきんがかえせない", "ｼｬｯｷﾝが返せない", "借金が返せない"):
        assert "debt" in classifier.classify(text).categories, text


@pytest.mark.parametrize(
    "text,city",
    [
        ("山口県の宇部で一人暮らしです。話し相手がいません", "ube"),
        ("富士宮市に住んでいて、家賃が払えません", None),
        ("富士市在住です。家賃が払えません", "fuji"),
        ("東久留米市です。借金があります", None),
    ],
)
def test_city_is_one_of_the_four_or_null(classifier, text, city):
    assert classifier.classify(text).city == city


def test_out_of_scope_and_hyperbole_yield_no_category_and_no_crisis(classifier):
    for text in ("住民票の写しはどこでもらえますか", "昨日は死ぬほど笑った"):
        result = classifier.classify(text)
        assert result.categories == [] and result.crisis is False, text


def test_bad_lines_get_an_error_line_in_order_and_nothing_is_lost(classifier):
    source = io.StringIO(
        "\n".join(
            [
                json.dumps({"text": "家賃が払えません"}, ensure_ascii=False),
                "{not json",
                json.dumps({"text": ""}),
                json.dumps({"txt": "wrong key"}),
                json.dumps({"text": "😢😢😢"}),
                json.dumps({"text": "<script>alert(1)</script>借金"}, ensure_ascii=False),
                json.dumps({"text": "/restart"}),
                json.dumps({"text": "ﾔﾁﾝｶﾞﾊﾗｴﾅｲ"}, ensure_ascii=False),
            ]
        )
    )
    sink = io.StringIO()
    failures = classify_stream(classifier, source, sink)
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert failures == 2
    assert len(lines) == 8
    assert lines[0]["categories"] == ["housing"]
    assert lines[1] == {"line": 2, "error": lines[1]["error"]} and "JSON" in lines[1]["error"]
    assert lines[2]["categories"] == [] and lines[2]["crisis"] is False
    assert "error" in lines[3]
    assert lines[4]["categories"] == []
    assert lines[5]["text"] == "<script>alert(1)</script>借金"
    assert lines[6]["text"] == "/restart"  # an intent payload is classified as text
    assert "housing" in lines[7]["categories"]


def test_two_hundred_messages_take_under_thirty_seconds_after_loading(classifier):
    texts = [f"{i}年前から家賃と借金の返済に困っています" for i in range(200)]
    started = time.perf_counter()
    results = classifier.classify_all(texts)
    elapsed = time.perf_counter() - started
    assert len(results) == 200
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_a_ten_thousand_character_message_is_classified(classifier):
    result = classifier.classify("家賃が払えません。" * 1100)
    assert "housing" in result.categories


def test_the_console_script_reads_stdin_and_writes_json_lines():
    """`intake classify` as analysts run it: one JSON line per input, in order."""
    lines = "\n".join(
        json.dumps({"text": t}, ensure_ascii=False) for t in ["借金で困っています", "こんにちは"]
    )
    completed = subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify", "--model", str(MODEL)],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    outputs = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [o["text"] for o in outputs] == ["借金で困っています", "こんにちは"]
    assert outputs[0]["categories"] == ["debt"]
    assert set(outputs[0]["confidence"]) >= {"debt", "housing"}
    assert outputs[1]["categories"] == []
