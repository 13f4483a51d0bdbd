"""How worry categories are decided from the model, DIET's ranking and the reading lexicon."""

from __future__ import annotations

from bot.nlu.category_scoring import ScoringPolicy, decide, spread_ranking
from bot.nlu.lexicon import lexicon_hits


def test_multi_intent_labels_spread_to_each_category():
    scores = spread_ranking(
        [{"name": "housing+debt", "confidence": 0.6}, {"name": "debt", "confidence": 0.3}]
    )
    assert scores["housing"] == 0.6
    assert abs(scores["debt"] - 0.9) < 1e-9
    assert scores["income"] == 0.0


def test_a_lexicon_word_lifts_a_category_only_with_some_model_evidence():
    policy = ScoringPolicy()
    with_evidence = decide({"elderly_care": 0.15}, {}, {"elderly_care"}, policy)
    without = decide({"elderly_care": 0.0}, {}, {"elderly_care"}, policy)
    assert with_evidence.categories == ["elderly_care"]
    assert without.categories == []


def test_categories_come_out_in_canonical_order():
    scores = {"income": 0.9, "housing": 0.8, "debt": 0.7}
    decision = decide(scores, scores, set())
    assert decision.categories == ["housing", "debt", "income"]


def test_the_lexicon_reads_kana_kanji_and_half_width_alike():
    assert lexicon_hits("シャッキンデコマッテマス") == {"debt"}
    assert lexicon_hits("オヤモコウレイデス") == {"elderly_care"}
    assert lexicon_hits("オットカラDVヲウケテイマス") == {"abuse_dv"}
    assert lexicon_hits("ADVANCEDナセミナー") == set()  # "dv" inside a word is not DV
    assert lexicon_hits("キョウハイイテンキ") == set()
