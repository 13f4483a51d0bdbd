"""Rasa tokenizer component backed by Sudachi, for ``language: ja``.

Rasa's WhitespaceTokenizer refuses Japanese and Jieba is Chinese-only, so the pipeline uses
this component::

    - name: bot.nlu.tokenizer.SudachiTokenizer
      split_mode: "C"

Tokens carry the Sudachi normalized form as ``lemma`` (so CountVectorsFeaturizer's default
``use_lemma`` joins 払え/払う and 引きこもっ/引き籠もる) and the katakana ``reading`` plus a
``pos`` tag in ``token.data`` for reading-based featurizers and LexicalSyntacticFeaturizer.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.sudachi import Morpheme, SudachiAnalyzer

__all__ = ["SudachiTokenizer"]


def _pos_tag(pos: tuple[str, ...]) -> str:
    """POS hierarchy as one string (名詞-普通名詞-一般).

    A string, not a tuple: LexicalSyntacticFeaturizer hashes ``pos`` and takes ``pos[:2]`` as
    its coarse ``pos2`` feature, which then reads 名詞, 動詞, 助詞 ….
    """
    return "-".join(part for part in pos[:4] if part and part != "*")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SudachiTokenizer(Tokenizer):
    """Tokenizes Japanese text with Sudachi; spans index the text the user sent."""

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Sudachi's dictionaries are Japanese only."""
        return ["ja"]

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages the component imports (checked by Rasa at validation)."""
        return ["sudachipy"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults; the split symbol is ``+`` because our intent names contain ``_``."""
        return {
            # Sudachi split mode: A (shortest units), B (middle) or C (named entities, compounds).
            "split_mode": "C",
            # Flag to check whether to split intents (multi-intent training data).
            "intent_tokenization_flag": False,
            # "_" would also split names like elderly_care; "+" only splits housing+debt.
            "intent_split_symbol": "+",
            # Regular expression to further split tokens.
            "token_pattern": None,
            # Symbol on which prefix should be split.
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Build the analyzer now so that a missing dictionary fails at model load."""
        super().__init__(config)
        self._analyzer = SudachiAnalyzer(config.get("split_mode") or "C")

    @staticmethod
    def _token(morpheme: Morpheme) -> Token:
        return Token(
            text=morpheme.surface,
            start=morpheme.start,
            end=morpheme.end,
            lemma=morpheme.normalized,
            data={"reading": morpheme.reading, "pos": _pos_tag(morpheme.pos)},
        )

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        if not text:
            return []
        tokens = [self._token(m) for m in self._analyzer.analyze(text)]
        return self._apply_token_pattern(tokens)
