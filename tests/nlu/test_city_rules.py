"""City rules: the city routes a ticket to an office, so a wrong city is worse than none."""

from __future__ import annotations

import pytest

from bot.nlu.city_rules import (
    CITY_NAMES,
    OTHER,
    detect_city,
    detect_city_answer,
    detect_city_correction,
    find_cities,
    find_city,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # 宇部市
        ("宇部市", "ube"),
        ("宇部", "ube"),
        ("うべ", "ube"),
        ("ウベ", "ube"),
        ("ｳﾍﾞ", "ube"),
        ("山口県の宇部で一人暮らしです", "ube"),
        ("宇部市在住の者です", "ube"),
        ("宇部に住んでます", "ube"),
        ("私はうべに住んでいます", "ube"),
        ("宇部興産に勤めていて、宇部市に住んでいます", "ube"),
        # 益田市
        ("益田市", "masuda"),
        ("益田市で介護の相談をしたい", "masuda"),
        ("益田に住んでいます", "masuda"),
        ("島根県の益田です", "masuda"),
        ("ますだ市", "masuda"),
        ("ますだしに住んでいる", "masuda"),
        ("ますだに住んでいます", "masuda"),
        ("益田在住です", "masuda"),
        # 久留米市
        ("久留米", "kurume"),
        ("久留米市の社協に相談したい", "kurume"),
        ("くるめ", "kurume"),
        ("クルメ", "kurume"),
        ("ｸﾙﾒに住んでいます", "kurume"),
        ("福岡の久留米で暮らしています", "kurume"),
        # 富士市
        ("富士市", "fuji"),
        ("富士市在住です", "fuji"),
        ("ふじし", "fuji"),
        ("ふじ市に住んでいる", "fuji"),
        ("富士に住んでいます", "fuji"),
        ("静岡県の富士で暮らしています", "fuji"),
        ("富士市の富士川地区に住んでいます", "fuji"),
    ],
)
def test_city_mentions_are_recognised(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    "text",
    [
        # Other municipalities whose names contain a target name
        "富士宮市に住んでいます",
        "富士見市で借金に困っています",
        "富士吉田市",
        "富士河口湖町に住んでいます",
        "東久留米市に住んでいる",
        "ひがしくるめに住んでいます",
        # Judgement: 富士川町 is in 山梨県 today; bare 富士川 is the river or a district
        "富士川町に住んでいます",
        "富士川",
        # Places that are not the city
        "富士山が見える家",
        "静岡市です",
        "沼津市に住んでいます",
        "山口市在住です",
        "山陽小野田市に住んでいます",
        # Surnames and companies
        "益田さんに相談しました",
        "担当の益田先生",
        "益田です、よろしくお願いします",
        "富士フイルムの工場で働いています",
        "富士通に勤めています",
        "宇部興産で働いています",
        # Kana that is another word
        "言うべきことがある",
        "ゆうべは眠れなかった",
        "こうべに住んでいる",
        "言いくるめられてお金を払った",
        "ふじしまさんの紹介です",
        "ますだけでいいです",
        # Nothing
        "家賃が払えません",
        "",
    ],
)
def test_non_target_places_and_names_give_none(text: str) -> None:
    assert detect_city(text) is None, find_cities(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("宇部から久留米に引っ越した", "kurume"),
        ("久留米から宇部に引っ越してきました", "ube"),
        ("富士市出身ですが、今は益田市に住んでいます", "masuda"),
        ("益田市に住んでいて、富士市の病院に通っています", "masuda"),
        ("宇部市と久留米市の制度を比べたい", "kurume"),  # no residence cue: last one wins
    ],
)
def test_residence_wins_when_two_cities_are_named(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "宇部から引っ越してきました",  # moved away; current city unknown
        "宇部出身で、今は山口市に住んでいます",  # lives in another city
    ],
)
def test_a_city_left_behind_is_not_the_residence(text: str) -> None:
    assert detect_city(text) is None


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("宇部市在住です", "宇部市"),
        ("こんにちは。実は久留米に住んでいて、家賃のことで相談です", "久留米"),
        ("仕事がなく困っています。ｸﾙﾒ市に住んでいます", "ｸﾙﾒ市"),
        ("祖父は静岡県の富士に住んでいて認知症が心配です", "富士"),
        ("えっと、ますだしに住んでます", "ますだし"),
        ("宇部から久留米市に引っ越しました", "久留米市"),
    ],
)
def test_offsets_point_at_the_mention_in_the_original_text(text: str, surface: str) -> None:
    mention = find_city(text)
    assert mention is not None
    assert text[mention.start : mention.end] == surface
    assert mention.surface == surface


def test_every_mention_is_listed_in_order() -> None:
    codes = [m.code for m in find_cities("宇部から久留米に引っ越し、富士市の親を見ている")]
    assert codes == ["ube", "kurume", "fuji"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("うべ", "ube"),
        ("宇部です", "ube"),
        ("山口県の宇部です", "ube"),
        ("益田", "masuda"),
        ("ますだです", "masuda"),
        ("益田だよ", "masuda"),
        ("くるめ", "kurume"),
        ("久留米市です。", "kurume"),
        ("ふじ", "fuji"),
        ("富士", "fuji"),
        ("富士です", "fuji"),
        ("ふじしです", "fuji"),
        ("その他", OTHER),
        ("その他の市町村", OTHER),
        ("ほかの市に住んでいます", OTHER),
        ("ほかの市", OTHER),
        ("他の市です", OTHER),
        ("それ以外", OTHER),
        ("静岡市です", OTHER),
        ("富士宮", OTHER),
        ("東久留米市", OTHER),
        ("わかりません", None),
        ("富士山", None),
        ("", None),
    ],
)
def test_short_answers_to_the_city_question(answer: str, expected: str | None) -> None:
    assert detect_city_answer(answer) == expected


def test_bare_surname_is_a_city_only_as_an_answer() -> None:
    """益田です introduces a person in free text but answers 「お住まいの市は？」 in the form."""
    assert detect_city("益田です") is None
    assert detect_city_answer("益田です") == "masuda"


def test_city_names_cover_the_four_codes() -> None:
    assert CITY_NAMES == {
        "ube": "宇部市",
        "masuda": "益田市",
        "kurume": "久留米市",
        "fuji": "富士市",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市をまちがえました、益田です", "masuda"),
        ("やっぱり久留米市です", "kurume"),
        ("住んでるのは富士市でした", "fuji"),
        ("宇部じゃなくて益田です", "masuda"),
        ("すみません、宇部でした", "ube"),
        ("間違えました。静岡市です", "other"),
        ("益田さんに相談したい", None),
        ("借金で困っています", None),
    ],
)
def test_a_corrected_city_is_the_city_meant(text: str, expected: str | None) -> None:
    """「市をまちがえました、益田です」: a bare name after a correction is the new city."""
    assert detect_city_correction(text) == expected


# --------------------------------------------------------------------------------------------
# Issue 9: the city named with the worry, however loosely, and the districts that merged into it.


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("お金がない。益田", "masuda"),
        ("家賃払えん…宇部", "ube"),
        ("仕事が見つからない、ますだ", "masuda"),
        ("親の介護がしんどい 富士", "fuji"),
        ("ごはん食べてない。ふじ！", "fuji"),
        ("子育てがつらいです(久留米)", "kurume"),
        ("借金がある。くるめ", "kurume"),
    ],
)
def test_a_trailing_bare_city_name_is_the_city(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("くるめ住みです", "kurume"),
        ("富士の方で一人暮らし", "fuji"),
        ("ますだ在住、お金がない", "masuda"),
        ("うべんとこに母がいて", "ube"),
        ("益田らへんで仕事探してる", "masuda"),
        ("ふじのほうに住んでる", "fuji"),
        ("益田住みで親が心配", "masuda"),
    ],
)
def test_loose_mentions_of_the_city(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("田主丸に住んでいて、親の介護が心配", "kurume"),
        ("三潴で子育てしています", "kurume"),
        ("城島町に住んでいます", "kurume"),
        ("北野町で一人暮らし", "kurume"),
        ("福岡の城島に住んでます", "kurume"),
        ("匹見に住んでいる母が心配", "masuda"),
        ("美都町で暮らしています", "masuda"),
        ("島根の高津に住んでいます", "masuda"),
        ("高津地区で子育て中", "masuda"),
        ("西岐波に住んでます。お金がない", "ube"),
        ("東岐波で介護しています", "ube"),
        ("厚南に住んでいます", "ube"),
        ("万倉で一人暮らしの父", "ube"),
        ("鷹岡に住んでいて仕事がない", "fuji"),
        ("吉原地区に住んでいます", "fuji"),
        ("静岡の吉原で暮らしています", "fuji"),
        ("田子の浦の近くに住んでる", "fuji"),
        ("岩松地区で一人暮らし", "fuji"),
    ],
)
def test_districts_in_kanji(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("たぬしまるに住んでる", "kurume"),
        ("ながといしに住んでます", "kurume"),
        ("ﾀﾇｼﾏﾙ在住です", "kurume"),
        ("ひきみに住んでいる祖母", "masuda"),
        ("にしきわに住んでます", "ube"),
        ("ひがしきわで暮らしてる", "ube"),
        ("もとよしわらに住んでる", "fuji"),
    ],
)
def test_districts_in_kana(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("旧楠町に住んでいます", "ube"),
        ("楠地域で一人暮らしの母", "ube"),
        ("旧富士川町に住んでいます", "fuji"),
        ("旧田主丸町の実家", "kurume"),
        ("旧匹見町で暮らしています", "masuda"),
        ("旧鷹岡町です、仕事がない", "fuji"),
    ],
)
def test_former_towns(text: str, code: str) -> None:
    assert detect_city(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "川崎市高津区に住んでいます",
        "高津区で子育てしています",
        "京都の北野に住んでいます",
        "北野天満宮にお参りした",
        "北野武の映画",
        "城島さんに相談しました",
        "東京の吉原に住んでいます",
        "吉原さんに紹介されました",
        "三潴郡大木町に住んでいます",
        "楠の木が好き",
        "大阪の今泉に住んでいます",
        "安田さんと話した",
        "富士川町に住んでいます",
        "益田です、よろしくお願いします",
        "みとに住んでいます",
        "益田の方から電話がありました",
        # Kana that is an everyday word, or a same-named place elsewhere
        "みずまでとめられた",
        "せっかく来たのに住むところがない",
        "たかおかに住んでいます",
        "楠木さんに相談した",
        "富士吉田市に住んでいます",
        "神戸の北野町に住んでいます",
    ],
)
def test_district_names_elsewhere_are_not_the_city(text: str) -> None:
    assert detect_city(text) is None, find_cities(text)


@pytest.mark.parametrize(
    "text",
    ["ほかの窓口", "ほかの窓口はありますか", "他にも相談先ある？", "別の日にします", "違う話です"],
)
def test_a_short_message_that_only_starts_like_other_is_not_an_other_city_answer(text):
    """「ほかの窓口」 asks for more windows: read as 'another city', it moved the resident's
    city to その他 and took away their city's windows and the staff offer."""
    assert detect_city_answer(text) is None
