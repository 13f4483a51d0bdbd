"""How evidence for each worry category is combined into one decision.

Kept free of Rasa so the policy (which is what residents feel: a missed worry or a wrong window)
can be unit-tested and tuned on its own. Three sources of evidence:

- a per-category logistic regression on the pipeline's sparse features (multi-label: it learns
  from every training example, so combinations never seen in training are still found);
- DIET's intent ranking, whose multi-intent labels (``housing+debt``) are spread to categories;
- a small lexicon over the katakana reading, for spellings the model has not seen.

A message of several sentences is also judged sentence by sentence (``bot.nlu.segments``): a
worry that one sentence carries on its own is the message's worry too, however loud the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.nlu.categories import CATEGORIES, categories_of_intent


@dataclass(frozen=True)
class ScoringPolicy:
    threshold: float = 0.5
    # Weight of the logistic regression against DIET's spread ranking.
    regression_weight: float = 0.6
    # A lexicon hit lifts a category to at least this score when some model evidence exists.
    lexicon_floor: float = 0.55
    lexicon_min_evidence: float = 0.05
    # A sentence of a longer message adds its worry at this regression score.
    sentence_threshold: float = 0.6


@dataclass
class CategoryDecision:
    categories: list[str]
    confidence: dict[str, float] = field(default_factory=dict)


def spread_ranking(ranking: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """Sum DIET's confidences of every label that contains each category."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    for entry in ranking:
        name = entry.get("name")
        confidence = entry.get("confidence")
        if not isinstance(name, str) or not isinstance(confidence, (int, float)):
            continue
        for category in categories_of_intent(name):
            scores[category] += float(confidence)
    return {code: min(score, 1.0) for code, score in scores.items()}


def decide(
    regression: Mapping[str, float],
    diet: Mapping[str, float],
    lexicon_hits: Iterable[str],
    policy: ScoringPolicy = ScoringPolicy(),
) -> CategoryDecision:
    """Combine the three sources into the categories the bot acts on."""
    hits = set(lexicon_hits)
    confidence: dict[str, float] = {}
    for code in CATEGORIES:
        weight = policy.regression_weight
        score = weight * regression.get(code, 0.0) + (1.0 - weight) * diet.get(code, 0.0)
        if code in hits and score >= policy.lexicon_min_evidence:
            score = max(score, policy.lexicon_floor)
        confidence[code] = round(min(score, 1.0), 4)
    chosen = [code for code in CATEGORIES if confidence[code] >= policy.threshold]
    return CategoryDecision(categories=chosen, confidence=confidence)


def add_sentence_worries(
    decision: CategoryDecision,
    sentence_regressions: Sequence[Mapping[str, float]],
    policy: ScoringPolicy = ScoringPolicy(),
) -> CategoryDecision:
    """The message's categories plus any worry one of its sentences carries on its own.

    A sentence has only the regression (DIET reads the whole message, and the lexicon already
    reads every sentence as part of the whole), so it needs a little more than the message's
    threshold: ``sentence_threshold``.
    """
    confidence = dict(decision.confidence)
    chosen = set(decision.categories)
    for regression in sentence_regressions:
        for code in CATEGORIES:
            score = regression.get(code, 0.0)
            if score >= policy.sentence_threshold:
                chosen.add(code)
                confidence[code] = round(max(confidence.get(code, 0.0), min(score, 1.0)), 4)
    return CategoryDecision(
        categories=[code for code in CATEGORIES if code in chosen], confidence=confidence
    )
