"""The Rasa tokenizer component: spans, lemmas, token data and intent splitting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tokenizer import SudachiTokenizer


def make_tokenizer(**overrides: Any) -> SudachiTokenizer:
    config = {**SudachiTokenizer.get_default_config(), **overrides}
    return SudachiTokenizer(config)


@pytest.fixture(scope="module")
def tokenizer() -> SudachiTokenizer:
    return make_tokenizer(intent_tokenization_flag=True)


def test_component_is_japanese_and_splits_intents_on_plus_by_default() -> None:
    """Config can name the component for ``language: ja``; ``_`` is not a split symbol."""
    assert "ja" in (SudachiTokenizer.supported_languages() or [])
    defaults = SudachiTokenizer.get_default_config()
    assert defaults["intent_split_symbol"] == "+"
    assert defaults["split_mode"] == "C"


def test_create_reads_split_mode_from_config(tmp_path: Path) -> None:
    """The graph's ``create`` builds the component with the configured split mode."""
    config = {**SudachiTokenizer.get_default_config(), "split_mode": "A"}
    component = SudachiTokenizer.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("tok"),
        ExecutionContext(GraphSchema({}), "tok"),
    )
    assert isinstance(component, SudachiTokenizer)
    words = [t.text for t in component.tokenize(Message(data={TEXT: "支援制度"}), TEXT)]
    assert words == ["支援", "制度"]


def test_tokens_have_exact_spans_lemma_reading_and_pos(tokenizer: SudachiTokenizer) -> None:
    """Spans slice the sent text; lemma is Sudachi's normalized form; data has reading/pos."""
    text = "ｶﾞｽ代が払えない😢 ＬＩＮＥで相談"
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert [t.text for t in tokens] == [
        "ｶﾞｽ代",
        "が",
        "払え",
        "ない",
        "😢",
        "ＬＩＮＥ",
        "で",
        "相談",
    ]
    for token in tokens:
        assert text[token.start : token.end] == token.text
    by_text = {t.text: t for t in tokens}
    assert by_text["払え"].lemma == "払う"
    assert by_text["ｶﾞｽ代"].lemma == "ガス代"
    assert by_text["ｶﾞｽ代"].get("reading") == "ガスダイ"
    assert by_text["払え"].get("pos").startswith("動詞")
    assert by_text["ＬＩＮＥ"].get("reading") == "ライン"


def test_kana_verb_lemma(tokenizer: SudachiTokenizer) -> None:
    """ひきこもってる gets the lemma 引き籠もる, so word features meet the kanji spelling."""
    tokens = tokenizer.tokenize(Message(data={TEXT: "ひきこもってる"}), TEXT)
    assert tokens[0].lemma == "引き籠もる"


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_gives_no_tokens(tokenizer: SudachiTokenizer, text: str) -> None:
    """An empty or blank message is tokenised to nothing instead of crashing."""
    assert tokenizer.tokenize(Message(data={TEXT: text}), TEXT) == []
    (message,) = tokenizer.process([Message(data={TEXT: text})])
    assert message.get(TOKENS_NAMES[TEXT]) == []


def test_emoji_only(tokenizer: SudachiTokenizer) -> None:
    """A message of emoji (LINE stickers often arrive as such) still yields tokens."""
    tokens = tokenizer.tokenize(Message(data={TEXT: "😢🙏"}), TEXT)
    assert "".join(t.text for t in tokens) == "😢🙏"


def test_long_text(tokenizer: SudachiTokenizer) -> None:
    """10,000 characters of pasted text tokenise with exact spans up to the last token."""
    text = ("ｶﾞｽ代が払えない。LINEで相談したい。" * 600)[:10_000]
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert tokens[-1].end == len(text)


def test_process_splits_multi_intent_on_plus_only(tokenizer: SudachiTokenizer) -> None:
    """housing+debt becomes two intent tokens; elderly_care stays one."""
    data = TrainingData(
        [
            Message(data={TEXT: "家賃も借金もある", INTENT: "housing+debt"}),
            Message(data={TEXT: "親の介護が大変", INTENT: "elderly_care"}),
        ]
    )
    tokenizer.process_training_data(data)
    multi, single = data.training_examples
    assert [t.text for t in multi.get(TOKENS_NAMES[INTENT])] == ["housing", "debt"]
    assert [t.text for t in single.get(TOKENS_NAMES[INTENT])] == ["elderly_care"]
    assert [t.text for t in single.get(TOKENS_NAMES[TEXT])][:3] == ["親", "の", "介護"]


def test_token_pattern_is_applied() -> None:
    """The standard ``token_pattern`` option still splits tokens further."""
    tokenizer = make_tokenizer(token_pattern=r"\w")
    text = "LINEで相談"
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert [t.text for t in tokens] == ["L", "I", "N", "E", "で", "相", "談"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
