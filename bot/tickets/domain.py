"""Plain, detached values that the store accepts and returns.

Nothing here touches the database: the console and the Rasa actions hold these objects after
the session is closed, and the outbox serialises ``Submission`` to JSON, so every type is a
frozen dataclass made of strings, enums, tuples and timezone-aware datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Literal


class Status(str, Enum):
    """Where a ticket is in the staff workflow (transitions: ``lifecycle.TRANSITIONS``)."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REFERRED = "referred"  # handed to 多機関協働 / 重層的支援会議
    CLOSED = "closed"


class Priority(str, Enum):
    """Triage order of the console list (urgent first)."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class Role(str, Enum):
    """What a staff account may see; every role is confined to its own city."""

    STAFF = "staff"  # window staff: tickets routed to their window
    COORDINATOR = "coordinator"  # the whole city
    ADMIN = "admin"  # the whole city, plus user management
    # Analytics only (masked counts and the unmet-need inbox), one city or ``ALL_CITIES``;
    # never a ticket. Staff, coordinators and admins see analytics only when granted.
    ANALYST = "analyst"


class Channel(str, Enum):
    WEB = "web"
    LINE = "line"
    REST = "rest"


class AboutWhom(str, Enum):
    SELF = "本人"
    FAMILY = "家族"
    ACQUAINTANCE = "知人・近所"


class Urgency(str, Enum):
    TODAY = "今日中"
    THIS_WEEK = "今週中"
    NOT_URGENT = "急がない"


class ContactMethod(str, Enum):
    PHONE = "電話"
    EMAIL = "メール"
    LINE = "LINE"
    VISIT = "窓口に行く"


class EventKind(str, Enum):
    CREATED = "created"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    NOTE_ADDED = "note_added"
    REFERRED = "referred"
    FIELD_CORRECTED = "field_corrected"
    REVIEW_CLEARED = "review_cleared"  # a coordinator lifted the per-sender review mark
    LINE_MESSAGE_SENT = "line_message_sent"  # staff wrote to the resident through the bot's LINE


# Actors that are not staff accounts; usernames may not take these names.
BOT_ACTOR = "bot"
SYSTEM_ACTOR = "system"
RESERVED_ACTORS = frozenset({BOT_ACTOR, SYSTEM_ACTOR})

# The ``city`` of an analyst who reads every city's analytics (never a real city's code).
ALL_CITIES = "all"

CITY_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
WINDOW_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}\.[a-z0-9_]+(\.[a-z0-9_]+)*$")


def validate_city(city: str) -> str:
    """City codes become part of references and scoping keys, so keep them boring."""
    if not CITY_CODE_RE.match(city) or city == ALL_CITIES:
        raise ValueError(f"不正な市町村コードです / invalid city code: {city!r}")
    return city


def validate_window(window_id: str, city: str) -> str:
    """A window belongs to exactly one city: ``ube.seikatsu_support`` is Ube's."""
    if not WINDOW_ID_RE.match(window_id) or not window_id.startswith(f"{city}."):
        raise ValueError(
            f"窓口ID {window_id!r} は {city} の窓口ではありません"
            f" / window id {window_id!r} does not belong to city {city!r}"
        )
    return window_id


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(timezone.utc)


def _parse_dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _opt_enum(enum: type[Any], value: Any) -> Any:
    return None if value in (None, "") else enum(value)


@dataclass(frozen=True)
class IntakeSummary:
    """The structured fields the Rasa form collected; every one but the summary is optional."""

    worry_text_summary: str
    about_whom: AboutWhom | None = None
    age_band: str | None = None
    household: str | None = None
    urgency: Urgency | None = None
    contact_method: ContactMethod | None = None
    contact_value: str | None = None  # phone, e-mail, LINE or preferred visit time
    display_name: str | None = None  # name or nickname
    #: Abuse and DV: when it is safe to call, and whether a message may be left (staff read it
    #: before anything else: a call at the wrong time can put the resident in danger).
    safe_contact: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "about_whom", _opt_enum(AboutWhom, self.about_whom))
        object.__setattr__(self, "urgency", _opt_enum(Urgency, self.urgency))
        object.__setattr__(self, "contact_method", _opt_enum(ContactMethod, self.contact_method))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, shared by the outbox and the console's API."""
        return {
            "worry_text_summary": self.worry_text_summary,
            "about_whom": self.about_whom.value if self.about_whom else None,
            "age_band": self.age_band,
            "household": self.household,
            "urgency": self.urgency.value if self.urgency else None,
            "contact_method": self.contact_method.value if self.contact_method else None,
            "contact_value": self.contact_value,
            "display_name": self.display_name,
            "safe_contact": self.safe_contact,
        }


@dataclass(frozen=True)
class Consent:
    """What the resident agreed to share, with whom and when.

    ``support_meeting`` is the separate consent for the 重層的支援会議; without it the ticket
    cannot be referred to 多機関協働 (``TicketStore.refer`` refuses).
    """

    shared_items: tuple[str, ...]  # e.g. ("summary", "contact", "messages")
    window_ids: tuple[str, ...]
    given_at: datetime
    support_meeting: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "shared_items", tuple(self.shared_items))
        object.__setattr__(self, "window_ids", tuple(self.window_ids))
        object.__setattr__(self, "given_at", _aware(self.given_at, "Consent.given_at"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "shared_items": list(self.shared_items),
            "window_ids": list(self.window_ids),
            "given_at": self.given_at.isoformat(),
            "support_meeting": self.support_meeting,
        }


@dataclass(frozen=True)
class ResidentMessage:
    text: str
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _aware(self.at, "ResidentMessage.at"))


@dataclass(frozen=True)
class Submission:
    """One consented intake as the bot hands it over.

    ``idempotency_key`` (the bot uses ``f"intake:{intake_id}"``, one UUID per intake) makes
    retries — from the action server or from the outbox — return the same ticket instead of a
    duplicate.
    Routed windows must be among the consented windows: consent governs who may see it.
    """

    idempotency_key: str
    city: str
    summary: IntakeSummary
    consent: Consent
    channel: Channel
    conversation_id: str
    categories: tuple[str, ...] = ()
    window_ids: tuple[str, ...] = ()
    messages: tuple[ResidentMessage, ...] = ()
    crisis: bool = False
    #: The kind of danger the bot answered (suicide, self_harm, violence_now, abuse, medical).
    crisis_kind: str | None = None

    def __post_init__(self) -> None:
        if not self.idempotency_key or len(self.idempotency_key) > 200:
            raise ValueError("idempotency_key must be 1–200 characters")
        validate_city(self.city)
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "window_ids", tuple(self.window_ids))
        object.__setattr__(self, "messages", tuple(self.messages))
        for window_id in self.window_ids:
            validate_window(window_id, self.city)
        missing = [w for w in self.window_ids if w not in self.consent.window_ids]
        if missing:
            raise ValueError(
                f"同意のない窓口には回付できません / routed windows without consent: {missing}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form used by the outbox (round-trips through ``from_dict``)."""
        return {
            "idempotency_key": self.idempotency_key,
            "city": self.city,
            "categories": list(self.categories),
            "window_ids": list(self.window_ids),
            "crisis": self.crisis,
            "crisis_kind": self.crisis_kind,
            "channel": self.channel.value,
            "conversation_id": self.conversation_id,
            "summary": self.summary.to_dict(),
            "consent": self.consent.to_dict(),
            "messages": [{"text": m.text, "at": m.at.isoformat()} for m in self.messages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Submission:
        """Build from slot-like data (strings for enums, ISO strings for datetimes)."""
        consent = data["consent"]
        return cls(
            idempotency_key=data["idempotency_key"],
            city=data["city"],
            categories=tuple(data.get("categories") or ()),
            window_ids=tuple(data.get("window_ids") or ()),
            crisis=bool(data.get("crisis", False)),
            crisis_kind=data.get("crisis_kind") or None,
            channel=Channel(data["channel"]),
            conversation_id=data["conversation_id"],
            summary=IntakeSummary(**dict(data["summary"])),
            consent=Consent(
                shared_items=tuple(consent.get("shared_items") or ()),
                window_ids=tuple(consent.get("window_ids") or ()),
                given_at=_parse_dt(consent["given_at"]),
                support_meeting=bool(consent.get("support_meeting", False)),
            ),
            messages=tuple(
                ResidentMessage(text=m["text"], at=_parse_dt(m["at"]))
                for m in data.get("messages") or ()
            ),
        )


@dataclass(frozen=True)
class Ticket:
    """A stored ticket, detached from any session."""

    reference: str
    created_at: datetime
    updated_at: datetime
    city: str
    categories: tuple[str, ...]
    window_ids: tuple[str, ...]
    priority: Priority
    status: Status
    assigned_to: str | None
    summary: IntakeSummary
    consent: Consent
    messages: tuple[ResidentMessage, ...]
    crisis: bool
    channel: Channel
    conversation_id: str
    idempotency_key: str
    crisis_kind: str | None = None
    #: Set when the sender handed over more tickets in 24 hours than the review threshold:
    #: such a ticket does not count as urgent until a coordinator clears the mark.
    needs_review: bool = False
    review_reason: str | None = None


@dataclass(frozen=True)
class TicketEvent:
    """One entry of the append-only log; ``actor`` is a username, ``"bot"`` or ``"system"``."""

    reference: str
    kind: EventKind
    actor: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class User:
    """A staff account, also used as the *viewer* that scopes every ticket query."""

    username: str
    role: Role
    city: str
    window_id: str | None
    disabled: bool
    created_at: datetime
    display_name: str | None = None
    #: Bumped on password change and disable; a console session from an older epoch is dead.
    session_epoch: int = 0
    #: An admin's grant of the analytics pages to a staff, coordinator or admin account.
    can_view_analytics: bool = False

    @property
    def can_manage_users(self) -> bool:
        return self.role is Role.ADMIN and not self.disabled

    @property
    def sees_tickets(self) -> bool:
        """Analysts never see a ticket (nor any resident's contact details)."""
        return self.role is not Role.ANALYST and not self.disabled

    @property
    def sees_analytics(self) -> bool:
        return not self.disabled and (self.role is Role.ANALYST or self.can_view_analytics)

    @property
    def analytics_city(self) -> str | None:
        """The one city whose analytics this account reads; None: every city."""
        return None if self.role is Role.ANALYST and self.city == ALL_CITIES else self.city


@dataclass(frozen=True)
class ApiTokenInfo:
    """Metadata of an API token; the token itself is only ever shown once, at creation."""

    id: int
    username: str
    prefix: str  # first characters, to recognise a token in a list without revealing it
    label: str | None
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None  # refused (401) from then on
    last_used_at: datetime | None = None  # None: never used


@dataclass(frozen=True)
class NewApiToken:
    """Returned once by ``create_api_token``: ``token`` is not stored and cannot be recovered."""

    token: str
    info: ApiTokenInfo


@dataclass(frozen=True)
class SubmissionResult:
    """What the bot tells the resident: a reference now, "received, will be forwarded", or
    (``failed``: the database refused it, kept for staff) "please contact the window"."""

    status: Literal["created", "queued", "failed"]
    reference: str | None = None

    @property
    def created(self) -> bool:
        return self.status == "created"
