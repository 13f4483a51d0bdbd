"""A LINE delivery split into one signed part per user (or group or room), order kept.

Kept free of I/O so the rules are tested directly: which events go together, in which order,
under which routing key, and that every part carries a signature LINE's own check accepts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bot.line.signature import compute_signature

# Header HAProxy hashes on (deploy/haproxy.cfg, backend rasa).
ROUTING_HEADER = "X-Sender-Id"


@dataclass(frozen=True)
class Part:
    """One user's events of a delivery, as a body LINE could have sent on its own."""

    routing_key: str
    body: bytes
    signature: str
    event_count: int


def owner_of(event: dict[str, Any]) -> str:
    """Whose conversation the event belongs to: the LINE user, else the group or room.

    Rasa's sender id for LINE is the user id (``bot.channels.line``), so hashing on it keeps
    the conversation on one instance. Group and room events are keyed by the chat, so the
    once-an-hour notice is decided by one instance. Events without a source go together under
    the empty key (HAProxy then picks any instance).
    """
    source = event.get("source")
    if not isinstance(source, dict):
        return ""
    if source.get("type") in ("group", "room"):
        chat = source.get("groupId") or source.get("roomId")
        return f"chat:{chat}" if isinstance(chat, str) and chat else ""
    user = source.get("userId")
    return f"user:{user}" if isinstance(user, str) and user else ""


def routing_key(owner: str) -> str:
    """The header value HAProxy hashes: a digest, because a LINE user id is personal data and
    headers end up in proxies' and tools' logs. Same owner, same key, on every router."""
    if not owner:
        return ""
    return "line-" + hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]


def split_delivery(payload: dict[str, Any], channel_secret: str) -> list[Part]:
    """One part per owner, in the order each owner first appears; each owner's events keep the
    delivery's order (a resident typing three messages gets three answers in that order)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for event in payload.get("events") or []:
        if isinstance(event, dict):
            groups.setdefault(owner_of(event), []).append(event)
    parts = []
    for owner, events in groups.items():
        part: dict[str, Any] = {"events": events}
        if "destination" in payload:
            part = {"destination": payload["destination"], **part}
        body = json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        parts.append(
            Part(routing_key(owner), body, compute_signature(channel_secret, body), len(events))
        )
    return parts
