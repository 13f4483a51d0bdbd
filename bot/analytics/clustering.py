"""Group similar masked messages: TF-IDF on Sudachi normalised forms, agglomerative clustering.

Why these choices:

* **Terms** are Sudachi's *normalised forms* (``bot.nlu.sudachi.SudachiAnalyzer``, split
  mode A, the shortest units) of content words only: nouns (not numerals), verbs, adjectives
  and adjectival nouns that carry meaning. Normalised forms fold spelling variants
  (出来る/できる, 居る/いる, 無い/ない), and short units make 介護保険 and 介護 share a term,
  so residents who say the same thing in different words still overlap. Particles,
  auxiliaries, symbols, dependent verbs (する, いる, できる…), affixes and a few empty nouns
  (こと, もの…) are dropped: every message has them and they would make everything similar.
  The mask tokens (〔電話〕, 〔氏名〕…) are removed before analysis: they say a phone or a
  name was given, not what the worry is, and 〔電話〕 would otherwise become the word 電話.
* **Weights**: scikit-learn's ``TfidfVectorizer`` with sublinear tf and L2 norm, fitted on
  the messages being clustered (the inbox's own vocabulary: what is rare *there* separates).
* **Clustering**: ``AgglomerativeClustering`` with average linkage on cosine distances and a
  ``distance_threshold`` instead of a number of clusters. Nobody knows in advance how many
  unmet needs hide in a month of fallbacks, so a method that needs *k* (k-means, or k picked
  by silhouette, which also costs one clustering per candidate k and tends to favour a few
  big groups) is the wrong fit; a threshold says "this similar" and lets the number follow.
  Average linkage (rather than single) keeps chains of loosely related messages from merging
  into one blob. The algorithm has no randomness, and the input is ordered by message id, so
  the same rows always give the same clusters. Cost is O(n²) memory and time: 3,000
  varied messages take about 2.6 s on this machine kind (2 cores), 5,000 about 5 s.
* **Messages without any content word** (「はい」, stickers, 〔非表示〕) cannot be compared;
  they form one separate group with no top terms rather than thousands of singletons.
* **Cluster key**: the first 16 hex digits of SHA-256 over the members' sorted ``event_key``
  values. Recomputed on the same data it is the same, so an analyst's "label this cluster"
  reaches exactly the messages they saw; when a new message joins, the key changes and a
  label request with the old key is refused rather than labelling messages nobody saw.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances

from bot.analytics.mask_tokens import TOKENS, WITHHELD
from bot.nlu.sudachi import Morpheme, SudachiAnalyzer

__all__ = [
    "DEFAULT_DISTANCE_THRESHOLD",
    "Document",
    "Group",
    "cluster_documents",
    "cluster_key",
    "content_terms",
]

#: Cosine distance under which two groups merge (average linkage): 0.85 merges two groups
#: while the average cosine similarity between their messages is at least 0.15. Tuned on
#: the planted near-duplicates of ``tests/analytics/test_clustering.py``: 0.75 split variants
#: of one need (犬を預ける / ペットの世話), 0.9 began to pull unrelated one-word messages into
#: a need that shares the word (市役所).
DEFAULT_DISTANCE_THRESHOLD = 0.85
SPLIT_MODE = "A"

_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
# Second-level parts of speech that carry no topic: 数詞 (numbers), 非自立可能 (する, いる,
# できる, ない… used as helpers), 助動詞語幹 (そう, よう).
_SKIPPED_SUBPOS = frozenset({"数詞", "非自立可能", "助動詞語幹"})
# Nouns with no topic of their own, then the frame of any request for help rather than its
# topic (「…を教えてください」「心配です」): every message has them, they would make all alike.
_STOP_WORDS = (
    "事 こと 物 もの 為 ため 様 よう 方 所 時 中 今 感じ 気 訳 積もり 辺 人 うち 間 先 自分 何 誰 "
    "教える 手伝う 頼む 相談 知る 分かる 欲しい 困る 探す 思う 言う 願う 聞く 話す 助ける "
    "良い いい 大丈夫 心配 不安 辛い"
)
_STOP_TERMS = frozenset(_STOP_WORDS.split())
_MASKS = (*TOKENS, WITHHELD)

_analyzer: SudachiAnalyzer | None = None


@dataclass(frozen=True)
class Document:
    """One message to cluster: its stable identity and its masked text."""

    message_id: int
    event_key: str
    text: str


@dataclass(frozen=True)
class Group:
    """One cluster: members in input order, top terms, examples nearest its centre."""

    key: str
    message_ids: tuple[int, ...]
    top_terms: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.message_ids)


def _sudachi() -> SudachiAnalyzer:
    global _analyzer
    if _analyzer is None:
        _analyzer = SudachiAnalyzer(SPLIT_MODE)
    return _analyzer


def _is_content(morpheme: Morpheme) -> bool:
    pos = morpheme.pos
    if not pos or pos[0] not in _CONTENT_POS:
        return False
    if len(pos) > 1 and pos[1] in _SKIPPED_SUBPOS:
        return False
    return morpheme.normalized not in _STOP_TERMS and not morpheme.normalized.isdigit()


def content_terms(text: str) -> list[str]:
    """The normalised content words of a masked message, mask tokens removed, in order."""
    for token in _MASKS:
        text = text.replace(token, " ")
    if not text.strip():
        return []
    return [m.normalized for m in _sudachi().analyze(text) if _is_content(m)]


def cluster_key(event_keys: Sequence[str]) -> str:
    """Stable key of a group: hash of its members' sorted event keys (see module docstring)."""
    digest = hashlib.sha256("\n".join(sorted(event_keys)).encode("utf-8"))
    return digest.hexdigest()[:16]


def _agglomerative(threshold: float) -> AgglomerativeClustering:
    """Precomputed cosine distances; the keyword is ``metric`` from scikit-learn 1.2 on."""
    parameters = inspect.signature(AgglomerativeClustering).parameters
    distance = {"metric" if "metric" in parameters else "affinity": "precomputed"}
    return AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, linkage="average", **distance
    )


def _examples(
    texts: Sequence[str], vectors: np.ndarray, centre: np.ndarray, limit: int
) -> tuple[str, ...]:
    """Up to ``limit`` distinct texts, nearest the group's centre first (ties: input order)."""
    scores = vectors @ centre if len(centre) else np.zeros(len(texts))
    order = sorted(range(len(texts)), key=lambda i: (-round(float(scores[i]), 9), i))
    chosen: list[str] = []
    for index in order:
        if texts[index] not in chosen:
            chosen.append(texts[index])
        if len(chosen) == limit:
            break
    return tuple(chosen)


def cluster_documents(
    documents: Sequence[Document],
    *,
    threshold: float = DEFAULT_DISTANCE_THRESHOLD,
    top_terms: int = 8,
    examples: int = 5,
) -> list[Group]:
    """Cluster ``documents``; largest group first, then by key (a stable order).

    Input order does not matter: documents are sorted by message id first.
    """
    docs = sorted(documents, key=lambda d: d.message_id)
    terms = [content_terms(d.text) for d in docs]
    with_terms = [i for i, t in enumerate(terms) if t]
    without = [i for i, t in enumerate(terms) if not t]
    groups: list[Group] = []
    if without:
        members = [docs[i] for i in without]
        groups.append(
            Group(
                key=cluster_key([d.event_key for d in members]),
                message_ids=tuple(d.message_id for d in members),
                top_terms=(),
                examples=_examples([d.text for d in members], np.zeros(0), np.zeros(0), examples),
            )
        )
    if with_terms:
        groups.extend(
            _cluster_with_terms(
                [docs[i] for i in with_terms],
                [terms[i] for i in with_terms],
                threshold=threshold,
                top_terms=top_terms,
                examples=examples,
            )
        )
    return sorted(groups, key=lambda g: (-g.size, g.key))


def _cluster_with_terms(
    docs: Sequence[Document],
    terms: Sequence[list[str]],
    *,
    threshold: float,
    top_terms: int,
    examples: int,
) -> list[Group]:
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True, norm="l2")
    matrix = vectorizer.fit_transform(terms)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    if len(docs) == 1:
        assignment = np.zeros(1, dtype=int)
    else:
        distances = cosine_distances(matrix).astype(np.float64)
        np.clip(distances, 0.0, 2.0, out=distances)
        np.fill_diagonal(distances, 0.0)
        assignment = _agglomerative(threshold).fit_predict(distances)
    dense_rows = matrix.tocsr()
    groups: list[Group] = []
    for label in sorted(set(int(a) for a in assignment)):
        index = [i for i, a in enumerate(assignment) if int(a) == label]
        members = [docs[i] for i in index]
        vectors = dense_rows[index].toarray()
        centre = vectors.mean(axis=0)
        ranked = sorted(
            (i for i in np.flatnonzero(centre)),
            key=lambda i: (-round(float(centre[i]), 9), str(vocabulary[i])),
        )
        norm = float(np.linalg.norm(centre))
        groups.append(
            Group(
                key=cluster_key([d.event_key for d in members]),
                message_ids=tuple(d.message_id for d in members),
                top_terms=tuple(str(vocabulary[i]) for i in ranked[:top_terms]),
                examples=_examples(
                    [d.text for d in members],
                    vectors,
                    centre / norm if norm else centre,
                    examples,
                ),
            )
        )
    return groups
