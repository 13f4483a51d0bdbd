"""Each intake's own id: minted at its first question, the ticket's idempotency key.

Kept apart from the summary: what the resident confirms and how a retried submission is
recognised are separate jobs.
"""

from __future__ import annotations

import uuid
from typing import Any

#: The slot holding this intake's own id (see ``new_intake_id``).
INTAKE_ID_SLOT = "intake_id"
#: Set once an intake of this conversation was stored or queued: a request for contact after
#: it (「電話お願いします」) means "as arranged", not "offer it again" (bot.dialogue.offer_answer).
INTAKE_SENT_SLOT = "intake_sent"


def new_intake_id() -> str:
    """A fresh id for an intake that is starting.

    Random rather than a per-conversation counter: a counter kept in a slot is reset by
    「最初から」, a new session or a restart, and the next consultation would then reuse the
    first one's key and get the first ticket back instead of being stored.
    """
    return str(uuid.uuid4())


def intake_key(slot_value: Any) -> tuple[str, bool]:
    """The intake's id, and whether it came from the slot.

    The slot is set at the intake's first question and kept until the intake ends, so it is
    always there with a model trained on this domain (``make run`` retrains whenever
    ``domain.yml`` changes; a model without the slot cannot be run with it). An empty slot is
    therefore a bug, not a case to design for: the intake is still stored, under a fresh id
    (a retry of that very submission might then give a second ticket, which is better than
    losing the first), and the caller logs it.
    """
    if isinstance(slot_value, str) and slot_value.strip():
        return slot_value.strip(), True
    return new_intake_id(), False
