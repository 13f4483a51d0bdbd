"""What the resident is told once the intake was handed to the ticket store.

Pure (no Rasa): the submit action only sends these texts, then the windows' direct contacts
(every outcome gets them, so the resident can always reach a person).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from bot.directory import Window
from bot.intake import questions
from bot.tickets import SubmissionResult

#: The submission could not be built (an answer or window the ticket refuses).
NOT_BUILT: Final = "not_built"
#: The database was down and the outbox could not be written either: nothing was kept.
NOT_SAVED: Final = "not_saved"

Outcome = SubmissionResult | Literal["not_built", "not_saved"]


def reachable(contact_method: str | None, contact_value: str | None, channel: str) -> bool:
    """Whether staff have a way to contact the resident: a phone number or address given,
    or LINE on LINE (staff write back there)."""
    if contact_method == "LINE":
        return channel == "line" or bool(contact_value)
    return contact_method in ("電話", "メール") and bool(contact_value)


def kept(result: Outcome) -> bool:
    """Whether the intake was stored or queued: staff will have it."""
    return not isinstance(result, str) and result.status != "failed"


def replies_for(
    result: Outcome,
    windows: Sequence[Window],
    contact_method: str | None,
    *,
    reachable: bool = True,
) -> tuple[str, ...]:
    """The texts for this outcome, told honestly.

    A reference only for a ticket that exists (with the first window, which contacts the
    resident, and how); "kept, will be forwarded" only when a copy is kept (queued); nothing
    kept is never told as received.
    """
    if isinstance(result, str):
        return (questions.NOT_SAVED,) if result == NOT_SAVED else (questions.FAILED,)
    if result.status == "failed":
        return (questions.FAILED,)
    if result.created and result.reference and windows:
        first = windows[0]
        return (
            questions.received(
                result.reference,
                first.name,
                contact_method,
                first.response_time,
                reachable=reachable,
            ),
        )
    return (questions.QUEUED,)
