"""The web chat's memory of offered buttons: ``bot.offers``, shared with the LINE channel."""

from __future__ import annotations

from bot.offers import (
    OFFER_TTL_SECONDS,
    InMemoryOfferStore,
    Offer,
    OfferStore,
    RedisOfferStore,
)

__all__ = ["OFFER_TTL_SECONDS", "InMemoryOfferStore", "Offer", "OfferStore", "RedisOfferStore"]
