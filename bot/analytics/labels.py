"""Analysts' labels in the unmet-need inbox: what a message (or a whole cluster) is about.

A label is either a worry category the bot already knows — a code (``housing``) or a
combination in canonical order, spelt as the training data spells multi-intents
(``housing+debt``) — or a need no category covers, ``new:<short name>`` (``new:ペットの世話``).

Decisions:

* **Labels attach to messages.** Labelling a cluster writes one row per message that was in
  it (``message_id`` and ``cluster_key`` both set, so the row says it came from a cluster
  label). A message that joins the cluster later is *not* labelled by it: nobody has read it.
* **History is kept.** Relabelling appends a row; nothing is updated or deleted (except by the
  retention purge, which deletes a message with its labels). The *current* label of a message
  is its latest row (``labelled_at``, then ``id``), whether it came from a cluster or a single
  message: the analyst's last decision wins, and who decided what, when, stays visible.
* **Validation** happens before anything is written; new-need names are short, one line,
  without the characters that mean something in intent names (``+`` ``/`` ``:``) or in Rasa's
  YAML examples (brackets), and must not look like personal data (the masking would change
  them): a label is read by many people and exported with the training data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.analytics.masking import mask
from bot.analytics.schema import LabelRow, MessageRow
from bot.categories import CATEGORIES
from bot.tickets.engine import as_engine

__all__ = [
    "NEW_NEED_PREFIX",
    "InvalidLabel",
    "Label",
    "LabelStore",
    "is_new_need",
    "new_need_name",
    "validate_label",
    "validate_user",
]

NEW_NEED_PREFIX = "new:"
NEW_NEED_MAX_CHARS = 40
_NEW_NEED_NAME = re.compile(r"[\w・ー々〆\-]+")
_USER_MAX_CHARS = 64
LABELS = LabelRow.__table__
MESSAGES = MessageRow.__table__


class InvalidLabel(ValueError):
    """A label value, user name or target the inbox refuses (the message says why, in Japanese)."""


@dataclass(frozen=True)
class Label:
    """One stored label row."""

    id: int
    message_id: int
    cluster_key: str | None
    label: str
    labelled_by: str
    labelled_at: datetime


def is_new_need(label: str) -> bool:
    return label.startswith(NEW_NEED_PREFIX)


def new_need_name(label: str) -> str:
    """``new:ペット`` → ``ペット`` (ValueError for a category label)."""
    if not is_new_need(label):
        raise ValueError(f"not a new-need label: {label!r}")
    return label[len(NEW_NEED_PREFIX) :]


def validate_label(value: str) -> str:
    """The label in its stored spelling, or ``InvalidLabel``.

    Categories are accepted in any order and returned in canonical order (``debt+housing`` →
    ``housing+debt``); the new-need name is NFKC-normalised (full-width letters folded).
    """
    if not isinstance(value, str):
        raise InvalidLabel("ラベルが文字列ではありません")
    text = unicodedata.normalize("NFKC", value).strip()
    if is_new_need(text):
        name = text[len(NEW_NEED_PREFIX) :].strip()
        if not name:
            raise InvalidLabel("新しいニーズの名前が空です（例: new:ペットの世話）")
        if len(name) > NEW_NEED_MAX_CHARS:
            raise InvalidLabel(f"新しいニーズの名前は{NEW_NEED_MAX_CHARS}文字以内にしてください")
        if not _NEW_NEED_NAME.fullmatch(name):
            raise InvalidLabel(
                "新しいニーズの名前には文字・数字・「・」「ー」「-」「_」だけを使ってください"
            )
        if mask(name) != name:
            raise InvalidLabel("新しいニーズの名前に個人を特定できる情報を入れないでください")
        return NEW_NEED_PREFIX + name
    codes = [part.strip() for part in text.split("+")]
    unknown = [code for code in codes if code not in CATEGORIES]
    if not text or unknown:
        raise InvalidLabel(
            "ラベルはカテゴリ（" + ", ".join(CATEGORIES) + "、複数は + でつなぐ）"
            "か new:名前 にしてください"
        )
    if len(set(codes)) != len(codes):
        raise InvalidLabel("同じカテゴリが重複しています")
    return "+".join(code for code in CATEGORIES if code in codes)


def validate_user(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > _USER_MAX_CHARS:
        raise InvalidLabel("ラベルを付けた人（ユーザー名）が必要です")
    return name


def _now() -> datetime:
    return datetime.now(timezone.utc)


class LabelStore:
    """Reads and appends ``analytic_labels`` rows (the tables come from the migrations)."""

    def __init__(self, engine_or_url: Engine | str) -> None:
        self.engine: Engine = as_engine(engine_or_url)
        self._owns_engine = isinstance(engine_or_url, str)

    def dispose(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def label_messages(
        self,
        message_ids: Iterable[int],
        label: str,
        *,
        by: str,
        cluster_key: str | None = None,
        city: str | None = None,
        at: datetime | None = None,
    ) -> list[Label]:
        """Append one label row per message, in one transaction; unknown ids refuse all.

        ``cluster_key`` records that the rows come from labelling that cluster. ``city``
        scopes the call (an analyst of one city): a message of another city refuses all.
        """
        value = validate_label(label)
        user = validate_user(by)
        if at is not None and at.utcoffset() is None:
            raise ValueError("labelled_at must be timezone-aware")
        when = (at or _now()).astimezone(timezone.utc)
        ids = sorted(set(int(i) for i in message_ids))
        if not ids:
            raise InvalidLabel("ラベルを付けるメッセージがありません")
        if cluster_key is not None and not (0 < len(cluster_key) <= 64):
            raise InvalidLabel("クラスタのキーが正しくありません")
        with self.engine.begin() as connection:
            found: set[int] = set()
            for chunk in _chunks(ids):  # SQLite before 3.32 takes at most 999 parameters
                query = select(MESSAGES.c.id).where(MESSAGES.c.id.in_(chunk))
                if city is not None:
                    query = query.where(MESSAGES.c.city == city)
                found.update(connection.execute(query).scalars())
            missing = [i for i in ids if i not in found]
            if missing:
                raise InvalidLabel(f"メッセージが見つかりません: {missing[:5]}")
            labels = []
            for message_id in ids:
                result = connection.execute(
                    LABELS.insert().values(
                        message_id=message_id,
                        cluster_key=cluster_key,
                        label=value,
                        labelled_by=user,
                        labelled_at=when,
                    )
                )
                row_id = int(result.inserted_primary_key[0])
                labels.append(Label(row_id, message_id, cluster_key, value, user, when))
        return labels

    def label_message(
        self,
        message_id: int,
        label: str,
        *,
        by: str,
        city: str | None = None,
        at: datetime | None = None,
    ) -> Label:
        """Label one message (``city``: refuse a message of another city)."""
        return self.label_messages([message_id], label, by=by, city=city, at=at)[0]

    def history(self, message_id: int) -> list[Label]:
        """Every label the message ever had, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(LABELS)
                .where(LABELS.c.message_id == message_id)
                .order_by(LABELS.c.labelled_at, LABELS.c.id)
            ).mappings()
            return [_label(row) for row in rows]

    def current(self, message_ids: Sequence[int] | None = None) -> dict[int, Label]:
        """message id → its current (latest) label; ``None``: every labelled message."""
        statement = select(LABELS).where(LABELS.c.message_id.is_not(None))
        result: dict[int, Label] = {}
        with self.engine.connect() as connection:
            chunks: list[list[int] | None] = (
                [None] if message_ids is None else list(_chunks(sorted(set(message_ids))))
            )
            for chunk in chunks:
                query = (
                    statement if chunk is None else statement.where(LABELS.c.message_id.in_(chunk))
                )
                for row in connection.execute(query).mappings():
                    label = _label(row)
                    known = result.get(label.message_id)
                    if known is None or (label.labelled_at, label.id) > (
                        known.labelled_at,
                        known.id,
                    ):
                        result[label.message_id] = label
        return result


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _label(row: object) -> Label:
    values = dict(row)  # type: ignore[call-overload]
    at = values["labelled_at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return Label(
        id=int(values["id"]),
        message_id=int(values["message_id"]),
        cluster_key=values["cluster_key"],
        label=str(values["label"]),
        labelled_by=str(values["labelled_by"]),
        labelled_at=at,
    )
