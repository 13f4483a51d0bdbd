"""Reading LINE webhook events: what Rasa hears, what the tracker keeps, which events count.

Pure functions and constants, no I/O, so the translation from LINE's event shapes to Rasa's
input can be read (and tested) in one place, apart from the webhook's scheduling and sending.
"""

from __future__ import annotations

from typing import Any

# The bot's own greeting, sent to Rasa when a resident adds the account as a friend, so the
# greeting is written in one place (the domain) whatever the channel.
GREET_PAYLOAD = "/greet"
TYPED_SLASH_REPLACEMENT = "／"  # full-width solidus: reads the same, is not a Rasa command
# Consultations are one-to-one: nothing said in a group or a room is read.
MULTI_PERSON_SOURCES = frozenset({"group", "room"})
# Group events that get the one-to-one notice (a member leaving, say, needs none).
GROUP_EVENTS_WORTH_A_NOTICE = frozenset({"join", "message", "postback"})
# Events a resident sends and the bot answers: these count towards the per-user rate limit.
RATE_LIMITED_EVENTS = frozenset({"message", "postback", "follow"})


def source_of(event: dict[str, Any]) -> dict[str, Any]:
    """The event's ``source`` object (who sent it), or ``{}`` when missing or malformed."""
    source = event.get("source")
    return source if isinstance(source, dict) else {}


def message_of(event: dict[str, Any]) -> dict[str, Any]:
    """The event's ``message`` object, or ``{}`` when missing (follow, postback, ...)."""
    message = event.get("message")
    return message if isinstance(message, dict) else {}


def text_for_rasa(event_type: str, event: dict[str, Any], message: dict[str, Any]) -> str | None:
    """What Rasa should receive for an event, or None if the event needs no answer."""
    if event_type == "follow":
        return GREET_PAYLOAD
    if event_type == "postback":
        postback = event.get("postback")
        data = postback.get("data") if isinstance(postback, dict) else None
        return data if isinstance(data, str) and data.strip() else None
    if event_type == "message":
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        # Rasa treats "/intent{...}" as a command; typed text must stay words, so only
        # postbacks (our own buttons) can carry payloads.
        stripped = text.lstrip()
        return TYPED_SLASH_REPLACEMENT + stripped[1:] if stripped.startswith("/") else text
    return None


def metadata(event: dict[str, Any]) -> dict[str, Any]:
    """Event facts for the tracker (no message content: that is already the text)."""
    delivery = event.get("deliveryContext")
    message = event.get("message")
    return {
        "line": {
            "webhook_event_id": event.get("webhookEventId"),
            "event_type": event.get("type"),
            "message_type": message.get("type") if isinstance(message, dict) else None,
            "timestamp": event.get("timestamp"),
            "is_redelivery": bool(isinstance(delivery, dict) and delivery.get("isRedelivery")),
        }
    }
