"""Long messages are also read sentence by sentence, so a quiet worry is not drowned.

Protects: the sentence boundaries a resident's writing has (。！？, line breaks, ……), short
fragments staying with their sentence, and the rule that a worry one sentence carries on its
own is the message's worry too — without taking away any worry the whole message found.
"""

from __future__ import annotations

import pytest

from bot.nlu.category_scoring import CategoryDecision, ScoringPolicy, add_sentence_worries
from bot.nlu.segments import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[begin:end] for begin, end in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "父の介護で仕事を辞めました。カードの残高が増える一方です。地元に友達もいません",
            [
                "父の介護で仕事を辞めました。",
                "カードの残高が増える一方です。",
                "地元に友達もいません",
            ],
        ),
        ("家賃が払えない！\nどうしたらいい？", ["家賃が払えない！\n", "どうしたらいい？"]),
        ("誰にも言えん……借金ばっかり増えとる", ["誰にも言えん……", "借金ばっかり増えとる"]),
        ("お金がない。益田", ["お金がない。益田"]),
        ("はい。", ["はい。"]),
        ("借金です", ["借金です"]),
    ],
)
def test_sentences_end_where_residents_end_them_and_fragments_stay_attached(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


def test_the_spans_cover_the_text_in_order() -> None:
    text = "母が認知症で。目が離せません！仕事も休みがちです"
    spans = sentence_spans(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


WHOLE = CategoryDecision(
    categories=["income", "elderly_care"],
    confidence={"income": 0.72, "elderly_care": 0.99, "debt": 0.33, "isolation": 0.42},
)


def test_a_worry_one_sentence_carries_is_added_with_that_sentences_confidence() -> None:
    decision = add_sentence_worries(
        WHOLE,
        [{"elderly_care": 0.9}, {"debt": 0.81}, {"isolation": 0.64}],
        ScoringPolicy(sentence_threshold=0.6),
    )
    assert decision.categories == ["debt", "income", "elderly_care", "isolation"]
    assert decision.confidence["debt"] == 0.81 and decision.confidence["isolation"] == 0.64


def test_weak_sentences_add_nothing_and_never_remove_what_the_message_found() -> None:
    decision = add_sentence_worries(WHOLE, [{"debt": 0.59}, {"isolation": 0.3}], ScoringPolicy())
    assert decision.categories == ["income", "elderly_care"]
    assert decision.confidence["debt"] == 0.33
