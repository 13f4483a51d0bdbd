"""The chat's sender id: issued by the server in a signed, HttpOnly cookie, never by the page.

Why: Rasa keys a conversation (and the intake in it) by sender id. When the page chose the id,
any client could post as someone else's id, LINE user ids included, and read or submit that
resident's intake. Now the id is ``web-<32 hex>`` made here, signed with HMAC-SHA256 so a
forged or edited cookie is simply replaced by a fresh id, and the ``web-`` prefix keeps the
id space apart from LINE's ``U…`` ids. The cookie is HttpOnly (scripts cannot read it),
``SameSite=Lax`` (other sites' requests do not carry it) and ``Secure`` outside loopback.
It identifies a conversation, not a person: there is no login behind it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from aiohttp import web

from bot.httputil import forwarded_https, is_loopback_host, transport_is_secure
from bot.settings import Settings

COOKIE_NAME = "intake_chat_sender"
COOKIE_PATH = "/chat"
SENDER_PREFIX = "web-"
_SENDER = re.compile(r"web-[0-9a-f]{32}")


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


def cookie_secure(request: web.Request, settings: Settings) -> bool:
    """``Secure`` unless everything says this is a developer's plain-HTTP loopback.

    Secure when forced (``CONSOLE_COOKIE_SECURE``), when the server is bound off loopback (as
    the console's and HSTS's rule), over HTTPS, when our trusted proxy says the client used
    HTTPS (``X-Forwarded-Proto``; nginx passes ``Host: 127.0.0.1:8080`` by default, so the Host
    alone cannot tell), or when the page was asked for by a name other than loopback.
    """
    return (
        transport_is_secure(settings.cookie_secure, settings.console_host)
        or request.secure
        or forwarded_https(request, settings.web_trusted_proxy_hops)
        or not is_loopback_host(request.host)
    )


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
