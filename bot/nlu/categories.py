"""Worry categories: the codes the bot, the directory and the analysts share.

The codes are fixed by the evaluation data (``../shared/eval/sample.yml``); the canonical order
is also the order used to join multi-intent labels in the training data (``housing+debt``), so a
combination always has exactly one spelling.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.categories import CATEGORIES as CATEGORIES  # re-exported for the NLU code

INTENT_SPLIT_SYMBOL = "+"
# The intent the dialogue sees for any message that carries one or more worries.
SHARE_WORRY_INTENT = "share_worry"
CRISIS_INTENT = "crisis"
# Key under which the parse result carries the categories and their confidences.
WORRY_CATEGORIES_KEY = "worry_categories"
CRISIS_KEY = "crisis"


def categories_of_intent(intent_name: str | None) -> list[str]:
    """The worry categories a (possibly multi-) intent label stands for, in canonical order."""
    if not intent_name:
        return []
    parts = set(intent_name.split(INTENT_SPLIT_SYMBOL))
    return [code for code in CATEGORIES if code in parts]


def canonical(categories: Iterable[str]) -> list[str]:
    """Deduplicate and order category codes; unknown codes are dropped."""
    wanted = set(categories)
    return [code for code in CATEGORIES if code in wanted]


def is_worry_intent(intent_name: str | None) -> bool:
    return bool(categories_of_intent(intent_name))
