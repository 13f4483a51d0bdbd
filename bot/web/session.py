"""The chat's sender id: issued by the server in a signed, HttpOnly cookie, never by the page.

Why: Rasa keys a conversation (and the intake in it) by sender id. When the page chose the id,
any client could post as someone else's id, LINE user ids included, and read or submit that
resident's intake. Now the id is ``web-<32 hex>`` made here, signed with HMAC-SHA256 so a
forged or edited cookie is simply replaced by a fresh id, and the ``web-`` prefix keeps the
id space apart from LINE's ``U…`` ids. The cookie is HttpOnly (scripts cannot read it),
``SameSite=Lax`` (other sites' requests do not carry it) and ``Secure`` outside loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets

from aiohttp import web

from bot.settings import Settings

COOKIE_NAME = "intake_chat_sender"
COOKIE_PATH = "/chat"
SENDER_PREFIX = "web-"
_SENDER = re.compile(r"web-[0-9a-f]{32}")
LOOPBACK_NAMES = frozenset({"localhost"})


class SenderSigner:
    """Makes and checks ``<sender>.<signature>`` cookie values."""

    def __init__(self, secret: str | bytes) -> None:
        self._key = secret.encode("utf-8") if isinstance(secret, str) else secret

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderSigner:
        # Generated per process when unset, as the console's session secret is.
        return cls(settings.web_session_secret or secrets.token_bytes(32))

    def _signature(self, sender: str) -> str:
        return hmac.new(self._key, sender.encode("ascii"), hashlib.sha256).hexdigest()

    def sign(self, sender: str) -> str:
        return f"{sender}.{self._signature(sender)}"

    def verify(self, value: str | None) -> str | None:
        """The sender id in a cookie value, or None when missing, malformed or forged."""
        if not value or value.count(".") != 1:
            return None
        sender, signature = value.split(".")
        if not _SENDER.fullmatch(sender):
            return None
        return sender if hmac.compare_digest(signature, self._signature(sender)) else None


def new_sender() -> str:
    return SENDER_PREFIX + secrets.token_hex(16)


def is_loopback_host(host: str | None) -> bool:
    """Whether the page was asked for as localhost / 127.x / ::1 (development)."""
    name = (host or "").strip().lower()
    if name.startswith("["):  # [::1]:8080
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:  # 127.0.0.1:8080, localhost:8080
        name = name.split(":")[0]
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_secure(request: web.Request, settings: Settings) -> bool:
    """``Secure`` when configured, over HTTPS, or whenever the host is not loopback.

    Behind a TLS-terminating proxy the request itself looks like plain HTTP, so the host name
    decides: only a developer's ``localhost`` goes without.
    """
    return settings.cookie_secure or request.secure or not is_loopback_host(request.host)


def set_sender_cookie(
    response: web.StreamResponse, signer: SenderSigner, sender: str, *, secure: bool
) -> None:
    """A session cookie (no expiry): closing the browser ends the web conversation."""
    response.set_cookie(
        COOKIE_NAME,
        signer.sign(sender),
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def current_sender(request: web.Request, signer: SenderSigner) -> str | None:
    return signer.verify(request.cookies.get(COOKIE_NAME))
