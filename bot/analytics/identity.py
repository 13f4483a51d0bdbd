"""Conversation ids for analytics: a salted hash, never the sender id itself.

Rasa's ``sender_id`` is a LINE user id or the web chat's session id: it reaches or identifies
a person. Analytics only need to tell conversations apart, so they keep
``HMAC-SHA256(salt, sender_id)``. The salt is a secret of the deployment (``ANALYTICS_SALT``):
without it a hash cannot be recomputed from a known LINE id, so the analytic tables can be
handed to Metabase or Superset without handing over a way to find a resident's rows. A plain
unsalted SHA-256 (as the ticket store's review flag uses) would not give that, hence HMAC.
Rotating the salt splits every conversation in two at the rotation (a new hash): rotate only
between reporting periods.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["conversation_hash", "require_salt"]

# Below this a salt is guessable; the settings should hold 32 random bytes (64 hex digits).
MIN_SALT_LENGTH = 16


def require_salt(salt: str | bytes | None) -> bytes:
    """The salt as bytes; refuses an empty or short one (a hash without a secret is an id)."""
    if salt is None:
        raise ValueError("ANALYTICS_SALT is not set: analytics refuse to hash without a salt")
    raw = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    if len(raw.strip()) < MIN_SALT_LENGTH:
        raise ValueError(f"ANALYTICS_SALT must be at least {MIN_SALT_LENGTH} characters long")
    return raw


def conversation_hash(salt: str | bytes, sender_id: str) -> str:
    """HMAC-SHA256 of the sender id under the salt, 64 lower-case hex digits."""
    if not sender_id:
        raise ValueError("an event without a sender id cannot be attributed to a conversation")
    return hmac.new(require_salt(salt), sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
