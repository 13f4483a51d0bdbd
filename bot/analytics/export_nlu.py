"""``intake export-nlu``: the analysts' labels as Rasa NLU training data, for review.

This closes the loop Rasa X's NLU inbox gives its users: messages the bot did not understand,
labelled by an analyst, come back as training examples. The file is for *review* by whoever
maintains ``data/nlu/``; it is never read by training directly (nothing here writes into
``data/``), because a label can be wrong and one example can shift a classifier.

Format: Rasa's YAML training data (``version: "3.1"``, ``nlu:`` → ``intent:`` / ``examples:``
as a literal block), so it loads with ``RasaYAMLReader`` and can be merged by copy and paste.

* **Intent names** are the training data's own: a category code (``housing``) or a
  multi-intent in canonical order joined by ``+`` (``housing+debt``), as in
  ``data/nlu/worries.yml`` and ``bot.nlu.categories``.
* **New needs** (``new:ペット``) have no intent yet. They are written as intents named
  ``new_need_<name>`` (``new_need_ペット``), each under a comment saying it is not a category
  of the bot: the name cannot be mistaken for an existing intent, and training on the file
  unreviewed would fail on the domain check instead of silently adding a category.
* **Text** is the stored masked text (〔電話〕, 〔氏名〕… stay as they are; the raw text does
  not exist in the analytic tables). Each example is one line: line breaks and runs of spaces
  become one space, and ASCII brackets become full-width (［］), because ``[text](entity)`` in
  an example is Rasa's entity markup. Duplicate texts within an intent are written once.
* **Which messages**: every message whose *current* label (``bot.analytics.labels``) exists,
  for one city or all, by message date in Japan time (``--since`` / ``--until``, included).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.analytics.labels import LabelStore, is_new_need, new_need_name
from bot.analytics.schema import MessageRow
from bot.categories import CATEGORIES
from bot.tickets.engine import as_engine

__all__ = ["NEW_NEED_INTENT_PREFIX", "NluExport", "collect_examples", "export_nlu", "render_yaml"]

NEW_NEED_INTENT_PREFIX = "new_need_"
MESSAGES = MessageRow.__table__
_BRACKETS = str.maketrans({"[": "［", "]": "］"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class NluExport:
    """The rendered YAML and what went into it."""

    yaml: str
    intents: Mapping[str, Sequence[str]]  # intent name → example texts, file order
    messages: int  # labelled messages read (before duplicates were merged)


def intent_name(label: str) -> str:
    """The training-data intent for a stored label (see module docstring)."""
    if is_new_need(label):
        return NEW_NEED_INTENT_PREFIX + new_need_name(label)
    return label


def example_text(masked_text: str) -> str:
    """One line, no entity markup (see module docstring); '' when nothing is left."""
    return _SPACES.sub(" ", masked_text.translate(_BRACKETS)).strip()


def _intent_order(intent: str) -> tuple[int, tuple[int, ...], str]:
    """Categories first (canonical order, single before combined), then new needs by name."""
    if intent.startswith(NEW_NEED_INTENT_PREFIX):
        return (1, (), intent)
    codes = intent.split("+")
    return (0, tuple(CATEGORIES.index(c) if c in CATEGORIES else 99 for c in codes), intent)


def collect_examples(
    engine: Engine,
    *,
    city: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> tuple[dict[str, list[str]], int]:
    """intent → distinct example texts (in message order), and the labelled messages read."""
    query = select(MESSAGES.c.id, MESSAGES.c.masked_text).where(
        MESSAGES.c.masked_text.is_not(None), MESSAGES.c.is_payload.is_(False)
    )
    if city is not None:
        query = query.where(MESSAGES.c.city == city)
    if since is not None:
        query = query.where(MESSAGES.c.jst_date >= since)
    if until is not None:
        query = query.where(MESSAGES.c.jst_date <= until)
    current = LabelStore(engine).current()
    if not current:
        return {}, 0
    by_intent: dict[str, list[str]] = {}
    read = 0
    with engine.connect() as connection:
        for row in connection.execute(query.order_by(MESSAGES.c.id)).mappings():
            label = current.get(int(row["id"]))
            if label is None:
                continue
            read += 1
            text = example_text(str(row["masked_text"]))
            if not text:
                continue
            examples = by_intent.setdefault(intent_name(label.label), [])
            if text not in examples:
                examples.append(text)
    ordered = {intent: by_intent[intent] for intent in sorted(by_intent, key=_intent_order)}
    return ordered, read


def render_yaml(
    intents: Mapping[str, Sequence[str]],
    *,
    scope: str,
    generated_at: datetime | None = None,
) -> str:
    """Rasa YAML (3.1) with a header saying what it is and that it must be reviewed."""
    when = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%MZ")
    lines = [
        "# intake export-nlu: 分析担当者がラベルを付けたメッセージ（個人情報はマスク済み）",
        f"# 範囲: {scope} / 作成: {when} (UTC)",
        "# 確認用です。data/nlu/ に入れる前に、一文ずつ内容とラベルを確かめてください。",
        'version: "3.1"',
    ]
    if not intents:
        lines.append("nlu: []")
        return "\n".join(lines) + "\n"
    lines.append("nlu:")
    for intent, examples in intents.items():
        if intent.startswith(NEW_NEED_INTENT_PREFIX):
            name = intent[len(NEW_NEED_INTENT_PREFIX) :]
            lines.append(
                f"# 新しいニーズ「{name}」: ボットのカテゴリにはありません。"
                "学習に使う前に、意図・応答・窓口を決めてください。"
            )
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in examples)
    return "\n".join(lines) + "\n"


def export_nlu(
    engine_or_url: Engine | str,
    *,
    city: str | None = None,
    since: date | None = None,
    until: date | None = None,
    generated_at: datetime | None = None,
) -> NluExport:
    """Collect the labelled messages of this scope and render them (nothing is written)."""
    engine = as_engine(engine_or_url)
    try:
        intents, read = collect_examples(engine, city=city, since=since, until=until)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
    scope = (
        f"city={city or 'all'} since={since.isoformat() if since else '-'} "
        f"until={until.isoformat() if until else '-'}"
    )
    return NluExport(render_yaml(intents, scope=scope, generated_at=generated_at), intents, read)
