"""CountVectorsFeaturizer over katakana readings instead of lemmas.

Sudachi's normalized form does not join kana and kanji spellings (しゃっきん stays apart from
借金) and splits unknown kana oddly (しゃっ/き/ん), but readings concatenate back to シャッキン.
With ``analyzer: char_wb`` the character n-grams of the readings therefore fire the same
features for 借金, しゃっきん and ｼｬｯｷﾝ::

    - name: bot.nlu.reading_featurizer.ReadingCountVectorsFeaturizer
      analyzer: char_wb
      min_ngram: 1
      max_ngram: 4

Sudachi cuts kana it does not know into fragments (しゃっ/き/ん) and the parent joins token
strings with spaces, so ``char_wb`` n-grams would stop at シャッ. For the character analyzers
the TEXT readings are therefore joined *without* spaces when building the vocabulary and the
sentence features, so シャッキ and ッキン fire for every spelling. Sequence (per-token) features
are unchanged: one row per token, as DIET expects.

A message of several sentences also gets each sentence's reading features, built exactly as
its sentence features are (``SENTENCE_READING_FEATURES``): the worry classifier reads long
messages sentence by sentence, and this featurizer is the only place those n-grams can be made.

Only the TEXT attribute changes; intents and responses are featurized as by the parent.
Persistence is inherited: the vocabulary stores reading n-grams and loads through ``cls``.
"""

from __future__ import annotations

import unicodedata

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalize import hiragana_to_katakana
from bot.nlu.segments import sentence_spans

__all__ = ["SENTENCE_READING_FEATURES", "ReadingCountVectorsFeaturizer", "token_reading"]

#: Message key: ``[(start, end, features), ...]`` for each sentence of a multi-sentence message,
#: ``features`` a 1-row sparse matrix in this featurizer's columns. Not part of the parse output.
SENTENCE_READING_FEATURES = "sentence_reading_features"


def token_reading(token: Token) -> str:
    """The token's katakana reading; tokens from other tokenizers fall back to their surface."""
    reading = token.get("reading")
    if reading:
        return str(reading)
    return hiragana_to_katakana(unicodedata.normalize("NFKC", token.text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class ReadingCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Count vectors built from token readings for TEXT (``use_lemma`` is ignored there)."""

    def _get_message_tokens_by_attribute(self, message: Message, attribute: str) -> list[str]:
        """Readings for TEXT tokens; the parent's lemma/text choice for other attributes."""
        if attribute != TEXT:
            return super()._get_message_tokens_by_attribute(message, attribute)
        tokens: list[Token] = message.get(TOKENS_NAMES[TEXT]) or []
        return [token_reading(token) for token in tokens]

    def _joins_readings(self, attribute: str) -> bool:
        """Character analyzers on TEXT see the message as one reading string."""
        return attribute == TEXT and self.analyzer != "word"

    def _convert_attribute_tokens_to_texts(
        self, attribute_tokens: dict[str, list[list[str]]]
    ) -> dict[str, list[str]]:
        """Training texts: TEXT readings joined without spaces (see module docstring)."""
        return {
            attribute: [
                ("" if self._joins_readings(attribute) else " ").join(tokens)
                for tokens in token_lists
            ]
            for attribute, token_lists in attribute_tokens.items()
        }

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[scipy.sparse.spmatrix | None], list[scipy.sparse.spmatrix | None]]:
        """Parent's features, with TEXT sentence features from the space-free reading."""
        sequence_features, sentence_features = super()._create_features(attribute, all_tokens)
        vectorizer = self.vectorizers.get(attribute)
        if not self._joins_readings(attribute) or vectorizer is None:
            return sequence_features, sentence_features
        joined: list[scipy.sparse.spmatrix | None] = []
        for tokens in all_tokens:
            if not tokens:
                joined.append(None)
                continue
            sentence = vectorizer.transform(["".join(tokens)])
            sentence.sort_indices()
            joined.append(sentence.tocoo())
        return sequence_features, joined

    def process(self, messages: list[Message]) -> list[Message]:
        """The parent's features, plus each sentence's reading features for long messages."""
        messages = super().process(messages)
        vectorizer = self.vectorizers.get(TEXT)
        if not self._joins_readings(TEXT) or vectorizer is None:
            return messages
        for message in messages:
            tokens: list[Token] = message.get(TOKENS_NAMES[TEXT]) or []
            spans = sentence_spans(message.get(TEXT) or "")
            if len(spans) < 2 or not tokens:
                continue
            sentences = []
            for begin, end in spans:
                inside = [token_reading(t) for t in tokens if begin <= t.start < end]
                if inside:
                    row = vectorizer.transform(["".join(inside)]).tocsr()
                    sentences.append((begin, end, row))
            message.set(SENTENCE_READING_FEATURES, sentences)
        return messages
