"""The unmet-need inbox: what the bot did not understand, grouped so an analyst can read it.

Rasa X's NLU inbox and Botpress's "misunderstood" module show each message on its own; a
city gets hundreds a month, so here they are grouped first (``bot.analytics.clustering``) and
an analyst labels a whole group at once — with an existing category, or as a need no window
and no category covers (制度の狭間), which is what the plans ask cities to find.

**What is in the inbox** (``needs_review``): resident messages with text (button presses,
``is_payload``, are never in it) where

* the bot fell back (``fallback`` set: ``nlu_fallback``, ``out_of_scope``, ``low_confidence``),
* or no worry category was found,
* or the best category confidence is below ``REVIEW_CONFIDENCE`` (0.6, the same threshold
  the ingestion uses for ``low_confidence``: ``bot.analytics.events.LOW_CONFIDENCE``).

for one city (or all) and a range of dates in Japan time (``jst_date``, both ends included).
Only the masked text is read; nothing else about the resident exists in these tables.

Labelled messages stay in the clusters (with their label counts) instead of disappearing:
removing them would change the TF-IDF weights and so the other clusters and their keys, and
an analyst could then not label what they were looking at. The console hides a cluster whose
messages are all labelled (``Cluster.open``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.analytics.clustering import DEFAULT_DISTANCE_THRESHOLD, Document, cluster_documents
from bot.analytics.events import LOW_CONFIDENCE
from bot.analytics.labels import InvalidLabel, Label, LabelStore, validate_label, validate_user
from bot.analytics.schema import MessageRow
from bot.tickets.engine import as_engine

__all__ = [
    "REVIEW_CONFIDENCE",
    "Cluster",
    "ClusterNotFound",
    "Inbox",
    "InboxMessage",
    "build_inbox",
    "label_cluster",
    "needs_review",
    "select_messages",
]

#: A message whose best category confidence is under this goes to the inbox.
REVIEW_CONFIDENCE = LOW_CONFIDENCE
MESSAGES = MessageRow.__table__


class ClusterNotFound(InvalidLabel):
    """The cluster key is not in the inbox any more (new messages changed the clusters)."""


@dataclass(frozen=True)
class InboxMessage:
    """One message of the inbox (masked text only)."""

    id: int
    event_key: str
    occurred_at: datetime
    jst_date: date
    city: str | None
    fallback: str | None
    categories: tuple[str, ...]
    top_confidence: float | None
    masked_text: str


@dataclass(frozen=True)
class Cluster:
    """A group of similar messages as the analyst sees it."""

    key: str
    message_ids: tuple[int, ...]
    top_terms: tuple[str, ...]
    examples: tuple[str, ...]
    labelled: int  # members with a current label
    labels: Mapping[str, int]  # current label → members with it
    fallbacks: Mapping[str, int]  # fallback kind (or "none") → members
    cities: Mapping[str, int]  # city code (or "unknown") → members

    @property
    def size(self) -> int:
        return len(self.message_ids)

    @property
    def open(self) -> bool:
        """Some member has no label yet."""
        return self.labelled < self.size


@dataclass(frozen=True)
class Inbox:
    """The inbox for one scope: its clusters (largest first) and messages by id."""

    city: str | None
    since: date | None
    until: date | None
    clusters: tuple[Cluster, ...]
    messages: Mapping[int, InboxMessage] = field(repr=False)
    current_labels: Mapping[int, Label] = field(repr=False)

    def cluster(self, key: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.key == key:
                return cluster
        raise ClusterNotFound(
            "このまとまりは見つかりません。新しいメッセージで変わった可能性があります。"
            "画面を更新してください"
        )


def _top_confidence(confidences: Any) -> float | None:
    if not isinstance(confidences, Mapping):
        return None
    scores = [float(v) for v in confidences.values() if isinstance(v, (int, float))]
    return max(scores) if scores else None


def needs_review(
    fallback: str | None,
    categories: Any,
    confidences: Any,
    threshold: float = REVIEW_CONFIDENCE,
) -> bool:
    """The inbox rule (module docstring): fell back, no category, or a weak best category."""
    if fallback:
        return True
    if not categories:
        return True
    top = _top_confidence(confidences)
    return top is not None and top < threshold


def select_messages(
    engine: Engine,
    *,
    city: str | None = None,
    since: date | None = None,
    until: date | None = None,
    threshold: float = REVIEW_CONFIDENCE,
) -> list[InboxMessage]:
    """The inbox's messages in id order (the confidence rule runs here, on JSON columns)."""
    query = select(
        MESSAGES.c.id,
        MESSAGES.c.event_key,
        MESSAGES.c.occurred_at,
        MESSAGES.c.jst_date,
        MESSAGES.c.city,
        MESSAGES.c.fallback,
        MESSAGES.c.categories,
        MESSAGES.c.confidences,
        MESSAGES.c.masked_text,
    ).where(MESSAGES.c.is_payload.is_(False), MESSAGES.c.masked_text.is_not(None))
    if city is not None:
        query = query.where(MESSAGES.c.city == city)
    if since is not None:
        query = query.where(MESSAGES.c.jst_date >= since)
    if until is not None:
        query = query.where(MESSAGES.c.jst_date <= until)
    selected: list[InboxMessage] = []
    with engine.connect() as connection:
        for row in connection.execute(query.order_by(MESSAGES.c.id)).mappings():
            if not row["masked_text"] or not needs_review(
                row["fallback"], row["categories"], row["confidences"], threshold
            ):
                continue
            selected.append(
                InboxMessage(
                    id=int(row["id"]),
                    event_key=str(row["event_key"]),
                    occurred_at=row["occurred_at"],
                    jst_date=row["jst_date"],
                    city=row["city"],
                    fallback=row["fallback"],
                    categories=tuple(row["categories"] or ()),
                    top_confidence=_top_confidence(row["confidences"]),
                    masked_text=str(row["masked_text"]),
                )
            )
    return selected


def build_inbox(
    engine_or_url: Engine | str,
    *,
    city: str | None = None,
    since: date | None = None,
    until: date | None = None,
    threshold: float = REVIEW_CONFIDENCE,
    distance_threshold: float = DEFAULT_DISTANCE_THRESHOLD,
    top_terms: int = 8,
    examples: int = 5,
) -> Inbox:
    """Select, cluster and attach the current labels; same data → same clusters and keys."""
    engine = as_engine(engine_or_url)
    try:
        messages = select_messages(engine, city=city, since=since, until=until, threshold=threshold)
        groups = cluster_documents(
            [Document(m.id, m.event_key, m.masked_text) for m in messages],
            threshold=distance_threshold,
            top_terms=top_terms,
            examples=examples,
        )
        current = LabelStore(engine).current([m.id for m in messages]) if messages else {}
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
    by_id = {m.id: m for m in messages}
    clusters = []
    for group in groups:
        members = [by_id[i] for i in group.message_ids]
        labels = Counter(current[m.id].label for m in members if m.id in current)
        clusters.append(
            Cluster(
                key=group.key,
                message_ids=group.message_ids,
                top_terms=group.top_terms,
                examples=group.examples,
                labelled=sum(labels.values()),
                labels=dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))),
                fallbacks=_counts(m.fallback or "none" for m in members),
                cities=_counts(m.city or "unknown" for m in members),
            )
        )
    return Inbox(city, since, until, tuple(clusters), by_id, current)


def _counts(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def label_cluster(
    engine_or_url: Engine | str,
    key: str,
    label: str,
    *,
    by: str,
    city: str | None = None,
    since: date | None = None,
    until: date | None = None,
    at: datetime | None = None,
    **inbox_options: Any,
) -> list[Label]:
    """Label every current member of cluster ``key`` in the inbox of this scope.

    The clusters are recomputed with the scope the analyst was looking at (``city``,
    ``since``, ``until`` and any ``build_inbox`` option); if ``key`` is not among them the
    data changed since the page was drawn and ``ClusterNotFound`` is raised: nothing is
    labelled that the analyst did not see.
    """
    validate_label(label)  # refuse a bad value before the clustering work
    validate_user(by)
    engine = as_engine(engine_or_url)
    try:
        inbox = build_inbox(engine, city=city, since=since, until=until, **inbox_options)
        cluster = inbox.cluster(key)
        return LabelStore(engine).label_messages(
            cluster.message_ids, label, by=by, cluster_key=key, city=city, at=at
        )
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
