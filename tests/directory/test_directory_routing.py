"""Routing: every worry in every city reaches a window, and the plan's choices are kept."""

from __future__ import annotations

import pytest

from bot.directory import CATEGORY_CODES, Directory

CITIES = ["ube", "masuda", "kurume", "fuji"]
COMPOUND = {
    "ube": "ube.fukushi_sogo_sodan",  # 福祉総合相談センター
    "masuda": "masuda.sogo_shien",  # 総合支援課
    "kurume": "kurume.takikan_kyodo",  # 多機関協働事業（地域福祉課）
    "fuji": "fuji.takikan_kyodo",  # 多機関協働事業（社協・福祉総務課）
}
ANY_ATTRIBUTE = {
    "ube": "ube.nandemo_sodan",  # 福祉なんでも相談窓口
    "masuda": "masuda.sogo_shien",
    "kurume": "kurume.takikan_kyodo",
    # 富士市 has no 属性不問 window (地域型); like 益田市 and 久留米市 the catch-all is 多機関協働
    # (福祉総務課). The 第4号 outreach group serves people withdrawn at home, not every worry.
    "fuji": "fuji.takikan_kyodo",
}
# 制度の狭間: categories for which the plan names no specialised window.
GAPS = {
    "ube": ["hikikomori", "abuse_dv", "isolation"],
    "masuda": ["hikikomori", "abuse_dv", "isolation"],
    "kurume": ["hikikomori", "abuse_dv", "isolation"],
    # 富士市's 自立相談支援 names ひきこもり支援, and 第2章 4 アウトリーチ names 長期にわたり社会と
    # 交流をしてこなかった方 (isolation); only abuse/DV has no window in the plan.
    "fuji": ["abuse_dv"],
}


@pytest.mark.parametrize("city_code", CITIES)
@pytest.mark.parametrize("category", CATEGORY_CODES)
def test_every_category_in_every_city_has_a_route(
    directory: Directory, city_code: str, category: str
) -> None:
    route = directory.route(city_code, [category])
    windows = route.by_category[category]
    assert windows, f"{city_code}/{category} routes nowhere"
    primary = windows[0]
    assert directory.window(primary.id) is primary
    assert primary.city_code == city_code
    assert category in primary.categories
    assert not route.is_generic and route.city is not None and route.city.code == city_code


def test_ube_money_and_housing_worries_go_to_the_support_centre(directory: Directory) -> None:
    for category in ("housing", "debt", "income"):
        route = directory.route("ube", [category])
        assert route.primary(category).name == "生活相談サポートセンターうべ"


@pytest.mark.parametrize("city_code", CITIES)
def test_compound_worries_are_coordinated_by_the_city_multi_agency_window(
    directory: Directory, city_code: str
) -> None:
    route = directory.route(city_code, ["elderly_care", "income"])
    assert route.coordinator is not None
    assert route.coordinator.id == COMPOUND[city_code]
    assert route.coordinator.layer == "multi_agency"


def test_one_ordinary_worry_needs_no_coordinator(directory: Directory) -> None:
    route = directory.route("ube", ["housing"])
    assert route.coordinator is None
    assert route.gaps == []


def test_worries_one_window_handles_together_need_no_coordinator(directory: Directory) -> None:
    """housing+debt+income all go to 生活相談サポートセンターうべ: not a 多機関 case."""
    route = directory.route("ube", ["income", "housing", "debt"])
    assert {w[0].id for w in route.by_category.values()} == {"ube.seikatsu_support"}
    assert route.coordinator is None


@pytest.mark.parametrize("city_code", CITIES)
def test_gaps_fall_to_the_catch_all_window_and_bring_the_coordinator(
    directory: Directory, city_code: str
) -> None:
    route = directory.route(city_code, list(CATEGORY_CODES))
    assert route.gaps == GAPS[city_code]
    for category in GAPS[city_code]:
        assert route.primary(category).id == ANY_ATTRIBUTE[city_code]
    single = directory.route(city_code, [GAPS[city_code][0]])
    assert single.coordinator is not None and single.coordinator.id == COMPOUND[city_code]


@pytest.mark.parametrize("city_code", CITIES)
def test_any_attribute_window_per_city(directory: Directory, city_code: str) -> None:
    assert directory.any_attribute_window(city_code).id == ANY_ATTRIBUTE[city_code]


@pytest.mark.parametrize("city_code", [None, "", "tokyo", "fujimi"])
def test_unknown_city_gets_the_generic_kinds_of_window(
    directory: Directory, city_code: str | None
) -> None:
    route = directory.route(city_code, ["housing", "elderly_care"])
    assert route.is_generic and route.city is None
    assert route.table is directory.generic
    assert route.primary("housing").id == "generic.jiritsu_sodan"
    assert route.primary("elderly_care").id == "generic.chiiki_houkatsu"
    assert route.coordinator is not None and route.coordinator.id == "generic.fukushi_sogo"
    assert directory.any_attribute_window(city_code).id == "generic.fukushi_sogo"


def test_generic_routes_every_category(directory: Directory) -> None:
    route = directory.route(None, list(CATEGORY_CODES))
    assert set(route.by_category) == set(CATEGORY_CODES)
    assert route.primary("childcare").id == "generic.kodomo_katei"
    assert route.primary("disability").id == "generic.kikan_sodan"
    assert route.primary("abuse_dv").id == "generic.fukushi_sogo"


def test_categories_are_deduplicated_into_canonical_order(directory: Directory) -> None:
    route = directory.route("fuji", ["isolation", "housing", "isolation"])
    assert route.categories == ["housing", "isolation"]
    assert list(route.by_category) == ["housing", "isolation"]


def test_unknown_category_code_is_an_error(directory: Directory) -> None:
    with pytest.raises(ValueError, match="money"):
        directory.route("ube", ["money"])


def test_no_categories_gives_an_empty_route_with_the_catch_all(directory: Directory) -> None:
    route = directory.route("ube", [])
    assert route.by_category == {} and route.coordinator is None
    assert route.any_attribute.id == "ube.nandemo_sodan"


def test_lookups(directory: Directory) -> None:
    assert directory.city("masuda") is not None
    assert directory.city("nowhere") is None
    assert directory.window("nowhere.window") is None
    window = directory.window("kurume.seikatsu_jiritsu")
    assert window is not None and directory.city_of(window).code == "kurume"
