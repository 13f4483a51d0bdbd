"""``intake export-nlu`` (issue 10): labelled inbox messages as Rasa NLU YAML for review.

Protected behaviour: the file loads with Rasa's own ``RasaYAMLReader``; category labels come
out under the training data's intent names (``housing``, ``housing+debt``), new needs under a
marked ``new_need_…`` intent; only the current label counts; only masked text is written (no
phone number or name typed by a resident); brackets cannot turn into entity markup; the city
and date filters hold; the command is reachable through ``intake``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.analytics.export_nlu import export_nlu
from bot.analytics.labels import LabelStore
from bot.analytics.migrate import upgrade_analytics
from bot.cli import main as intake
from bot.tickets.engine import make_engine
from tests.analytics.test_inbox import DAY, Rows


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    upgrade_analytics(url)
    return url


@pytest.fixture
def engine(url: str) -> Iterator[Any]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _intents(text: str) -> dict[str, list[str]]:
    data = RasaYAMLReader().reads(text)
    result: dict[str, list[str]] = {}
    for message in data.intent_examples:
        result.setdefault(message.get("intent"), []).append(message.get("text"))
    return result


def test_export_loads_in_rasa_with_training_intent_names(engine: Any) -> None:
    """Categories as in data/nlu, new needs marked; Rasa's reader loads every example."""
    rows = Rows(engine)
    store = LabelStore(engine)
    rent = rows.add("家のことで相談が")
    combo = rows.add("家賃も借金もどうにもならない")
    pet = rows.add("入院中に犬を預けるところがない")
    pet_again = rows.add("入院中に犬を預けるところがない")  # same text: written once
    rows.add("ラベルなしのメッセージ")
    store.label_message(rent, "housing", by="a")
    store.label_message(combo, "debt+housing", by="a")
    store.label_messages([pet, pet_again], "new:ペットの預け先", by="a")
    result = export_nlu(engine)
    loaded = _intents(result.yaml)
    assert loaded == {
        "housing": ["家のことで相談が"],
        "housing+debt": ["家賃も借金もどうにもならない"],
        "new_need_ペットの預け先": ["入院中に犬を預けるところがない"],
    }
    assert result.messages == 4
    assert yaml.safe_load(result.yaml)["version"] == "3.1"
    lines = result.yaml.splitlines()
    marker = lines.index("- intent: new_need_ペットの預け先") - 1
    assert lines[marker].startswith("# 新しいニーズ「ペットの預け先」")


def test_only_masked_text_is_written(engine: Any) -> None:
    """A phone number, an e-mail and a name typed by the resident never reach the file."""
    rows = Rows(engine)
    message = rows.add("山田花子です。090-1234-5678かtaro@example.jpに連絡を。犬の世話が心配")
    LabelStore(engine).label_message(message, "new:ペット", by="a")
    text = export_nlu(engine).yaml
    for raw in ("090-1234-5678", "taro@example.jp", "山田", "花子"):
        assert raw not in text
    example = _intents(text)["new_need_ペット"][0]
    assert "〔電話〕" in example and "〔メール〕" in example and "〔氏名〕" in example


def test_latest_label_only_and_brackets_are_not_entities(engine: Any) -> None:
    """Relabelled messages appear once, under the new label; [..](..) stays plain text."""
    rows = Rows(engine)
    message = rows.add("[至急](urgent) 家を\n出されそう")
    store = LabelStore(engine)
    store.label_message(message, "debt", by="a")
    store.label_message(message, "housing", by="b")
    text = export_nlu(engine).yaml
    data = RasaYAMLReader().reads(text)
    assert [m.get("intent") for m in data.intent_examples] == ["housing"]
    assert data.intent_examples[0].get("text") == "［至急］(urgent) 家を 出されそう"
    assert not data.entity_examples


def test_city_and_date_filters(engine: Any) -> None:
    """--city and --since/--until select by the message's city and JST date."""
    rows = Rows(engine)
    store = LabelStore(engine)
    ube = rows.add("宇部の相談")
    masuda = rows.add("益田の相談", city="masuda")
    old = rows.add("古い相談", day=DAY - timedelta(days=60))
    for message in (ube, masuda, old):
        store.label_message(message, "isolation", by="a")
    assert _intents(export_nlu(engine, city="ube").yaml) == {
        "isolation": ["宇部の相談", "古い相談"]
    }
    recent = export_nlu(engine, since=DAY - timedelta(days=7), until=DAY).yaml
    assert _intents(recent) == {"isolation": ["宇部の相談", "益田の相談"]}
    empty = export_nlu(engine, since=date(2030, 1, 1))
    assert empty.intents == {} and RasaYAMLReader().reads(empty.yaml).is_empty()


def test_intake_export_nlu_command(
    engine: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """`intake export-nlu --city --since --output` writes the file Rasa reads."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", url)
    rows = Rows(engine)
    LabelStore(engine).label_message(rows.add("草刈りを頼みたい"), "new:草刈り", by="a")
    output = tmp_path / "out" / "inbox_nlu.yml"
    status = intake(
        ["export-nlu", "--city", "ube", "--since", DAY.isoformat(), "--output", str(output)]
    )
    assert status == 0
    assert _intents(output.read_text(encoding="utf-8")) == {"new_need_草刈り": ["草刈りを頼みたい"]}
    assert "1 件" in capsys.readouterr().err
    assert intake(["inbox", "--city", "ube", "--all"]) == 0
    printed = capsys.readouterr().out
    assert "草刈り" in printed and "new:草刈り 1" in printed
