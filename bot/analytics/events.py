"""Rasa events → analytic rows: pure functions, no database, no Rasa import.

The input is Rasa's event dict as an event broker publishes it (``pika`` to RabbitMQ, or the
SQL broker's ``data`` column): every event has ``sender_id``, ``event`` and ``timestamp``
(seconds since the epoch, UTC). Only the parts below are read; the raw text and the sender id
never leave this module: texts go through ``mask`` and senders through the salted hash.

**Per message** (``message_row``, a ``user`` event): see ``bot.analytics.schema.MessageRow``.
A button press (text starting with ``/``, Rasa's ``/intent{"entity": "value"}`` payload) is
not something the resident wrote: its row has ``is_payload`` TRUE, ``masked_text`` NULL, the
category the button carried (``/share_worry{"category": "debt"}`` → ``["debt"]``) and no
fallback; it counts for the funnel but not in ``message_count``.

**The funnel** (``conversation_update``), from this project's real action and slot names
(``domain.yml``, ``actions/``). Each flag is set by any one of its signals, and only ever goes
from false to true:

* ``worry_recognised`` — a ``user`` event whose parse carries worry categories
  (``parse_data["worry_categories"]["categories"]``, or a category button's ``category``
  entity), or the ``worries`` slot set non-empty.
* ``window_shown`` — the ``routed_windows`` slot set non-empty: ``action_route_worry`` and
  ``action_set_city`` set it when they name windows (``action_request_human`` also sets it
  when it offers the any-attribute window).
* ``handoff_offered`` — the ``awaiting`` slot set to ``handoff_offer`` (the bot asked "shall
  a staff member contact you?"). The bot asks it after nearly every answer that names a
  window in one of the four cities, so it is an *offer*, not yet an escalation.
* ``handoff_accepted`` — ``active_loop`` event for ``intake_form``: the resident said yes to
  the offer (or asked for a person) and the intake questions began. This is the escalation:
  the consultation goes from the bot towards a staff member.
* ``consent_given`` — the ``intake_consent`` slot set to ``yes`` (the form's last question:
  may these answers go to the window). The validation action always writes ``yes`` or ``no``
  there (``bot.intake.validation``), so the slot is the structured signal.
* ``consent_refused`` — the ``intake_consent`` slot set to ``no``; ``action_cancel_intake``
  ran; or ``action_handle_deny`` answered a ``handoff_offer`` — recognised statelessly by the
  one reply it gives only then (``bot.dialogue.texts.DECLINED_CONTACT``), so the mapping needs
  no memory of the previous ``awaiting`` value and stays correct under redelivery.
* ``ticket_created`` — a ``ticket_reference`` slot set non-empty (if the actions ever set
  one), or ``action_submit_intake``'s reply. The actions set no slot on submit (they reset
  the intake's slots), so the reply is the only signal: the "received" text
  (``bot.intake.questions.received``) recognised by its fixed opening followed by a ticket
  reference (``UBE-2026-000123``), or exactly the "kept, will be forwarded" text
  (``bot.intake.questions.QUEUED``: the outbox creates the ticket when the database is back).
  A reference elsewhere in a bot text (a summary echoing what the resident typed) does not
  count; the failure replies set nothing. ``tests/analytics/test_events.py`` builds these
  texts from the real functions, so a change of wording fails a test instead of silently
  stopping the count.
* ``crisis`` — ``action_crisis_response`` ran, a ``user`` parse with ``crisis.detected``, or
  the ``crisis_detected`` slot set true.

Abandonment is computed by reports (``bot.analytics.schema.ABANDON_AFTER_MINUTES``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.analytics.identity import conversation_hash
from bot.analytics.masking import mask
from bot.dialogue import texts as dialogue_texts
from bot.dialogue.state import AWAITING_HANDOFF_OFFER
from bot.directory import Directory
from bot.intake import questions as intake_questions
from bot.nlu.categories import CRISIS_KEY, WORRY_CATEGORIES_KEY, canonical
from bot.tickets.references import REFERENCE_RE

__all__ = [
    "CITY_CODES",
    "FLAGS",
    "JST",
    "LOW_CONFIDENCE",
    "ConversationUpdate",
    "MalformedEvent",
    "conversation_update",
    "event_key",
    "message_row",
]

JST = timezone(timedelta(hours=9), "JST")
CITY_CODES = ("ube", "masuda", "kurume", "fuji")
OTHER_CITY = "other"
#: A recognised intent under this confidence is a ``low_confidence`` fallback: the bot acted on
#: it, but an analyst should see it (Rasa's FallbackClassifier already turns < 0.45 into
#: ``nlu_fallback``; worry categories are chosen from 0.5).
LOW_CONFIDENCE = 0.6
NLU_FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"

# Funnel flag names (the columns of analytic_conversations).
WORRY_RECOGNISED = "worry_recognised"
WINDOW_SHOWN = "window_shown"
HANDOFF_OFFERED = "handoff_offered"
HANDOFF_ACCEPTED = "handoff_accepted"
CONSENT_GIVEN = "consent_given"
CONSENT_REFUSED = "consent_refused"
TICKET_CREATED = "ticket_created"
CRISIS = "crisis"
FLAGS = (
    WORRY_RECOGNISED,
    WINDOW_SHOWN,
    HANDOFF_OFFERED,
    HANDOFF_ACCEPTED,
    CONSENT_GIVEN,
    CONSENT_REFUSED,
    TICKET_CREATED,
    CRISIS,
)

# The real names in domain.yml and actions/.
INTAKE_FORM = "intake_form"
ACTION_CANCEL_INTAKE = "action_cancel_intake"
ACTION_CRISIS_RESPONSE = "action_crisis_response"
SLOT_ROUTED_WINDOWS = "routed_windows"
SLOT_WORRIES = "worries"
SLOT_AWAITING = "awaiting"
SLOT_INTAKE_CONSENT = "intake_consent"
SLOT_CRISIS_DETECTED = "crisis_detected"
SLOT_CITY = "city"
SLOT_TICKET_REFERENCE = "ticket_reference"

# The submit action's "received" reply: its fixed opening (taken from the real text, so a
# change of wording moves this with it), then a ticket reference.
_RECEIVED_OPENING = intake_questions.received("\x00", "", None, None).split("\x00", 1)[0]
_RECEIVED = re.compile(
    re.escape(_RECEIVED_OPENING) + REFERENCE_RE.pattern.lstrip("^").rstrip("$") + r"(?![0-9])"
)


class MalformedEvent(ValueError):
    """An event without the keys every broker event has; the consumer skips and counts it."""


@dataclass(frozen=True)
class ConversationUpdate:
    """What one event changes on its conversation's row (flags only ever turn on)."""

    conversation_hash: str
    at: datetime
    flags: frozenset[str] = field(default_factory=frozenset)
    channel: str | None = None  # from user events only
    city: str | None = None  # the ``city`` slot set by this event; None: no change
    intake: bool | None = None  # the intake form started (True) or ended (False); None: no change


def _sender(event: Mapping[str, Any]) -> str:
    sender = event.get("sender_id")
    if not isinstance(sender, str) or not sender:
        raise MalformedEvent(f"{event.get('event')!r} event without a sender_id")
    return sender


def event_time(event: Mapping[str, Any]) -> datetime:
    """The event's timestamp as an aware UTC datetime."""
    stamp = event.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        raise MalformedEvent(f"{event.get('event')!r} event without a numeric timestamp")
    return datetime.fromtimestamp(float(stamp), tz=timezone.utc)


def event_key(conversation: str, event: Mapping[str, Any]) -> str:
    """Idempotency key of a message: same event, same key; the text is not part of it.

    Conversation hash + timestamp (to the microsecond) + event type + Rasa's ``message_id``
    (a per-message id the channel or Rasa assigns). Redelivery carries all four unchanged.
    """
    stamp = f"{float(event.get('timestamp') or 0):.6f}"
    parts = (conversation, stamp, str(event.get("event")), str(event.get("message_id") or ""))
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def channel_of(event: Mapping[str, Any]) -> str:
    """line, web or rest (any other REST client): the names tickets use (``channel_of``)."""
    channel = event.get("input_channel")
    return channel if channel in ("line", "web") else "rest"


def city_code(value: Any) -> str | None:
    """A stored city: one of the four, ``other`` for any other answer, None when unknown."""
    if not isinstance(value, str) or not value:
        return None
    return value if value in CITY_CODES else OTHER_CITY


def _parse(event: Mapping[str, Any]) -> Mapping[str, Any]:
    parse = event.get("parse_data")
    return parse if isinstance(parse, Mapping) else {}


def _entities(parse: Mapping[str, Any], name: str) -> list[Any]:
    return [
        e.get("value")
        for e in parse.get("entities") or []
        if isinstance(e, Mapping) and e.get("entity") == name
    ]


def _named_city(parse: Mapping[str, Any]) -> str | None:
    return next((c for c in map(city_code, _entities(parse, "city")) if c), None)


def _categories(parse: Mapping[str, Any]) -> list[str]:
    worry = parse.get(WORRY_CATEGORIES_KEY)
    found = list((worry.get("categories") or []) if isinstance(worry, Mapping) else [])
    found += [str(v) for v in _entities(parse, "category")]
    return canonical(found)


def _confidences(parse: Mapping[str, Any]) -> dict[str, float]:
    worry = parse.get(WORRY_CATEGORIES_KEY)
    scores = worry.get("confidence") if isinstance(worry, Mapping) else None
    if not isinstance(scores, Mapping):
        return {}
    known = canonical(scores)
    return {code: round(float(scores[code]), 4) for code in known}


def _crisis(parse: Mapping[str, Any]) -> tuple[bool, str | None]:
    crisis = parse.get(CRISIS_KEY)
    if not isinstance(crisis, Mapping) or not crisis.get("detected"):
        return False, None
    kind = crisis.get("kind")
    return True, (str(kind)[:20] if kind else None)


def _fallback(parse: Mapping[str, Any]) -> str | None:
    intent = parse.get("intent")
    if not isinstance(intent, Mapping):
        return None
    name = intent.get("name")
    if name == NLU_FALLBACK_INTENT:
        return "nlu_fallback"
    if name == OUT_OF_SCOPE_INTENT:
        return "out_of_scope"
    confidence = intent.get("confidence")
    if name and isinstance(confidence, (int, float)) and confidence < LOW_CONFIDENCE:
        return "low_confidence"
    return None


def routing_gaps(
    directory: Directory, city: str | None, categories: list[str]
) -> tuple[bool | None, list[str]]:
    """(all_routed, unrouted): categories with no specialised window in that city.

    A category is unrouted when the city's table marks it a gap (制度の狭間: the plan has no
    specialised window and the route falls back to the 多機関協働 window) or lists no window
    for it. No city, a city outside the four, or no categories: (None, []).
    """
    if not categories or directory.city(city) is None:
        return None, []
    route = directory.route(city, categories)
    unrouted = [c for c in route.categories if c in route.gaps or not route.by_category.get(c)]
    return not unrouted, unrouted


def message_row(
    event: Mapping[str, Any],
    salt: str | bytes,
    directory: Directory,
    *,
    city: str | None = None,
    in_intake: bool = False,
) -> dict[str, Any] | None:
    """The ``analytic_messages`` values for a ``user`` event; None for any other event.

    ``city`` is the conversation's city so far (the ``city`` slot, which the consumer keeps).
    Only while it is unknown does a city named in the message (the ``city`` entity) count:
    the first message often says both (「宇部市で家賃が払えない」), and its slot event comes
    after it. Once a city is known the slot wins, as it does in the dialogue: during the
    intake 「益田です」 answers the name question and is a surname, not a city. The raw text
    and the sender id are not in the result.

    ``in_intake``: the intake form was running (the consumer keeps that state): the message
    answers one of its questions (name, phone, address, age…), so its text is withheld, not
    masked (a bare answer is exactly what masking can miss), and it is no fallback.
    """
    if event.get("event") != "user":
        return None
    conversation = conversation_hash(salt, _sender(event))
    occurred = event_time(event)
    local = occurred.astimezone(JST)
    iso = local.isocalendar()
    parse = _parse(event)
    text = event.get("text")
    text = text if isinstance(text, str) else ""
    payload = text.startswith("/")
    withheld = payload or in_intake
    row_city = city_code(city) or _named_city(parse)
    categories = _categories(parse)
    crisis, crisis_kind = _crisis(parse)
    all_routed, unrouted = routing_gaps(directory, row_city, categories)
    return {
        "event_key": event_key(conversation, event),
        "conversation_hash": conversation,
        "occurred_at": occurred,
        "jst_date": local.date(),
        "iso_year": iso[0],
        "iso_week": iso[1],
        "hour_jst": local.hour,
        "weekday_jst": iso[2],
        "channel": channel_of(event),
        "city": row_city,
        "categories": categories,
        "confidences": {} if withheld else _confidences(parse),
        "crisis": crisis,
        "crisis_kind": crisis_kind,
        "fallback": None if withheld else _fallback(parse),
        "all_routed": all_routed,
        "unrouted": unrouted,
        "is_payload": payload,
        "masked_text": None if withheld or not text else mask(text),
    }


def _slot_flags(name: Any, value: Any) -> set[str]:
    flags: set[str] = set()
    if name == SLOT_ROUTED_WINDOWS and value:
        flags.add(WINDOW_SHOWN)
    elif name == SLOT_WORRIES and value:
        flags.add(WORRY_RECOGNISED)
    elif name == SLOT_AWAITING and value == AWAITING_HANDOFF_OFFER:
        flags.add(HANDOFF_OFFERED)
    elif name == SLOT_INTAKE_CONSENT and value == "yes":
        flags.add(CONSENT_GIVEN)
    elif name == SLOT_INTAKE_CONSENT and value == "no":
        flags.add(CONSENT_REFUSED)
    elif name == SLOT_TICKET_REFERENCE and value:
        flags.add(TICKET_CREATED)
    elif name == SLOT_CRISIS_DETECTED and value is True:
        flags.add(CRISIS)
    return flags


def _bot_flags(text: Any) -> set[str]:
    if not isinstance(text, str) or not text:
        return set()
    if text == dialogue_texts.DECLINED_CONTACT:
        return {CONSENT_REFUSED}
    if text == intake_questions.QUEUED or _RECEIVED.match(text):
        return {TICKET_CREATED}
    return set()


def conversation_update(event: Mapping[str, Any], salt: str | bytes) -> ConversationUpdate:
    """What this event changes on ``analytic_conversations`` (see the module docstring)."""
    conversation = conversation_hash(salt, _sender(event))
    at = event_time(event)
    kind = event.get("event")
    flags: set[str] = set()
    channel: str | None = None
    city: str | None = None
    intake: bool | None = None
    if kind == "user":
        parse = _parse(event)
        channel = channel_of(event)
        if _categories(parse):
            flags.add(WORRY_RECOGNISED)
        if _crisis(parse)[0]:
            flags.add(CRISIS)
    elif kind == "slot":
        flags |= _slot_flags(event.get("name"), event.get("value"))
        if event.get("name") == SLOT_CITY:
            city = city_code(event.get("value"))
    elif kind == "action":
        name = event.get("name")
        if name == ACTION_CANCEL_INTAKE:
            flags.add(CONSENT_REFUSED)
        elif name == ACTION_CRISIS_RESPONSE:
            flags.add(CRISIS)
    elif kind == "active_loop":
        intake = event.get("name") == INTAKE_FORM
        if intake:
            flags.add(HANDOFF_ACCEPTED)
    elif kind in ("restart", "session_started"):
        intake = False  # Rasa forgets the active form with the rest of the tracker state
    elif kind == "bot":
        flags |= _bot_flags(event.get("text"))
    return ConversationUpdate(conversation, at, frozenset(flags), channel, city, intake)
