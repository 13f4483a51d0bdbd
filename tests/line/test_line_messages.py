"""Fitting the bot's answer into LINE's limits without breaking what residents must read."""

from __future__ import annotations

import pytest

from bot.line.messages import (
    MAX_TEXT_LENGTH,
    batches,
    build_messages,
    merge_texts,
    quick_reply,
    shorten_label,
    split_text,
    text_message,
    utf16_len,
)

PHONES = ["0836-43-7440", "0120-279-338", "#9110", "０８３６－４３－７４４０", "(0836)43-7440"]


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("offset", range(-14, 3))
def test_split_never_breaks_a_phone_number(phone: str, offset: int) -> None:
    # Put the number across the 5000 boundary at every position, with no sentence end nearby.
    prefix = "あ" * (MAX_TEXT_LENGTH + offset)
    text = prefix + phone + "にお電話ください" + "い" * 100

    chunks = split_text(text)

    assert all(utf16_len(chunk) <= MAX_TEXT_LENGTH for chunk in chunks)
    assert sum(phone in chunk for chunk in chunks) == 1
    assert "".join(chunks) == text


def test_split_prefers_the_last_sentence_end_below_the_limit() -> None:
    first = "生活費のご相談は福祉課へ。" + "あ" * 4900 + "お気軽にどうぞ。"
    second = "電話は" + "う" * 100 + "0836-43-7440です。" + "い" * 2000
    chunks = split_text(first + second)

    assert chunks == [first, second]


def test_split_keeps_closing_brackets_with_their_sentence() -> None:
    first = "「" + "あ" * 4900 + "。」"
    chunks = split_text(first + "い" * 200 + "。")
    assert chunks[0] == first


def test_split_counts_emoji_as_two_units() -> None:
    text = "😢" * 3000  # 6000 UTF-16 units
    chunks = split_text(text)
    assert len(chunks) == 2
    assert all(utf16_len(c) <= MAX_TEXT_LENGTH for c in chunks)
    assert "".join(chunks) == text


def test_short_text_is_untouched() -> None:
    assert split_text("  こんにちは。\n") == ["こんにちは。"]
    assert split_text("") == []


@pytest.mark.parametrize(
    "title",
    [
        "はい",
        "ちょうど二十文字のボタンラベルですよねこれ",
        "生活費や家賃の支払いに困っているので相談したい（電話）",
        "Consultation about housing and living expenses",
        "相談したい😢😢😢😢😢😢😢😢😢😢😢😢",
    ],
)
def test_labels_fit_twenty_and_keep_start_and_end(title: str) -> None:
    label = shorten_label(title)
    assert utf16_len(label) <= 20
    if utf16_len(title) <= 20:
        assert label == title
    else:
        assert "…" in label
        head, tail = label.split("…")
        assert title.startswith(head) and title.endswith(tail)
        assert len(head) >= 3 and len(tail) >= 3


def test_similar_long_titles_stay_distinguishable() -> None:
    a = shorten_label("生活費や家賃の支払いについて相談したい（電話）")
    b = shorten_label("生活費や家賃の支払いについて相談したい（窓口）")
    assert a != b


def test_quick_reply_uses_postback_with_verbatim_payload_and_max_13_items() -> None:
    buttons = [{"title": f"選択肢{n}", "payload": f'/choose{{"n": {n}}}'} for n in range(20)]
    quick = quick_reply(buttons)

    assert quick is not None
    assert len(quick["items"]) == 13
    assert quick["items"][3] == {
        "type": "action",
        "action": {
            "type": "postback",
            "label": "選択肢3",
            "data": '/choose{"n": 3}',
            "displayText": "選択肢3",
        },
    }


def test_url_buttons_open_the_link_and_oversized_payloads_are_dropped() -> None:
    quick = quick_reply(
        [
            {"title": "市のページ", "url": "https://www.city.ube.yamaguchi.jp/", "type": "web_url"},
            {"title": "長すぎる", "payload": "/x" + "y" * 400},
        ]
    )
    assert quick is not None
    assert [item["action"]["type"] for item in quick["items"]] == ["uri"]


def test_merge_only_when_more_than_five() -> None:
    four = [text_message(f"文{n}") for n in range(4)]
    assert merge_texts(four) == four

    seven = [text_message(f"文{n}") for n in range(7)]
    merged = merge_texts(seven)
    assert len(merged) == 5
    assert "\n\n".join(m["text"] for m in merged) == "\n\n".join(f"文{n}" for n in range(7))


def test_merge_respects_the_text_limit_and_non_text_messages() -> None:
    big = [text_message("あ" * 3000) for _ in range(7)]
    assert len(merge_texts(big)) == 7  # nothing fits together: the caller pushes the rest

    image = {"type": "image", "originalContentUrl": "https://x/a.png", "previewImageUrl": "x"}
    mixed = [text_message("a"), image, text_message("b"), image, text_message("c"), image]
    assert merge_texts(mixed) == mixed


def test_build_messages_attaches_all_buttons_to_the_very_last_message() -> None:
    messages = build_messages(
        [
            {"text": "どちらですか？", "buttons": [{"title": "はい", "payload": "/affirm"}]},
            {"text": "ゆっくりで大丈夫です。"},
        ]
    )
    assert "quickReply" not in messages[0]
    assert messages[-1]["quickReply"]["items"][0]["action"]["data"] == "/affirm"


def test_build_messages_handles_images_and_custom_line_messages() -> None:
    flex = {"type": "flex", "altText": "窓口", "contents": {}}
    messages = build_messages(
        [
            {"image": "https://example.org/map.png"},
            {"image": "http://example.org/insecure.png"},
            {"custom": {"line": flex}},
            {"custom": {"other_channel": {}}},
        ]
    )
    assert messages[0]["type"] == "image"
    assert messages[1] == text_message("http://example.org/insecure.png")
    assert messages[2] == flex
    assert len(messages) == 3


def test_batches_never_exceed_five() -> None:
    groups = batches([text_message(str(n)) for n in range(12)])
    assert [len(g) for g in groups] == [5, 5, 2]
