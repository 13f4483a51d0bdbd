"""Resident-facing text shows only sourced contacts and flags uncertain ones with 要確認."""

from __future__ import annotations

import re

import pytest

from bot.directory import (
    CATEGORY_CODES,
    Directory,
    Window,
    category_label,
    describe_route,
    describe_window,
)

# Anything that looks like a phone number: 0836-43-7440, 55-2757, 0545(62)7520, 0120-062-301
# (postal codes such as 〒755-8601 are not phone numbers).
PHONE_LIKE = re.compile(r"(?<![〒\d])\d{2,5}[-(（]\d{1,4}[-)）]?\d{3,4}")


def _numbers_in(text: str) -> list[str]:
    without_urls = re.sub(r"https?://\S+", "", text)
    return PHONE_LIKE.findall(without_urls)


def _all_windows(directory: Directory) -> list[Window]:
    return [w for c in (*directory.cities, directory.generic) for w in c.windows]


def _sourced_numbers(directory: Directory) -> set[str]:
    numbers = set()
    for city in (*directory.cities, directory.generic):
        # Shown in the form a phone dials (area code cited, brackets as hyphens): same digits.
        for holder in (city.city_hall, *city.windows, *city.lines):
            numbers |= {c.shown for c in holder.contacts if c.kind in ("phone", "fax")}
    return numbers


def test_describe_window_never_shows_a_number_that_is_not_sourced(directory: Directory) -> None:
    sourced = _sourced_numbers(directory)
    for window in _all_windows(directory):
        text = describe_window(window, directory.city_of(window))
        for number in _numbers_in(text):
            assert number in sourced, f"{window.id}: {number} is not a sourced number"


def test_needs_check_facts_render_with_youkakunin(directory: Directory) -> None:
    flagged = 0
    for window in _all_windows(directory):
        lines = describe_window(window, directory.city_of(window)).splitlines()
        for contact in window.contacts:
            if contact.kind not in ("phone", "address", "hours"):
                continue
            line = next(ln for ln in lines if contact.shown in ln)
            assert ("要確認" in line) == contact.needs_check, (window.id, line)
            flagged += contact.needs_check
    assert flagged >= 5  # U12, F8 (three windows), F13, F14, F15 …


def test_ube_elderly_desk_number_is_marked_for_checking(directory: Directory) -> None:
    window = directory.window("ube.koureisha_sodan")
    assert window is not None
    text = describe_window(window, directory.city("ube"))
    assert "0836-34-8303（要確認：番号が変わっている場合があります）" in text


def test_sourced_contacts_are_shown_with_labels(directory: Directory) -> None:
    window = directory.window("ube.seikatsu_support")
    assert window is not None
    text = describe_window(window, directory.city("ube"))
    assert text.splitlines()[0] == "「生活相談サポートセンターうべ」"
    assert "電話: 0836-43-7440" in text
    assert "場所: 宇部市琴芝町二丁目4番25号 宇部市多世代ふれあいセンター5階" in text
    assert "受付: 月曜日〜金曜日 8時30分〜17時15分" in text
    assert "要確認" not in text
    centre = directory.window("ube.fukushi_sogo_sodan")
    assert centre is not None and centre.contacts_of("fax")
    assert "0836-22-6026" not in describe_window(centre, directory.city("ube")), (
        "FAX numbers are for staff, not for the resident text"
    )


def test_fuji_numbers_are_shown_with_their_cited_area_code_so_a_phone_can_dial_them(
    directory: Directory,
) -> None:
    """富士市's sources print 55-2757; a resident taps 0545-55-2757 (the cited area code)."""
    window = directory.window("fuji.takikan_kyodo")
    assert window is not None
    text = describe_window(window, directory.city("fuji"))
    assert "電話（福祉総務課）: 0545-55-2757" in text
    assert "市外局番" not in text


# What the web chat (bot/web/static/chat.js LINK_PATTERN) turns into a tap-to-call link.
TAPPABLE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}|0\d{2,3}-\d{6}|#\d{4}")


def test_every_phone_a_resident_is_shown_is_in_a_form_a_phone_can_dial(
    directory: Directory,
) -> None:
    """A number printed as 0545(62)7520 or without its area code was not tappable."""
    shown = []
    for city in (*directory.cities, directory.generic):
        for holder in (*city.windows, *city.lines):
            shown += [c.shown for c in holder.contacts if c.kind == "phone"]
    assert shown
    untappable = [number for number in shown if not TAPPABLE.fullmatch(number)]
    assert untappable == []


def test_no_phone_means_the_nearest_sourced_way_in_and_a_staff_offer(
    directory: Directory,
) -> None:
    masuda_window = directory.window("masuda.chiiki_houkatsu")
    ube_window = directory.window("ube.nandemo_sodan")
    assert masuda_window is not None and ube_window is not None
    masuda = describe_window(masuda_window, directory.city("masuda"))
    assert "益田市役所の高齢者福祉課でおたずねください" in masuda
    assert "0856-31-0100" in masuda
    assert "0856-31-1886" not in masuda, "a 児童相談所 is no way in for an older person"
    ube = describe_window(ube_window, directory.city("ube"))
    # 宇部市's city-hall number is not sourced: the coordinating window's is.
    assert "福祉総合相談センター" in ube and "0836-34-8393" in ube
    assert "宇部市の職員から連絡してもらうこともできます" in ube


def test_describe_route_for_one_worry(directory: Directory) -> None:
    messages = describe_route(directory.route("ube", ["housing"]))
    assert len(messages) == 1
    assert messages[0].startswith("【住まい】")
    assert "生活相談サポートセンターうべ" in messages[0] and "0836-43-7440" in messages[0]


def test_describe_route_for_compound_worries_names_the_coordinator(directory: Directory) -> None:
    messages = describe_route(directory.route("ube", ["elderly_care", "income"]))
    assert any("【仕事・お金】" in m for m in messages)
    assert any("【介護・高齢】" in m for m in messages)
    last = messages[-1]
    assert "福祉総合相談センター" in last and "まとめて相談できます" in last
    assert "0836-34-8393" in last


def test_gap_wording_is_plain_and_free_of_jargon(directory: Directory) -> None:
    messages = describe_route(directory.route("kurume", ["abuse_dv"]))
    text = "\n".join(messages)
    assert "どんな困りごとでも受け止めてもらえます" in text
    for jargon in ("制度の狭間", "gap", "属性"):
        assert jargon not in text
    # No coordinating number is sourced in 久留米市: the city's line for this worry is offered.
    assert "男女平等推進センター" in text and "0942-30-7800" in text
    assert "久留米市の職員から連絡してもらうこともできます" in text


def test_describe_route_for_another_city_lists_kinds_and_the_city_hall(
    directory: Directory,
) -> None:
    messages = describe_route(directory.route("tokyo", ["debt", "childcare"]))
    text = "\n".join(messages)
    assert "自立相談支援機関" in text and "こども家庭センター" in text
    assert "市区町村の役所" in messages[-1]
    assert not _numbers_in(text)


def test_describe_route_without_categories_offers_the_catch_all(directory: Directory) -> None:
    assert "福祉なんでも相談窓口" in describe_route(directory.route("ube", []))[0]
    assert "市区町村の役所" in describe_route(directory.route(None, []))[-1]


@pytest.mark.parametrize("city_code", ["ube", "masuda", "kurume", "fuji", None])
def test_every_route_describes_without_error_and_stays_short(
    directory: Directory, city_code: str | None
) -> None:
    for category in CATEGORY_CODES:
        messages = describe_route(directory.route(city_code, [category]))
        assert 1 <= len(messages) <= 3
        assert all(m.strip() for m in messages)


def test_category_labels() -> None:
    assert [category_label(c) for c in CATEGORY_CODES] == [
        "住まい",
        "借金",
        "仕事・お金",
        "子ども・子育て",
        "ひきこもり",
        "介護・高齢",
        "障がい",
        "暴力・虐待",
        "孤立・孤独",
    ]
    with pytest.raises(ValueError):
        category_label("money")
