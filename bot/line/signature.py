"""LINE webhook signature (``X-Line-Signature``) computation and verification.

LINE signs the raw request body with HMAC-SHA256 keyed by the channel secret and sends the
base64 digest. The check must run on the exact bytes received (never on re-serialised JSON)
and must compare in constant time so the signature cannot be guessed byte by byte. This is
kept apart from the channel so it can be cross-checked against the official SDK's validator
(``tests/fixtures/line/signatures.json``, made by ``scripts/line_sdk_fixtures.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def compute_signature(channel_secret: str, body: bytes) -> str:
    """Return the base64 HMAC-SHA256 of ``body`` as LINE would send it.

    Tests and the lead's end-to-end helpers use this to sign the webhook bodies they send.
    """
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` is LINE's signature of ``body``.

    A missing or empty signature or secret is never valid: a misconfigured deployment must
    reject everything rather than accept unsigned requests.
    """
    if not channel_secret or not signature:
        return False
    expected = compute_signature(channel_secret, body).encode("ascii")
    try:
        given = signature.encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)
