"""Reading-based count vectors: kana and kanji spellings share features; model round-trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.reading_featurizer import ReadingCountVectorsFeaturizer, token_reading
from bot.nlu.tokenizer import SudachiTokenizer

CHAR_CONFIG = {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}
EXAMPLES = [
    ("借金があります", "debt"),
    ("消費者金融から借りた", "debt"),
    ("家賃が払えない", "housing"),
    ("ひきこもりの息子がいる", "hikikomori"),
    ("家賃も借金もある", "housing+debt"),
]


@pytest.fixture(scope="module")
def tokenizer() -> SudachiTokenizer:
    return SudachiTokenizer(
        {**SudachiTokenizer.get_default_config(), "intent_tokenization_flag": True}
    )


def make_featurizer(
    cls: type[CountVectorsFeaturizer], tmp_path: Path, **config: Any
) -> CountVectorsFeaturizer:
    full = {**cls.get_default_config(), **config}
    tmp_path.mkdir(parents=True, exist_ok=True)
    return cls.create(
        full, LocalModelStorage(tmp_path), Resource("cvf"), ExecutionContext(GraphSchema({}), "cvf")
    )


def training_data(tokenizer: SudachiTokenizer) -> TrainingData:
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in EXAMPLES])
    return tokenizer.process_training_data(data)


def sentence_columns(
    featurizer: CountVectorsFeaturizer, tokenizer: SudachiTokenizer, text: str
) -> set[int]:
    (message,) = featurizer.process(tokenizer.process([Message(data={TEXT: text})]))
    _, sentence = message.get_sparse_features(TEXT)
    assert sentence is not None
    return set(sentence.features.tocoo().col.tolist())


def test_vocabulary_is_built_from_readings(tokenizer: SudachiTokenizer, tmp_path: Path) -> None:
    """TEXT n-grams are katakana readings, not lemmas: シャッ is in, 借金 is not."""
    featurizer = make_featurizer(ReadingCountVectorsFeaturizer, tmp_path, **CHAR_CONFIG)
    featurizer.train(training_data(tokenizer))
    vocabulary = featurizer.vectorizers[TEXT].vocabulary_
    assert "シャッ" in vocabulary
    assert not any("借" in ngram for ngram in vocabulary)


def test_kana_and_kanji_spellings_fire_the_same_features(
    tokenizer: SudachiTokenizer, tmp_path: Path
) -> None:
    """借金 and しゃっきん / ｼｬｯｷﾝ share n-gram features; the lemma featurizer shares only
    the particles, which is why this component exists."""
    reading = make_featurizer(ReadingCountVectorsFeaturizer, tmp_path / "r", **CHAR_CONFIG)
    reading.train(training_data(tokenizer))
    kanji = sentence_columns(reading, tokenizer, "借金があります")
    kana = sentence_columns(reading, tokenizer, "しゃっきんがあります")
    half = sentence_columns(reading, tokenizer, "ｼｬｯｷﾝがあります")
    debt_ngrams = {reading.vectorizers[TEXT].vocabulary_[g] for g in ("シャッキ", "ッキン")}
    assert debt_ngrams <= kanji & kana & half

    lemma = make_featurizer(CountVectorsFeaturizer, tmp_path / "l", **CHAR_CONFIG)
    lemma.train(training_data(tokenizer))
    lemma_vocab = lemma.vectorizers[TEXT].vocabulary_
    shared = sentence_columns(lemma, tokenizer, "借金があります") & sentence_columns(
        lemma, tokenizer, "しゃっきんがあります"
    )
    assert not {lemma_vocab[g] for g in lemma_vocab if "借金" in g} & shared


def test_intent_attribute_is_featurized_like_the_parent(
    tokenizer: SudachiTokenizer, tmp_path: Path
) -> None:
    """With the word analyzer, intents keep their names (split on +), not readings."""
    featurizer = make_featurizer(ReadingCountVectorsFeaturizer, tmp_path)
    featurizer.train(training_data(tokenizer))
    assert set(featurizer.vectorizers[INTENT].vocabulary_) == {"debt", "housing", "hikikomori"}
    assert "シャッキン" in featurizer.vectorizers[TEXT].vocabulary_


def test_round_trip_through_model_storage(tokenizer: SudachiTokenizer, tmp_path: Path) -> None:
    """A loaded featurizer (as in `rasa run`) is this class and gives identical features."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("reading_cvf")
    context = ExecutionContext(GraphSchema({}), "reading_cvf")
    config = {**ReadingCountVectorsFeaturizer.get_default_config(), **CHAR_CONFIG}
    trained = ReadingCountVectorsFeaturizer.create(config, storage, resource, context)
    trained.train(training_data(tokenizer))

    loaded = ReadingCountVectorsFeaturizer.load(config, storage, resource, context)
    assert isinstance(loaded, ReadingCountVectorsFeaturizer)
    assert loaded.vectorizers[TEXT].vocabulary_ == trained.vectorizers[TEXT].vocabulary_
    for text in ["しゃっきんがあります", "家賃が払えない"]:
        (a,) = trained.process(tokenizer.process([Message(data={TEXT: text})]))
        (b,) = loaded.process(tokenizer.process([Message(data={TEXT: text})]))
        seq_a, sent_a = a.get_sparse_features(TEXT)
        seq_b, sent_b = b.get_sparse_features(TEXT)
        assert seq_a is not None and seq_b is not None
        assert sent_a is not None and sent_b is not None
        assert np.array_equal(seq_a.features.toarray(), seq_b.features.toarray())
        assert np.array_equal(sent_a.features.toarray(), sent_b.features.toarray())


def test_tokens_without_reading_fall_back_to_katakana_surface() -> None:
    """Tokens from another tokenizer (no reading) are NFKC-normalised and katakana-fied."""
    assert token_reading(Token("ひきこもり", 0)) == "ヒキコモリ"
    assert token_reading(Token("ｼｬｯｷﾝ", 0)) == "シャッキン"
    assert token_reading(Token("借金", 0, data={"reading": "シャッキン"})) == "シャッキン"


def test_sequence_features_keep_one_row_per_token(
    tokenizer: SudachiTokenizer, tmp_path: Path
) -> None:
    """Joining readings for sentence features must not change the per-token rows DIET reads."""
    featurizer = make_featurizer(ReadingCountVectorsFeaturizer, tmp_path, **CHAR_CONFIG)
    featurizer.train(training_data(tokenizer))
    (message,) = featurizer.process(tokenizer.process([Message(data={TEXT: "しゃっきんがある"})]))
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sequence is not None and sentence is not None
    assert sequence.features.shape[0] == len(message.get("text_tokens"))
    assert sentence.features.shape[0] == 1
