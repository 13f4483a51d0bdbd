"""The unmet-need inbox and its labels (issue 10), on SQLite and PostgreSQL.

Protected behaviour: only fallback / low-confidence / uncategorised text messages of the
chosen city and dates are in the inbox (never button payloads); clusters and their keys are
the same when recomputed; labelling a cluster labels exactly its current members with who and
when; a stale cluster key labels nothing; relabelling keeps the history and the latest label
is current; bad label values and messages of another city are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.analytics.inbox import REVIEW_CONFIDENCE, ClusterNotFound, build_inbox, label_cluster
from bot.analytics.labels import InvalidLabel, LabelStore, validate_label
from bot.analytics.masking import mask
from bot.analytics.migrate import upgrade_analytics
from bot.analytics.schema import LabelRow, MessageRow
from bot.tickets.engine import make_engine

MESSAGES = MessageRow.__table__
LABELS = LabelRow.__table__
DAY = date(2026, 5, 11)

PET = [
    "入院することになったけど、飼っている犬を預ける先がありません",
    "犬の世話をしてくれる人がいなくて入院できない",
    "ペットの犬を預かってくれるところはありますか。来月入院します",
    "猫を飼っているので入院中の世話が心配です",
    "入院の間、うちの犬を預けられる場所を探しています",
]
MOWING = [
    "庭の草刈りが自分ではもうできません",
    "年をとって庭の草が伸び放題、草刈りを頼める人がいない",
    "空き家の庭の草刈りを誰に頼めばいいですか",
    "草刈りを手伝ってくれるところを教えてください",
    "庭の草がのびて近所から苦情がきた。草刈りができない",
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    else:
        url = str(request.getfixturevalue("pg_url"))
    upgrade_analytics(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


class Rows:
    """Inserts analytic message rows as the ingestion would store them (text masked)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0

    @staticmethod
    def _values(
        text: str | None,
        number: int,
        *,
        city: str | None = "ube",
        day: date = DAY,
        fallback: str | None = "nlu_fallback",
        categories: list[str] | None = None,
        confidences: dict[str, float] | None = None,
        payload: bool = False,
    ) -> dict[str, Any]:
        at = datetime(day.year, day.month, day.day, 3, tzinfo=timezone.utc) + timedelta(
            seconds=number
        )
        values = {
            "event_key": f"{number:064d}",
            "conversation_hash": f"{number % 7:064d}",
            "occurred_at": at,
            "jst_date": day,
            "iso_year": day.isocalendar()[0],
            "iso_week": day.isocalendar()[1],
            "hour_jst": 12,
            "weekday_jst": day.isoweekday(),
            "channel": "web",
            "city": city,
            "categories": categories or [],
            "confidences": confidences or {},
            "crisis": False,
            "crisis_kind": None,
            "fallback": fallback,
            "all_routed": None,
            "unrouted": [],
            "is_payload": payload,
            "masked_text": None if text is None else mask(text),
        }
        return values

    def add_many(self, text: str, count: int) -> None:
        """``count`` identical fallback messages in one statement (for size tests)."""
        values = []
        for _ in range(count):
            self.count += 1
            values.append(self._values(text, self.count))
        with self.engine.begin() as connection:
            connection.execute(MESSAGES.insert(), values)

    def add(
        self,
        text: str | None,
        *,
        city: str | None = "ube",
        day: date = DAY,
        fallback: str | None = "nlu_fallback",
        categories: list[str] | None = None,
        confidences: dict[str, float] | None = None,
        payload: bool = False,
    ) -> int:
        self.count += 1
        values = self._values(
            text,
            self.count,
            city=city,
            day=day,
            fallback=fallback,
            categories=categories,
            confidences=confidences,
            payload=payload,
        )
        with self.engine.begin() as connection:
            return int(
                connection.execute(MESSAGES.insert().values(**values)).inserted_primary_key[0]
            )


def _planted(rows: Rows) -> dict[str, set[int]]:
    return {
        "pet": {rows.add(t) for t in PET},
        "mowing": {rows.add(t, fallback="out_of_scope") for t in MOWING},
    }


def test_selection_rules(engine: Any) -> None:
    """Fallbacks, weak and missing categories are in; payloads, other cities/dates are out."""
    rows = Rows(engine)
    fell_back = rows.add("草刈りをお願いしたい")
    weak = rows.add(
        "なんとなく家のことで",
        fallback=None,
        categories=["housing"],
        confidences={"housing": REVIEW_CONFIDENCE - 0.01},
    )
    uncategorised = rows.add("話を聞いてほしい", fallback=None)
    rows.add(
        "家賃が払えません",
        fallback=None,
        categories=["housing"],
        confidences={"housing": 0.93},
    )
    rows.add(None, payload=True, fallback=None, categories=[])  # a button press
    rows.add('/choose_city{"city": "ube"}', payload=True, fallback=None)  # as if it had text
    rows.add("草刈りをお願いしたい", city="masuda")
    rows.add("草刈りをお願いしたい", day=DAY - timedelta(days=40))
    inbox = build_inbox(engine, city="ube", since=DAY - timedelta(days=7), until=DAY)
    assert set(inbox.messages) == {fell_back, weak, uncategorised}
    everywhere = build_inbox(engine)
    assert len(everywhere.messages) == 5


def test_clusters_and_keys_are_stable(engine: Any) -> None:
    """Recomputing on the same rows gives the same clusters; the two needs stay apart."""
    rows = Rows(engine)
    planted = _planted(rows)
    rows.add("はい")
    first = build_inbox(engine, city="ube")
    second = build_inbox(engine, city="ube")
    assert first.clusters == second.clusters
    member_sets = [set(c.message_ids) for c in first.clusters]
    assert planted["pet"] in member_sets and planted["mowing"] in member_sets
    mowing = next(c for c in first.clusters if set(c.message_ids) == planted["mowing"])
    assert mowing.fallbacks == {"out_of_scope": 5} and mowing.cities == {"ube": 5}


def test_label_cluster_labels_its_members_with_who_and_when(engine: Any) -> None:
    """A cluster label is one row per member, with the username and a UTC time."""
    rows = Rows(engine)
    planted = _planted(rows)
    inbox = build_inbox(engine, city="ube")
    pet = next(c for c in inbox.clusters if set(c.message_ids) == planted["pet"])
    before = datetime.now(timezone.utc)
    labels = label_cluster(engine, pet.key, "new:ペットの世話", by="analyst_ube", city="ube")
    assert {lab.message_id for lab in labels} == planted["pet"]
    with engine.connect() as connection:
        stored = connection.execute(select(LABELS)).mappings().all()
    assert len(stored) == 5
    for row in stored:
        assert row["label"] == "new:ペットの世話"
        assert row["labelled_by"] == "analyst_ube"
        assert row["cluster_key"] == pet.key
        assert row["labelled_at"].tzinfo is not None and row["labelled_at"] >= before
    after = build_inbox(engine, city="ube")
    labelled = next(c for c in after.clusters if c.key == pet.key)  # key survives labelling
    assert labelled.labels == {"new:ペットの世話": 5} and not labelled.open
    other = next(c for c in after.clusters if set(c.message_ids) == planted["mowing"])
    assert other.labelled == 0 and other.open


def test_stale_cluster_key_labels_nothing(engine: Any) -> None:
    """A message that joined since the page was drawn changes the key: nothing is labelled."""
    rows = Rows(engine)
    planted = _planted(rows)
    key = next(
        c.key for c in build_inbox(engine).clusters if set(c.message_ids) == planted["mowing"]
    )
    rows.add("庭の草刈りを頼める人を探しています")
    with pytest.raises(ClusterNotFound):
        label_cluster(engine, key, "elderly_care", by="analyst_ube")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LABELS)).scalar_one() == 0


def test_relabelling_keeps_history_and_latest_wins(engine: Any) -> None:
    """Labels are appended; the current one is the latest, the earlier stay for audit."""
    rows = Rows(engine)
    message = rows.add("草刈りをお願いしたい")
    store = LabelStore(engine)
    t0 = datetime(2026, 5, 12, 1, tzinfo=timezone.utc)
    store.label_message(message, "elderly_care", by="a", at=t0)
    store.label_message(message, "new:草刈り", by="b", at=t0 + timedelta(hours=1))
    history = store.history(message)
    assert [(h.label, h.labelled_by) for h in history] == [
        ("elderly_care", "a"),
        ("new:草刈り", "b"),
    ]
    assert history[0].labelled_at == t0
    assert store.current([message])[message].label == "new:草刈り"


def test_labels_are_scoped_to_a_city(engine: Any) -> None:
    """An analyst of one city cannot label another city's message (nothing is written)."""
    rows = Rows(engine)
    ube = rows.add("草刈りをお願いしたい")
    masuda = rows.add("草刈りをお願いしたい", city="masuda")
    store = LabelStore(engine)
    with pytest.raises(InvalidLabel):
        store.label_messages([ube, masuda], "elderly_care", by="analyst_ube", city="ube")
    with pytest.raises(InvalidLabel):
        store.label_message(10_000, "elderly_care", by="analyst_ube")
    assert store.current() == {}
    store.label_message(ube, "elderly_care", by="analyst_ube", city="ube")
    assert set(store.current()) == {ube}


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("housing", "housing"),
        ("debt+housing", "housing+debt"),
        ("new:ペットの世話", "new:ペットの世話"),
        ("new: ＡＩ相談", "new:AI相談"),
        ("new:ゴミ屋敷・片付け", "new:ゴミ屋敷・片付け"),
    ],
)
def test_valid_labels(value: str, stored: str) -> None:
    """Category codes (canonical order for combinations) and new-need names are accepted."""
    assert validate_label(value) == stored


@pytest.mark.parametrize(
    "value",
    [
        "",
        "unknown",
        "housing+housing",
        "new:",
        "new:ペット/犬",
        "new:a+b",
        "new:" + "あ" * 41,
        "new:山田太郎さん",  # masking would change it: looks like a person's name
        "new:09012345678",
    ],
)
def test_invalid_labels_are_refused(value: str) -> None:
    """Unknown codes, empty or over-long names, intent syntax and personal data are refused."""
    with pytest.raises(InvalidLabel):
        validate_label(value)


def test_label_needs_a_user(engine: Any) -> None:
    """Who labelled is required: a label without a username is refused."""
    message = Rows(engine).add("草刈りをお願いしたい")
    with pytest.raises(InvalidLabel):
        LabelStore(engine).label_message(message, "housing", by=" ")


def test_labelling_a_large_cluster(engine: Any) -> None:
    """A cluster bigger than SQLite's 999-parameter limit is labelled whole, in one go."""
    rows = Rows(engine)
    rows.add_many("はい", 1200)
    inbox = build_inbox(engine, city="ube")
    assert [c.size for c in inbox.clusters] == [1200]
    labels = label_cluster(engine, inbox.clusters[0].key, "new:返事だけ", by="analyst_ube")
    assert len(labels) == 1200
    assert len(LabelStore(engine).current()) == 1200
    assert not build_inbox(engine, city="ube").clusters[0].open
