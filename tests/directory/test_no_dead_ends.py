"""No dead ends: every window a resident is shown comes with a sourced way to reach a person.

Properties over every window of every city file (not examples): the description holds a sourced
phone number or URL (or, where the research found none for that worry, the city hall's sourced
address), offers that a staff member can get in touch, and never names a programme (〜事業) as if
it were a place to go.
"""

from __future__ import annotations

import re

import pytest

from bot.directory import CATEGORY_CODES, City, Directory, describe_route, describe_window

PHONE_LIKE = re.compile(r"(?<![〒\d])\d{2,5}[-(（]\d{1,4}[-)）]?\d{3,4}")


def _numbers_in(text: str) -> list[str]:
    return PHONE_LIKE.findall(re.sub(r"https?://\S+", "", text))


def _sourced_numbers(directory: Directory) -> set[str]:
    numbers: set[str] = set()
    for city in (*directory.cities, directory.generic):
        contacts = [*city.city_hall.contacts, *(c for w in city.windows for c in w.contacts)]
        contacts += [c for ln in city.lines for c in ln.contacts]
        numbers |= {c.shown for c in contacts if c.kind in ("phone", "fax")}
    return numbers


# Programme names the four plans use (重層的支援体制整備事業 and the 事業 under it). Residents
# need to know what a window does, not what the programme is called.
PLAN_PROGRAMMES = (
    "重層的支援体制整備事業",
    "包括的相談支援事業",
    "多機関協働事業",
    "アウトリーチ等を通じた継続的支援事業",
    "参加支援事業",
    "地域介護予防活動支援事業",
    "生活支援体制整備事業",
    "地域子育て支援拠点事業",
    "地域活動支援センター事業",
    "生活困窮者支援等のための地域づくり事業",
    "生活困窮者社会資源活用促進事業",
)
STAFF_OFFER = "職員から連絡してもらうこともできます"


def _sourced_urls(city: City) -> set[str]:
    urls = {c.value for w in city.windows for c in w.contacts_of("url")}
    return urls | {c.value for c in city.city_hall.contacts if c.kind == "url"}


def _programme_free(text: str) -> bool:
    # 事業所 (an office) is a place; 〜事業 (a programme) is not.
    return "事業" not in text.replace("事業所", "")


def test_every_window_gives_a_sourced_way_in(directory: Directory) -> None:
    sourced = _sourced_numbers(directory)
    for city in directory.cities:
        urls = _sourced_urls(city)
        hall_address = next((c.value for c in city.city_hall.contacts if c.kind == "address"), "")
        for window in city.windows:
            text = describe_window(window, city)
            numbers = [n for n in _numbers_in(text) if n in sourced]
            has_url = any(u in text for u in urls)
            assert numbers or has_url or (hall_address and hall_address in text), window.id
            if not window.contacts_of("phone"):
                assert STAFF_OFFER in text, window.id


def test_prefectural_line_is_offered_for_a_window_without_a_phone(directory: Directory) -> None:
    """A window with no sourced phone points to a line for the same worry when the city has one."""
    checked = 0
    for city in directory.cities:
        for window in city.windows:
            if window.contacts_of("phone"):
                continue
            lines = list(city.lines_for(window))
            if not lines:
                continue
            text = describe_window(window, city)
            phones = [c.shown for ln in lines for c in ln.contacts_of("phone")]
            assert any(p in text for p in phones), window.id
            checked += 1
    assert checked >= 4


def test_no_number_outside_the_data_in_any_window_text(directory: Directory) -> None:
    sourced = _sourced_numbers(directory)
    for city in (*directory.cities, directory.generic):
        for window in city.windows:
            for number in _numbers_in(describe_window(window, city)):
                assert number in sourced, (window.id, number)


def test_no_programme_name_is_shown_as_a_window(directory: Directory) -> None:
    for city in (*directory.cities, directory.generic):
        for window in city.windows:
            text = describe_window(window, city)
            assert _programme_free(window.name), window.id
            assert _programme_free(text), window.id
            assert not any(p in text for p in PLAN_PROGRAMMES), window.id
        for line in city.lines:
            assert _programme_free(line.name + line.summary), line.id


@pytest.mark.parametrize("category", CATEGORY_CODES)
def test_no_programme_name_in_route_texts(directory: Directory, category: str) -> None:
    for code in (*[c.code for c in directory.cities], None):
        for message in describe_route(directory.route(code, [category])):
            assert _programme_free(message), (code, category, message)


def test_masuda_uses_its_own_name_for_the_case_meeting(directory: Directory) -> None:
    masuda = directory.city("masuda")
    assert masuda is not None
    assert "ひとまる会議" in masuda.compound_window.name


def test_prefectural_lines_are_in_the_directory(directory: Directory) -> None:
    """The second research round's prefectural lines are usable by residents of each city."""
    by_city = {
        c.code: {ct.fact_id for ln in c.lines for ct in ln.contacts} for c in directory.cities
    }
    assert {"M8", "M9", "M10"} <= by_city["masuda"]
    assert {"U19"} <= by_city["ube"]
    assert {"P1", "K6"} <= by_city["kurume"]
    assert {"F17", "F18", "P3"} <= by_city["fuji"]
    for city in directory.cities:
        for line in city.lines:
            assert line.phone() is not None, line.id
            assert re.fullmatch(rf"{city.code}\.[a-z0-9_]+", line.id), line.id
    assert not directory.generic.lines
