"""Every city × category goes where the city's plan sends it.

The ground truth is each city's 重層的支援体制整備事業 plan in ``../shared/seeds/``
(000 宇部市, 002 益田市, 003 久留米市, 004 富士市). A category the plan names a window for goes to
that window. A category the plan names none for (制度の狭間) goes to the city's any-attribute
window and is flagged as a gap, so the route also brings the 多機関協働 coordinator and the
crisis flow adds the national lines for abuse/DV.

One row per city × category. The comment above each row cites the plan section that names the
window, or says why there is none. To change a route, change the city file and the row together,
citing the section.
"""

from __future__ import annotations

import itertools

import pytest

from bot.directory import CATEGORY_CODES, Directory

CITIES = ("ube", "masuda", "kurume", "fuji")

# (city, category, primary window id, gap?)
PLAN_ROUTES: list[tuple[str, str, str, bool]] = [
    # --- 宇部市: 000_57460367c7db8b0b.txt (001 is a second transcription; neither mentions 虐待/DV)
    # 4 I ④ 生活困窮者自立支援事業 (生活相談サポートセンターうべ): 「住居がない」
    ("ube", "housing", "ube.seikatsu_support", False),
    # 4 I ④ 生活困窮者自立支援事業: 「借金がある」
    ("ube", "debt", "ube.seikatsu_support", False),
    # 4 I ④ 生活困窮者自立支援事業: 「就労できない」「収入がない」
    ("ube", "income", "ube.seikatsu_support", False),
    # 4 I ③ 利用者支援事業 i) 子育て世代包括支援センターUbeハピ
    ("ube", "childcare", "ube.ubehapi", False),
    # No ひきこもり window: 5 庁内連携 lists ひきこもり among cross-field issues; 4 II ① puts
    # 8050問題 with the 属性を問わない 福祉なんでも相談窓口
    ("ube", "hikikomori", "ube.nandemo_sodan", True),
    # 4 I ① 地域包括支援センターの運営 (高齢者総合相談センター)
    ("ube", "elderly_care", "ube.koureisha_sodan", False),
    # 4 I ② 障害者相談支援事業
    ("ube", "disability", "ube.shogai_sodan", False),
    # No window for child abuse, DV, elder or disability abuse anywhere in the plan:
    # 4 I ⑤ 属性を問わない相談窓口「福祉なんでも相談窓口」
    ("ube", "abuse_dv", "ube.nandemo_sodan", True),
    # 4 II ① names 社会的孤立 for 福祉なんでも相談窓口, the any-attribute window, hence a gap
    ("ube", "isolation", "ube.nandemo_sodan", True),
    # --- 益田市: 002_357024b271d2691c.txt ---
    # 4 (1) ① 包括的相談支援事業【実施体制】生活困窮: 自立相談支援機関 (あんしん生活支援センター)
    ("masuda", "housing", "masuda.anshin_seikatsu", False),
    # 4 (1) ① 【実施体制】生活困窮: 「生活に不安や心配がある方」
    ("masuda", "debt", "masuda.anshin_seikatsu", False),
    # 4 (1) ① 【実施体制】生活困窮
    ("masuda", "income", "masuda.anshin_seikatsu", False),
    # 4 (1) ① 【実施体制】子育て・子ども: こども家庭センター
    ("masuda", "childcare", "masuda.kodomo_katei", False),
    # No ひきこもり window: 4 (1) ③ アウトリーチ and 4 (2) 参加支援 are both 総合支援課
    ("masuda", "hikikomori", "masuda.sogo_shien", True),
    # 4 (1) ① 【実施体制】高齢者: 地域包括支援センター
    ("masuda", "elderly_care", "masuda.chiiki_houkatsu", False),
    # 4 (1) ① 【実施体制】障がい者・児: 基幹相談支援センター
    ("masuda", "disability", "masuda.kikan_sodan", False),
    # Only elder abuse is named (4 (1) ① 高齢者: 「権利擁護・虐待防止」, 65歳以上), listed second;
    # no window for child abuse or DV
    ("masuda", "abuse_dv", "masuda.sogo_shien", True),
    # No window: 4 (2) 参加支援 (社会とのつながり作り) is run by 総合支援課
    ("masuda", "isolation", "masuda.sogo_shien", True),
    # --- 久留米市: 003_98ee08800aa2d809.txt ---
    # 1-1 (2) 【各事業の実施体制】 ① 包括的相談支援事業 困窮: 生活自立支援センター
    ("kurume", "housing", "kurume.seikatsu_jiritsu", False),
    # 1-1 (2) ① 困窮: 生活自立支援センター
    ("kurume", "debt", "kurume.seikatsu_jiritsu", False),
    # 1-1 (2) ① 困窮: 生活自立支援センター
    ("kurume", "income", "kurume.seikatsu_jiritsu", False),
    # 1-1 (2) ① 子ども: 子ども子育てサポートセンター
    ("kurume", "childcare", "kurume.kodomo_support", False),
    # No ひきこもり window: ⑤ 多機関協働 takes 「制度の狭間の課題」 (the column case went to ③)
    ("kurume", "hikikomori", "kurume.takikan_kyodo", True),
    # 1-1 (2) ① 高齢: 地域包括支援センター
    ("kurume", "elderly_care", "kurume.chiiki_houkatsu", False),
    # 1-1 (2) ① 障害: 障害者基幹相談支援センター
    ("kurume", "disability", "kurume.kikan_sodan", False),
    # No 虐待/DV anywhere in the plan: ⑤ 多機関協働 (「制度の狭間の課題」)
    ("kurume", "abuse_dv", "kurume.takikan_kyodo", True),
    # No window: ② 地域づくり 「社会からの孤立を防ぎ」 names no consultation window
    ("kurume", "isolation", "kurume.takikan_kyodo", True),
    # --- 富士市: 004_9ad41a1aa3d7a660.txt ---
    # 第2章 1 (4) 自立相談支援事業【第1号ニ】 生活困窮:
    # ユニバーサル就労支援センター 相談支援グループ
    ("fuji", "housing", "fuji.universal_sodan", False),
    # 第2章 1 (4) 自立相談支援事業【第1号ニ】
    ("fuji", "debt", "fuji.universal_sodan", False),
    # 第2章 1 (4) 自立相談支援事業【第1号ニ】
    ("fuji", "income", "fuji.universal_sodan", False),
    # 第2章 1 (3) 利用者支援事業 ア 基本型: こども家庭センター
    ("fuji", "childcare", "fuji.kodomo_katei", False),
    # 第2章 1 (4): 「ひきこもり支援については、…家族面談、自宅訪問、…居場所の提供」
    ("fuji", "hikikomori", "fuji.universal_sodan", False),
    # 第2章 1 (1) 地域包括支援センターの運営【第1号イ】
    ("fuji", "elderly_care", "fuji.chiiki_houkatsu", False),
    # 第2章 1 (2) 相談支援事業【第1号ロ】: 基幹相談支援センター (障害福祉課内)
    ("fuji", "disability", "fuji.kikan_sodan", False),
    # No window for child abuse or DV: only 第2章 1 (2) names 障害者の虐待 (listed second).
    # The any-attribute window is 第2章 5 多機関協働 (福祉総務課), not the 第2章 4 outreach group
    # for people withdrawn at home
    ("fuji", "abuse_dv", "fuji.takikan_kyodo", True),
    # 第2章 4 アウトリーチ (全ての分野): 「長期にわたり社会と交流をしてこなかった方」
    ("fuji", "isolation", "fuji.universal_outreach", False),
]


def test_the_table_has_one_row_per_city_and_category() -> None:
    """Every city × category is checked exactly once, so no route escapes the plan check."""
    keys = [(city, category) for city, category, _, _ in PLAN_ROUTES]
    assert len(keys) == len(set(keys)) == len(CITIES) * len(CATEGORY_CODES) == 36
    assert set(keys) == set(itertools.product(CITIES, CATEGORY_CODES))


def test_the_table_covers_the_cities_the_directory_knows(directory: Directory) -> None:
    """A city added to data/cities/ must get its rows here before it goes live."""
    assert tuple(c.code for c in directory.cities) == CITIES


@pytest.mark.parametrize(
    ("city_code", "category", "primary_id", "gap"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in PLAN_ROUTES],
)
def test_primary_window_and_gap_follow_the_plan(
    directory: Directory, city_code: str, category: str, primary_id: str, gap: bool
) -> None:
    """A resident is first sent to the window the plan names for the worry. Where the plan
    names none, they go to the any-attribute window, the worry is flagged as a gap, and the
    route brings the 多機関協働 coordinator."""
    route = directory.route(city_code, [category])
    assert route.primary(category).id == primary_id
    assert (category in route.gaps) is gap
    city = directory.city(city_code)
    assert city is not None
    if gap:
        assert primary_id == city.any_attribute_id
        assert route.coordinator is not None and route.coordinator.id == city.compound_id
    else:
        assert primary_id != city.any_attribute_id
        assert route.coordinator is None


@pytest.mark.parametrize(
    ("city_code", "window_id"),
    [
        # 4 (1) ① 【実施体制】高齢者: 「権利擁護・虐待防止」, for 65歳以上 only
        ("masuda", "masuda.chiiki_houkatsu"),
        # 第2章 1 (2) 相談支援事業: 「虐待の防止及びその早期発見」, for 障害者等 only
        ("fuji", "fuji.kikan_sodan"),
    ],
)
def test_a_window_for_one_group_of_abuse_victims_is_offered_after_the_first(
    directory: Directory, city_code: str, window_id: str
) -> None:
    """A window the plan names for abuse of one group (the elderly, disabled people) is listed
    for abuse_dv but not first: most abuse/DV cases (a child, a partner) are not its to take."""
    city = directory.city(city_code)
    assert city is not None
    windows = city.routing["abuse_dv"]
    assert window_id in windows[1:]
    assert windows[0] == city.any_attribute_id


def test_fuji_abuse_and_dv_never_go_to_the_groups_for_people_withdrawn_at_home(
    directory: Directory,
) -> None:
    """富士市's 第2章 4 outreach windows (ユニバーサル就労支援センター, ココ☆カラ) serve people who
    are withdrawn or have long had no contact with society. The plan never sends abuse or DV to
    them, so they are not in the abuse_dv route and are not the catch-all window."""
    city = directory.city("fuji")
    assert city is not None
    outreach = {"fuji.universal_outreach", "fuji.kokokara_outreach"}
    assert not outreach & set(city.routing["abuse_dv"])
    assert city.any_attribute_id not in outreach


@pytest.mark.parametrize("city_code", CITIES)
def test_abuse_gap_notes_name_the_national_lines(directory: Directory, city_code: str) -> None:
    """Where abuse/DV is a gap, the city file's note names the national lines (189, DV相談+)
    that the crisis reply gives. Analysts can then see what covers the gap."""
    city = directory.city(city_code)
    assert city is not None
    note = next(n for n in city.routing_notes if n.key == "abuse_dv")
    assert note.gap
    assert "189" in note.note and "DV相談+" in note.note
