"""When a server must insist on HTTPS: Secure cookies and HSTS everywhere but loopback.

Outside loopback a page is reached over the network, where only HTTPS may carry staff
passwords and residents' words, so browsers are told (HSTS) never to use plain HTTP for the
host again. On loopback (``make run``) both stay off, or nothing could be tried over
``http://127.0.0.1``; a loopback server behind a TLS reverse proxy forces them with
``CONSOLE_COOKIE_SECURE=1``.
"""

from __future__ import annotations

import ipaddress

HSTS = "max-age=31536000; includeSubDomains"
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a bind address or a Host header, with or without port) is loopback."""
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


def transport_is_secure(forced: bool, bind_host: str) -> bool:
    """Secure cookies and HSTS: forced by the setting, or whenever not bound to loopback."""
    return forced or not is_loopback_host(bind_host)
