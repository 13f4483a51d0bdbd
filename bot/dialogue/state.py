"""What the bot remembers between turns, and what one turn produces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# What the bot's last question was, so that 「はい」「いいえ」 mean the right thing.
AWAITING_CITY = "city"
AWAITING_HANDOFF_OFFER = "handoff_offer"
AWAITING_AFTER_CRISIS = "after_crisis"
AWAITING_CLARIFICATION = "clarification"
# Set by the intake's summary (actions/intake_submit.py): 「はい」 sends, 「いいえ」 cancels.
AWAITING_INTAKE_CONFIRM = "intake_confirm"

OTHER_CITY = "other"

#: The slot of ``ConversationState.offer_declined`` (the intake's actions set it too).
OFFER_DECLINED_SLOT = "offer_declined"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class ConversationState:
    city: str | None = None
    worries: tuple[str, ...] = ()
    pending_categories: tuple[str, ...] = ()
    routed_windows: tuple[str, ...] = ()
    awaiting: str | None = None
    fallback_count: int = 0
    crisis_detected: bool = False
    #: The kind of danger answered first (suicide, self_harm, violence_now, abuse, medical).
    crisis_kind: str | None = None
    #: What the bot was waiting for when the crisis interrupted, so 「相談を続ける」 returns there.
    resume_awaiting: str | None = None
    #: The resident declined the offer of a staff contact, and the bot has asked nothing since:
    #: a request for contact now is a change of mind (``bot.dialogue.offer_answer``), where
    #: after a sent intake 「よろしくお願いします」 is a courtesy. Asking anything clears it.
    offer_declined: bool = False
    #: Not a slot. Set when the state was read with windows of another city than ``city`` (the
    #: resident changed city): the windows as stored, before they were re-routed in ``city``
    #: (see ``bot.dialogue.city_change``). The turn that tells the resident clears it.
    replaced_windows: tuple[str, ...] | None = field(default=None, compare=False)

    @property
    def city_changed(self) -> bool:
        """The windows were re-routed in a new city and the resident has not been told yet."""
        return self.replaced_windows is not None

    def evolve(self, **changes: Any) -> ConversationState:
        """A copy with ``changes``; a new question (``awaiting``) forgets a declined offer."""
        if changes.get("awaiting") is not None:
            changes.setdefault("offer_declined", False)
        return replace(self, **changes)

    @classmethod
    def from_slots(cls, slots: dict[str, Any]) -> ConversationState:
        return cls(
            city=slots.get("city") or None,
            worries=tuple(slots.get("worries") or ()),
            pending_categories=tuple(slots.get("pending_categories") or ()),
            routed_windows=tuple(slots.get("routed_windows") or ()),
            awaiting=slots.get("awaiting") or None,
            fallback_count=int(slots.get("fallback_count") or 0),
            crisis_detected=bool(slots.get("crisis_detected")),
            crisis_kind=slots.get("crisis_kind") or None,
            resume_awaiting=slots.get("resume_awaiting") or None,
            offer_declined=bool(slots.get(OFFER_DECLINED_SLOT)),
        )

    def as_slots(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "worries": list(self.worries),
            "pending_categories": list(self.pending_categories),
            "routed_windows": list(self.routed_windows),
            "awaiting": self.awaiting,
            "fallback_count": float(self.fallback_count),
            "crisis_detected": self.crisis_detected,
            "crisis_kind": self.crisis_kind,
            "resume_awaiting": self.resume_awaiting,
            OFFER_DECLINED_SLOT: self.offer_declined,
        }

    def stored_slots(self) -> dict[str, Any]:
        """The slots as the tracker holds them (the windows before a re-routing, if any)."""
        slots = self.as_slots()
        if self.replaced_windows is not None:
            slots["routed_windows"] = list(self.replaced_windows)
        return slots


@dataclass(frozen=True)
class Turn:
    replies: tuple[Reply, ...]
    state: ConversationState
    restart: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
