"""The crisis classifier: learns kinds from its data, saves without pickle, loads the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.crisis_data import load_crisis_cases, nlu_cases, training_cases
from bot.nlu.crisis_model import CrisisModel
from bot.settings import PROJECT_ROOT

TEXTS = [
    ("もう生きていく理由が見つからない", "suicide", "self", None),
    ("遺書を書き終えた。あとは実行するだけ", "suicide", "self", None),
    ("兄からさよならってメッセージが来て電話に出ない", "suicide", "other", None),
    ("夫に毎晩なぐられる", "abuse", "self", "partner"),
    ("お父さんがお酒を飲むとたたく", "abuse", "self", "child"),
    ("いま包丁を持った夫が玄関にいる", "violence_now", "self", "partner"),
    ("祖母が倒れて息をしていない", "medical", "other", None),
    ("腕をカッターで切ってしまった", "self_harm", "self", None),
    ("家賃を三か月滞納しています", "none", None, None),
    ("死ぬほど忙しい一週間だった", "none", None, None),
    ("子どもの保育園を探しています", "none", None, None),
    ("介護保険の申請のしかたを知りたい", "none", None, None),
]


@pytest.fixture(scope="module")
def model() -> CrisisModel:
    texts, kinds, abouts, victims = zip(*TEXTS, strict=True)
    # Repeat the tiny set so SGD sees enough steps to separate it.
    return CrisisModel().fit(texts * 5, kinds * 5, abouts * 5, victims * 5)


def test_it_separates_danger_from_ordinary_worries_it_was_taught(model: CrisisModel) -> None:
    predictions = model.predict([text for text, *_ in TEXTS])
    for (text, kind, *_), predicted in zip(TEXTS, predictions, strict=True):
        assert (predicted.danger >= 0.5) == (kind != "none"), text


def test_a_saved_model_predicts_the_same_and_holds_no_pickle(
    model: CrisisModel, tmp_path: Path
) -> None:
    path = tmp_path / "crisis.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:  # would raise on an object array
        assert all(data[name].dtype != object for name in data.files)
    loaded = CrisisModel.load(path)
    texts = ["夫になぐられる", "家賃を滞納"]
    assert loaded.predict(texts) == model.predict(texts)


def test_an_empty_batch_is_no_work(model: CrisisModel) -> None:
    assert model.predict([]) == []


def test_an_untrained_model_says_so() -> None:
    with pytest.raises(RuntimeError):
        CrisisModel().predict(["こんにちは"])


def test_the_training_data_has_every_kind_and_never_the_dev_set() -> None:
    """The dev set is held out: no dev line may appear in the training data."""
    training = training_cases(PROJECT_ROOT / "data" / "crisis", PROJECT_ROOT / "data" / "nlu")
    kinds = {case.kind for case in training}
    assert kinds == {"none", "suicide", "self_harm", "violence_now", "abuse", "medical"}
    assert sum(case.is_danger for case in training) >= 500
    dev = {case.text for case in load_crisis_cases([PROJECT_ROOT / "tests/nlu/crisis_dev"])}
    shared = dev & {case.text for case in training}
    assert not shared, sorted(shared)


def test_abuse_dv_worries_of_the_nlu_data_are_abuse() -> None:
    cases = nlu_cases(PROJECT_ROOT / "data" / "nlu")
    abuse = [case for case in cases if case.kind == "abuse"]
    assert abuse and all("[" not in case.text for case in cases)


def test_one_message_alone_scores_as_it_does_among_others_and_as_the_trained_matrix(
    model: CrisisModel,
) -> None:
    """A resident's message gets the same danger score whether the bot scores it alone (every
    turn) or in a batch (crisis-eval), and the same as the stacked tf-idf matrix the heads were
    trained on (sklearn's normalize, scipy's hstack): the per-part arithmetic that replaced
    them at prediction changes no score."""
    from scipy.special import expit
    from sklearn.preprocessing import normalize

    from bot.nlu import crisis_model

    texts = ["もう消えてしまいたい", "ｶﾈがない、家賃払えん", "🙂", "夫に毎晩なぐられる"]
    batch = model.predict(texts)
    alone = [model.predict([text])[0] for text in texts]
    assert [p.danger for p in alone] == pytest.approx([p.danger for p in batch], abs=1e-6)
    parts = []
    for block, idf in zip(crisis_model._sparse_blocks(texts), model._idf, strict=True):
        tf = block.tocsr(copy=True).astype(np.float32)
        tf.data = 1.0 + np.log(tf.data)
        parts.append(normalize(tf.multiply(idf).tocsr()))
    stacked = crisis_model.scipy.sparse.hstack(parts, format="csr")
    names, columns, intercept = model._heads["kind"]
    reference = expit(np.asarray(stacked @ columns) + intercept)
    reference /= reference.sum(axis=1, keepdims=True)
    danger = 1.0 - reference[:, names.index("none")]
    assert [p.danger for p in batch] == pytest.approx(list(danger), abs=1e-5)
