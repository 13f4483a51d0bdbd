"""Low-level HTTP helpers shared by the staff console and the residents' web chat.

Kept below both (it imports neither) so that the one security-critical reading of
``X-Forwarded-For`` and the one loopback rule exist exactly once.
"""

from bot.httputil.forwarded import address_key, client_address, forwarded_https
from bot.httputil.transport import HSTS, is_loopback_host, transport_is_secure

__all__ = [
    "HSTS",
    "address_key",
    "client_address",
    "forwarded_https",
    "is_loopback_host",
    "transport_is_secure",
]
