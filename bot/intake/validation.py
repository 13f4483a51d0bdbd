"""One answer in, one decision out: keep the value, ask once more, or leave the field empty.

A resident who cannot (or will not) give a valid phone number must not be stuck in a loop:
after two misses on the same question the field is left empty and the intake goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.intake import answers
from bot.intake.fields import SKIPPED
from bot.intake.questions import (
    AGE_HINT,
    CHOICE_HINT,
    CONSENT_SKIPPED_AFTER_MISSES,
    EMAIL_HINT,
    HOUSEHOLD_HINT,
    NOT_UNDERSTOOD,
    PHONE_HINT,
    SKIPPED_AFTER_MISSES,
)

MAX_MISSES = 2

READERS: dict[str, Callable[[str], str | None]] = {
    "intake_about": answers.read_about,
    "intake_age": answers.read_age,
    "intake_household": answers.read_household,
    "intake_urgency": answers.read_urgency,
    "intake_safe_contact": answers.read_free_text,
    "intake_contact_method": answers.read_contact_method,
    "intake_name": answers.read_name,
}


@dataclass(frozen=True)
class Decision:
    value: str | None  # None: ask the same question again
    retries: int
    messages: tuple[str, ...] = ()


def _yes_no(text: str) -> str | None:
    verdict = answers.read_yes_no(text)
    return None if verdict is None else ("yes" if verdict else "no")


def read(slot: str, text: str, contact_method: str | None) -> str | None:
    if slot == "intake_contact_value":
        return answers.read_contact_value(contact_method, text)
    if slot in ("intake_consent", "intake_meeting_consent"):
        return _yes_no(text)
    return READERS[slot](text)


def _hint(slot: str, contact_method: str | None) -> str:
    if slot == "intake_contact_value" and contact_method == "電話":
        return PHONE_HINT
    if slot == "intake_contact_value" and contact_method == "メール":
        return EMAIL_HINT
    return {"intake_household": HOUSEHOLD_HINT, "intake_age": AGE_HINT}.get(slot, CHOICE_HINT)


def decide(slot: str, raw: object, retries: int, contact_method: str | None = None) -> Decision:
    """Read the answer to ``slot``; ``retries`` is how often this question was missed so far."""
    if raw in (SKIPPED, "yes", "no") and slot in ("intake_consent", "intake_meeting_consent"):
        return Decision(str(raw), 0)
    if raw == SKIPPED:
        return Decision(SKIPPED, 0)
    value = read(slot, str(raw or ""), contact_method)
    if value is not None:
        return Decision(value, 0)
    misses = retries + 1
    if misses >= MAX_MISSES and slot not in ("intake_consent", "intake_meeting_consent"):
        return Decision(SKIPPED, 0, (SKIPPED_AFTER_MISSES,))
    if misses >= MAX_MISSES:
        # Consent is never assumed: two unclear answers count as "no".
        return Decision("no", 0, (CONSENT_SKIPPED_AFTER_MISSES,))
    # One bubble for the miss and the hint; the form then asks the question again (two in all).
    return Decision(None, misses, (f"{NOT_UNDERSTOOD}\n{_hint(slot, contact_method)}",))


def contact_in_method_answer(raw: object) -> tuple[str, str] | None:
    """The method and the contact when the answer to "which method?" is the contact itself.

    Asked 「どの方法がよいですか？」, many residents type their number or address straight
    away: it was not understood, asked again, then skipped, and the number landed in the next
    question. A phone number means 電話 and an address メール, and both questions are answered.
    """
    text = str(raw or "")
    if (phone := answers.read_phone(text)) is not None:
        return "電話", phone
    if (email := answers.read_email(text)) is not None:
        return "メール", email
    return None


def answers_the_question(slot: str, text: str, contact_method: str | None) -> bool:
    """Whether ``text`` is a readable answer to the form question ``slot``.

    Used where the model called such an answer a wish to stop (「親と3人」 at the household
    question: stop 0.50): the form then cancelled the whole intake. A plain 「やめます」 is
    read by the stop rules first and still stops (``bot.nlu.stop_rules``).
    """
    if slot in FREE_TEXT_SLOTS:
        return False  # any text is a name: a stop there stays the model's to call
    if slot not in READERS and slot not in ("intake_contact_value", *CONSENT_SLOTS):
        return False
    return read(slot, text, contact_method) is not None


#: Questions whose reader takes any text, so that being read proves nothing.
FREE_TEXT_SLOTS = frozenset({"intake_name", "intake_safe_contact"})
CONSENT_SLOTS = ("intake_consent", "intake_meeting_consent")
