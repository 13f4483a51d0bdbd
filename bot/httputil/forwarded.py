"""Who the client is behind our reverse proxies, and the key its address is counted under.

``X-Forwarded-For`` is read only when a setting says how many of our own proxies are in
front (``*_TRUSTED_PROXY_HOPS``), and then from the right: a client can prepend anything, but
not what our last proxy appended. Without that setting the header is ignored, since anybody can
send it; if it arrives anyway, a warning (once per process) says so, because behind a proxy
that is not configured as trusted every client shares the proxy's address and so one limit.

Per-address limits count an IPv6 client by its /64: that is what one household, phone or
server is given, and it holds 2^64 addresses, so counting single addresses would let a client
escape every limit by rotating. An IPv4 client is counted by its address (mobile carriers put
many people behind one address; the limits themselves are generous for that reason).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging

from aiohttp import web

log = logging.getLogger(__name__)

FORWARDED_FOR = "X-Forwarded-For"
FORWARDED_PROTO = "X-Forwarded-Proto"
IPV6_CLIENT_PREFIX = 64
_warned_untrusted_forwarded = False


def _forwarded_hops(request: web.Request) -> list[str]:
    return [
        part.strip()
        for header in request.headers.getall(FORWARDED_FOR, [])
        for part in header.split(",")
        if part.strip()
    ]


def _warn_untrusted_forwarded() -> None:
    global _warned_untrusted_forwarded
    if not _warned_untrusted_forwarded:
        _warned_untrusted_forwarded = True
        # No addresses in the line: they are personal data and the header may be forged.
        log.warning(
            "X-Forwarded-For received but no trusted proxy hops are configured: it is ignored. "
            "Behind a reverse proxy set WEB_TRUSTED_PROXY_HOPS / CONSOLE_TRUSTED_PROXY_HOPS=1, "
            "or every client shares the proxy's address (and its limits)."
        )


def client_address(request: web.Request, trusted_hops: int) -> str:
    """The client's address: the peer's, or the one our own trusted proxies recorded."""
    peer = request.remote or "unknown"
    if trusted_hops <= 0:
        if FORWARDED_FOR in request.headers:
            _warn_untrusted_forwarded()
        return peer
    hops = _forwarded_hops(request)
    if len(hops) < trusted_hops:
        return peer
    return hops[-trusted_hops]


def forwarded_https(request: web.Request, trusted_hops: int) -> bool:
    """Whether our trusted TLS proxy says the client connected with HTTPS.

    Read only with trusted hops, like ``X-Forwarded-For``. A forged ``https`` could only make
    the forger's own cookie ``Secure``, so any ``https`` in the header is taken as such.
    """
    if trusted_hops <= 0:
        return False
    values = (
        part.strip().lower()
        for header in request.headers.getall(FORWARDED_PROTO, [])
        for part in header.split(",")
    )
    return "https" in values


def address_key(address: str) -> str:
    """The pseudonym a client address is counted under: its IPv6 /64, or its IPv4 address.

    Hashed so that Redis, which may be shared and inspected, holds no address; an unparsable
    value (``unknown``, a proxy's odd header) is counted as itself.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        network = address.strip()
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # IPv4 on a dual-stack socket
        if isinstance(ip, ipaddress.IPv6Address):
            network = str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
        else:
            network = f"{ip}/32"
    return hashlib.sha256(f"intake-address:{network}".encode()).hexdigest()[:24]
