"""Intake decisions for violence and abuse: when to ask about safe contact, and when abuse
words during the questions are an answer rather than a new danger.

Pure functions (no Rasa), so the actions stay thin and the rules are testable on their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.intake.fields import (
    HOUSEHOLD,
    NAME,
    SAFE_CONTACT,
    SAFE_CONTACT_CATEGORIES,
    SAFE_CONTACT_KINDS,
)

#: Questions whose answer is the resident's own words, where abuse words may be the answer
#: (「夫がいる夜は電話しないで」).
FREE_TEXT_SLOTS = frozenset({SAFE_CONTACT.slot, HOUSEHOLD.slot, NAME.slot})


def needs_safe_contact(
    categories: Iterable[str], crisis_kind: str | None, contact_method: str | None
) -> bool:
    """Violence or abuse anywhere in the conversation, and staff will call or write."""
    abuse = bool(SAFE_CONTACT_CATEGORIES & set(categories)) or crisis_kind in SAFE_CONTACT_KINDS
    return abuse and contact_method != "窓口に行く"


def abuse_words_answer_the_question(requested_slot: str | None, kinds: Iterable[str]) -> bool:
    """Abuse words (and nothing more dangerous) typed as the answer to a free-text question.

    Suicide, self-harm, violence now or a medical emergency are always answered with their
    lines, whatever question is open.
    """
    return requested_slot in FREE_TEXT_SLOTS and set(kinds) <= {"abuse"}
