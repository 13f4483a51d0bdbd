"""Exceptions raised by the ticket store.

They are separate from the store so the console and the Rasa actions can catch them without
importing SQLAlchemy. Messages are bilingual because staff read them in the console and
developers read them in logs.
"""

from __future__ import annotations


class TicketError(Exception):
    """Base class for every refusal of the ticket store."""


class TicketNotFound(TicketError, LookupError):
    """The reference does not exist *or* is outside the viewer's scope.

    Both cases share one exception on purpose: telling them apart would let staff of one city
    probe which references exist in another.
    """

    def __init__(self, reference: str) -> None:
        super().__init__(f"相談票 {reference} が見つかりません / ticket {reference} not found")
        self.reference = reference


class InvalidTransition(TicketError, ValueError):
    """A status change that the lifecycle in ``lifecycle.TRANSITIONS`` does not allow."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(
            f"状態を「{current}」から「{requested}」に変更することはできません"
            f" / invalid status transition from {current!r} to {requested!r}"
        )
        self.current = current
        self.requested = requested


class ConsentRequired(TicketError, PermissionError):
    """Referral to 重層的支援会議 was attempted without the resident's consent."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            f"相談票 {reference} は重層的支援会議への情報共有に同意を得ていないため、"
            f"多機関協働へつなぐことはできません / ticket {reference} has no consent for "
            "sharing with the 重層的支援会議, so it cannot be referred"
        )
        self.reference = reference


class InvalidAssignee(TicketError, ValueError):
    """The assignee does not exist, is disabled, or could not see the ticket."""


class UserError(TicketError, ValueError):
    """A user or token operation was refused (duplicate name, bad role, unknown user…)."""


class WeakPassword(UserError):
    """The password is too short; the console is reachable from the city network."""
