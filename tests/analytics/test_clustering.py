"""Clustering of the unmet-need inbox (issue 10): similar worries together, distinct apart.

Protected behaviour: planted near-duplicates (five differently worded variants of four needs
no category covers) land in one cluster each and never share a cluster with another need or
with the noise; mask tokens and particles are not terms; the same data gives the same
clusters and keys whatever the input order, and a new member changes the key; a few thousand
messages cluster in seconds.
"""

from __future__ import annotations

import random
import time

from bot.analytics.clustering import (
    Document,
    cluster_documents,
    cluster_key,
    content_terms,
)

PLANTED: dict[str, list[str]] = {
    "pet": [
        "入院することになったけど、飼っている犬を預ける先がありません",
        "犬の世話をしてくれる人がいなくて入院できない",
        "ペットの犬を預かってくれるところはありますか。来月入院します",
        "猫を飼っているので入院中の世話が心配です",
        "入院の間、うちの犬を預けられる場所を探しています",
    ],
    "mowing": [
        "庭の草刈りが自分ではもうできません",
        "年をとって庭の草が伸び放題、草刈りを頼める人がいない",
        "空き家の庭の草刈りを誰に頼めばいいですか",
        "草刈りを手伝ってくれるところを教えてください",
        "庭の草がのびて近所から苦情がきた。草刈りができない",
    ],
    "language": [
        "日本語が読めなくて市役所の書類が分かりません",
        "役所から届いた書類の日本語が難しくて読めない",
        "外国籍で、日本語の手紙を読んでくれる人を探しています",
        "書類を翻訳してくれる窓口はありますか。日本語が苦手です",
        "日本語がわからないので書類の書き方を教えてほしい",
    ],
    "clutter": [
        "部屋がゴミでいっぱいで片付けられません",
        "ゴミ屋敷になってしまって自分では片付けできない",
        "父の家がゴミだらけで片付けを手伝ってほしい",
        "ゴミの片付けを頼める業者や支援はありますか",
        "部屋の片付けができずゴミがたまる一方です",
    ],
}
NOISE = [
    "はい",
    "ありがとう",
    "今日は天気がいいですね",
    "花火大会はいつですか",
    "〔電話〕",
    "好きな食べ物は？",
    "スマホの料金プランを変えたい",
    "あいうえお",
    "教えてください",
    "誰に相談すればいいですか",
    "手伝ってほしいことがあります",
    "心配なことがあって",
    "市役所は何時まで開いていますか",
    "〔氏名〕と申します。〔電話〕に連絡ください",
    "バスの時刻表を知りたい",
    "よろしくお願いします",
]


def planted_documents() -> tuple[list[Document], dict[int, str]]:
    """Needs and noise interleaved (so grouping cannot come from input order)."""
    texts = [(need, text) for need, variants in PLANTED.items() for text in variants]
    texts += [("noise", text) for text in NOISE]
    random.Random(7).shuffle(texts)
    documents, truth = [], {}
    for index, (need, text) in enumerate(texts, start=1):
        documents.append(Document(index, f"event-{index:04d}", text))
        truth[index] = need
    return documents, truth


def test_planted_needs_are_grouped_together_and_kept_apart() -> None:
    """Each need's five variants form one cluster containing nothing else."""
    documents, truth = planted_documents()
    groups = cluster_documents(documents)
    for need in PLANTED:
        members = {i for i, t in truth.items() if t == need}
        holding = [g for g in groups if members & set(g.message_ids)]
        assert len(holding) == 1, (need, [g.message_ids for g in holding])
        assert set(holding[0].message_ids) == members, need
    by_need = {truth[g.message_ids[0]]: g for g in groups if truth[g.message_ids[0]] != "noise"}
    assert "草刈り" in by_need["mowing"].top_terms[:2]
    assert "入院" in by_need["pet"].top_terms[:2]
    assert {"ゴミ", "片付け"} <= set(by_need["clutter"].top_terms[:3])
    assert len(by_need["language"].examples) == 5
    assert set(by_need["language"].examples) == set(PLANTED["language"])


def test_content_terms_drop_function_words_and_mask_tokens() -> None:
    """Particles, auxiliaries, dependent verbs, symbols and 〔…〕 tokens are not terms."""
    terms = content_terms("〔氏名〕です。〔電話〕に電話してください。犬の世話ができません")
    assert terms == ["電話", "犬", "世話"]
    assert content_terms("〔電話〕〔メール〕〔非表示〕") == []
    assert content_terms("はい、そうです") == []


def test_messages_without_content_words_form_one_group() -> None:
    """「はい」-like messages are one termless group, not hundreds of singletons."""
    documents = [Document(i, f"e{i}", t) for i, t in enumerate(["はい", "〔電話〕", "ええ"], 1)]
    documents.append(Document(9, "e9", "犬の世話ができない"))
    groups = cluster_documents(documents)
    termless = [g for g in groups if not g.top_terms]
    assert len(termless) == 1 and termless[0].message_ids == (1, 2, 3)


def test_same_data_same_clusters_and_keys_in_any_order() -> None:
    """Recomputing (even from a shuffled input) gives identical groups, keys and order."""
    documents, _ = planted_documents()
    first = cluster_documents(documents)
    shuffled = list(documents)
    random.Random(99).shuffle(shuffled)
    second = cluster_documents(shuffled)
    assert first == second
    assert len({g.key for g in first}) == len(first)


def test_key_changes_when_a_member_joins() -> None:
    """A cluster key names its exact members, so a stale key never labels unseen messages."""
    documents, truth = planted_documents()
    before = {g.key: set(g.message_ids) for g in cluster_documents(documents)}
    extra = Document(1000, "event-1000", "草刈りを誰かに頼みたいけど庭が広くて")
    after = {g.key: set(g.message_ids) for g in cluster_documents([*documents, extra])}
    mowing = {i for i, t in truth.items() if t == "mowing"}
    old_key = next(k for k, v in before.items() if v == mowing)
    assert old_key not in after
    assert mowing | {1000} in after.values()
    assert cluster_key(["b", "a"]) == cluster_key(["a", "b"])


def test_three_thousand_messages_cluster_in_seconds() -> None:
    """The inbox stays usable for a city's month of fallbacks (a few thousand messages)."""
    rng = random.Random(3)
    pool = [t for variants in PLANTED.values() for t in variants] + NOISE
    extras = ["今日", "昨日", "母", "父", "夜", "朝", "近所", "家族", "先週", "毎日"]
    documents = [
        Document(i, f"event-{i:05d}", f"{rng.choice(pool)}。{rng.choice(extras)}のこと")
        for i in range(3000)
    ]
    started = time.perf_counter()
    groups = cluster_documents(documents)
    elapsed = time.perf_counter() - started
    assert sum(g.size for g in groups) == 3000
    assert elapsed < 30, f"{elapsed:.1f}s"
