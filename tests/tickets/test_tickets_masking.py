"""Personal data is masked before it reaches logs or analytics."""

from __future__ import annotations

import pytest

from bot.tickets import mask, mask_text


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("090-1234-5678", "auto", "090-****-**78"),
        ("09012345678", "auto", "090******78"),
        ("０９０－１２３４－５６７８", "auto", "090-****-**78"),  # full-width input
        ("alice@example.com", "auto", "a***@example.com"),
        ("山田太郎", "auto", "＊＊"),
        ("やまだ", "name", "＊＊"),
        ("a", "name", "＊＊"),
        ("not-an-email@", "email", "＊＊"),
        ("1234", "phone", "****"),
        ("", "auto", ""),
        (None, "auto", ""),
    ],
)
def test_mask(value: str | None, kind, expected: str) -> None:
    assert mask(value, kind) == expected


def test_mask_text_hides_contacts_inside_free_text() -> None:
    masked = mask_text("連絡は090-1234-5678か taro.yamada@example.jp へ")
    assert "1234" not in masked and "taro.yamada" not in masked
    assert "090-****-**78" in masked and "t***@example.jp" in masked
