"""Classify resident messages with the trained Rasa model, outside a conversation.

Used by ``intake classify`` (analysts re-classifying old consultation notes) and by the
evaluation: it loads the same model and runs the same pipeline as the bot, so the figures
measured here are the bot's real behaviour, fallback and rule layers included.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.categories import CATEGORIES, CRISIS_KEY, WORRY_CATEGORIES_KEY, canonical

logger = logging.getLogger(__name__)

TARGET_CITIES = ("ube", "masuda", "kurume", "fuji")


@dataclass
class Classification:
    text: str
    categories: list[str]
    city: str | None
    crisis: bool
    confidence: dict[str, float] = field(default_factory=dict)
    #: The whole crisis decision (kind, kinds, about, victim, source): see CrisisAssessment.
    crisis_detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def latest_model(models_dir: Path) -> Path:
    """The most recently trained model archive in a directory."""
    candidates = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise FileNotFoundError(f"No trained model in {models_dir}: run `make train` first.")
    return candidates[-1]


def classification_from_parse(text: str, parse: dict[str, Any]) -> Classification:
    """Read the bot's own parse result into the analysts' format."""
    worry = parse.get(WORRY_CATEGORIES_KEY) or {}
    crisis = parse.get(CRISIS_KEY) or {}
    cities = [
        e.get("value")
        for e in parse.get("entities") or []
        if e.get("entity") == "city" and e.get("value") in TARGET_CITIES
    ]
    confidence = worry.get("confidence") or {}
    return Classification(
        text=text,
        categories=canonical(worry.get("categories") or []),
        city=cities[0] if cities else None,
        # Life in danger now; abuse alone is answered first too but is not this flag (the
        # sample labels 「パートナーからの暴力に悩んでいます」 crisis: false).
        crisis=bool(crisis.get("life_danger", crisis.get("detected"))),
        confidence={code: float(confidence.get(code, 0.0)) for code in CATEGORIES},
        crisis_detail=dict(crisis),
    )


class MessageClassifier:
    """Loads a model once; classifies any number of texts with it."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent

        logger.info("Loading model %s", model_path)
        self._agent = Agent.load(str(model_path))
        self._loop = asyncio.new_event_loop()

    def classify(self, text: str) -> Classification:
        if not text.strip():
            return classification_from_parse(text, {})
        # Rasa treats a leading "/" as an intent payload; residents' text never is one.
        safe_text = " " + text if text.startswith("/") else text
        parse = self._loop.run_until_complete(self._agent.parse_message(safe_text))
        return classification_from_parse(text, parse)

    def classify_all(self, texts: Iterable[str]) -> list[Classification]:
        return [self.classify(text) for text in texts]

    def close(self) -> None:
        self._loop.close()
