"""Crisis rules: every phrase below must (or must not) trigger the emergency answer.

A false negative here means a resident in danger gets an ordinary intake reply, so the positive
table is deliberately long and covers spelling the model may never have seen.
"""

from __future__ import annotations

import pytest

from bot.nlu.crisis_rules import (
    CRISIS_KINDS,
    CrisisDetector,
    CrisisRule,
    detect_crisis,
    find_crises,
)

SUICIDE = [
    "屋上にいます。ここからなら飛べそう",
    "橋の上にいて、もう飛んでしまいたい",
    "死にたい",
    "しにたい",
    "シニタイ",
    "ｼﾆﾀｲ",
    "死にたいです",
    "最近ずっと死にたいって考えてしまう",
    "死にたくなる夜がある",
    "急に死にたくなった",
    "死にたくてたまらない",
    "死んでしまいたい",
    "もう死んじゃいたい",
    "死のうと思う",
    "しのうかなって",
    "もう死ぬしかない",
    "消えたい",
    "きえたい",
    "ｷｴﾀｲ",
    "消えてしまいたい",
    "このまま消えてなくなりたい",
    "いなくなりたい",
    "もう楽になりたい",
    "もう、楽になりたい",
    "楽になりたい",
    "全部投げ出して楽になりたい",
    "生きていたくない",
    "生きたくない",
    "生きるのがつらい",
    "生きるのがしんどい",
    "いきるのがつらい",
    "生きているのが苦しい",
    "生きている意味がない",
    "生きてる意味がわからない",
    "生きる気力がない",
    "生きていてもしょうがない",
    "自殺したい",
    "自殺しようと思っている",
    "自殺を考えています",
    "去年自殺未遂をしました",
    "じさつ",
    "首をつる",
    "首をつりたい",
    "首つり",
    "首吊りのことばかり考える",
    "飛び降りたい",
    "ビルから飛び降りようかと",
    "電車に飛び込みたい",
    "死んだほうがまし",
    "死んだ方がいい人間です",
    "人生を終わりにしたい",
    "全部終わりにしたい",
    "命を絶ちたい",
    "誰か殺してほしい",
]

CASUAL_AND_TYPOS = [
    "しにたーい",
    "しにた〜い",
    "しにたぁい",
    "しにたぃ",
    "しにたいいいい",
    "死にたいｗ",
    "しにたい。",
    "し に た い",
    "死にてえ",
    "死にてー",
    "ＯＤした",
    "きえたぁい",
]

DIALECT = [
    "死にたいっちゃ",
    "死にたいけぇ",
    "死にたいばい",
    "死にたいだら",
    "しにたかー",
    "死にたかよ",
    "生きとってもしょうがない",
    "生きちょっても意味がない",
    "生きとる意味がないんよ",
]

SELF_HARM = [
    "昨日また腕を切りました",
    "リスカしてしまった",
    "りすかがやめられない",
    "リストカット",
    "ﾘｽﾄｶｯﾄ",
    "手首を切った",
    "腕を切ってしまう",
    "自傷がやめられない",
    "自分を傷つけてしまう",
    "ODした",
    "odしちゃった",
    "オーバードーズした",
]

SELF_HARM_SEEN = [
    "娘の手首に切り傷がたくさんありました",
    "息子の腕に、線のような傷が何本もあるのを見つけた",
    "友達が太ももをカッターで切ってるみたい",
    "カッターで腕を切るのがやめられん",
    "壁に頭を打ち付けてしまう",
]

# Preparations, means, timing and indirect wishes (written for the rules, not from the dev set).
SUICIDE_INDIRECT = [
    "遺書を書きました",
    "いしょをかいた",
    "練炭を買ってきた",
    "ロープを用意してあります",
    "睡眠薬をためています",
    "くすりためとる",
    "首をくくるしかない",
    "電車に飛び込むつもりです",
    "海に飛び込めば楽になる",
    "夫の後を追いたい",
    "母のあとを追おうと思う",
    "自分の保険金で借金を返せる",
    "私の生命保険で家族は助かるはず",
    "死ねば保険金がおりる",
    "保険で借金ちゃらにできるなら、それでいい",
    "この子と心中するしかない",
    "今から死にます",
    "今夜しぬね",
    "このまま目が覚めなければいいのに",
    "明日が来なければいい",
    "生まれてこなければよかった",
    "もう全部終わりにしたい",
    "もう終わらせたい",
    "終わりにしたい",
]

MEDICAL = [
    "父が倒れて動かない",
    "母が倒れてて意識がない",
    "息をしていない",
    "赤ちゃんが息してない",
    "呼んでも起きない",
    "いしきがない",
    "けいれんしてる",
    "血が止まらない",
    "漂白剤を飲んだみたい",
    "薬を大量に飲んだ",
    "睡眠薬を全部飲んでしまった",
    "睡眠薬をひと箱まるごと飲みました",
    "大量の薬を飲んだ",
]

VIOLENCE_NOW = [
    "いま足をけられて動けない",
    "殺される",
    "夫に殺されそう",
    "助けて殺される",
    "今殴られている",
    "いま夫に殴られてる",
    "今暴力を振るわれています",
    "今、暴力を受けている",
    "今父が暴れている",
    "刃物を持って暴れている",
    "夫が包丁を振り回している",
    "夫が包丁を持っています",
    "殺すぞと言われた",
    "トイレに隠れています",
    "もう限界で、母を手にかけてしまいそうです",
    "子どもを殺してしまいそう",
    "子どもを叩いてしまいそうで怖い",
    "部屋に閉じ込められてる",
]

ABUSE = [
    "殴られて逃げてきた",
    "夫に叩かれる",
    "彼氏に首を絞められた",
    "親が酒を飲むと暴れて怖い",
    "お父さんがすぐ殴る",
    "家に帰りたくない",
    "うちにかえりたくない",
    "家から逃げてきました",
    "今まで夫に殴られてきた",
    "パートナーからの暴力に悩んでいます",
    "娘が虐待されているかも",
    "義父から性的な暴力を受けています",
]


@pytest.mark.parametrize("text", SUICIDE + CASUAL_AND_TYPOS + DIALECT)
def test_suicide_phrases_are_detected(text: str) -> None:
    match = detect_crisis(text)
    assert match is not None, text
    assert match.kind in ("suicide", "self_harm")


@pytest.mark.parametrize("text", SELF_HARM)
def test_self_harm_phrases_are_detected(text: str) -> None:
    match = detect_crisis(text)
    assert match is not None, text
    assert match.kind == "self_harm"


@pytest.mark.parametrize("text", SELF_HARM_SEEN)
def test_self_harm_seen_by_others_is_detected(text: str) -> None:
    assert "self_harm" in {m.kind for m in find_crises(text)}, text


@pytest.mark.parametrize("text", SUICIDE_INDIRECT)
def test_plans_means_farewells_and_indirect_wishes_are_detected(text: str) -> None:
    assert "suicide" in {m.kind for m in find_crises(text)}, text


@pytest.mark.parametrize("text", MEDICAL)
def test_medical_emergencies_are_detected(text: str) -> None:
    assert "medical" in {m.kind for m in find_crises(text)}, text


@pytest.mark.parametrize("text", VIOLENCE_NOW)
def test_violence_happening_now_is_detected(text: str) -> None:
    assert "violence_now" in {m.kind for m in find_crises(text)}, text


@pytest.mark.parametrize("text", ABUSE)
def test_violence_and_abuse_in_plain_words_are_detected(text: str) -> None:
    kinds = {m.kind for m in find_crises(text)}
    assert kinds & {"abuse", "violence_now"}, text


@pytest.mark.parametrize(
    "text",
    [
        # Hyperbole and jokes
        "死ぬほど忙しい",
        # Kana that only looks like being kicked (つづけられ), jumping for joy, falling things
        "いまの仕事を続けられるか不安です",
        "屋上でバーベキューして飛び跳ねた",
        "ベランダから布団が落ちた",
        "死ぬほど眠い",
        "昨日は死ぬほど笑った",
        "階段で転んで死ぬかと思った",
        "上司に殺されるかと思った",
        # Institutional use of the word
        "自殺対策の講座に参加したい",
        "自殺予防週間のイベント",
        "自殺防止のポスターを見ました",
        "それは自殺行為だよ",
        # Games, stories, news
        "ゲームで死んだ",
        "殺人事件のドラマを見た",
        "ドラマで主人公が殺される",
        "ニュースで自殺の報道を見た",
        # 楽になりたい about chores or pain, not life
        "楽になりたいから家事代行を知りたい",
        "介護がもう少し楽になりたい",
        "腰の痛みが少しでも楽になりたい",
        # Negation
        "死にたいとは思わない",
        "死にたくない",
        "消えたいと思ったことはない",
        "死にたいと思ったことは一度もない",
        "消えたいなんて思ってないです",
        "死にたいわけじゃないけど疲れた",
        "生きたいです",
        # Past abuse, not happening now
        "子どもの頃、親に殴られて育った",
        "昔、父によく叩かれていた",
        # Idioms and the institutional use of the words
        "死ぬ気で勉強します",
        "夫婦げんかのたびに実家に帰りたくなる",
        "消えたいくらい恥ずかしかった",
        "推理小説で犯人が首をつる場面があった",
        "虐待防止の研修に出たい",
        "DVの講座はありますか",
        "飛び込み営業の仕事です",
        "遺言書の書き方を知りたい",
        "母の保険金で借金を返しました",
        "駅のホームで電車を待っています",
        # Words that contain the kana of a crisis phrase
        "わたしにたいして冷たい",
        "学校にいきたくない",
        "行きたくないと子どもが言います",
        "首がつる",
        "ロキソニンOD錠をもらった",
        # Ordinary intake
        "家賃が払えません",
        "おはようございます",
        "",
    ],
)
def test_non_crisis_is_not_detected(text: str) -> None:
    assert detect_crisis(text) is None, detect_crisis(text)


def test_double_negative_is_still_a_crisis() -> None:
    """思わない日はない means every day, so the negation must not cancel it."""
    assert detect_crisis("死にたいと思わない日はない") is not None


def test_negation_cancels_only_its_own_phrase() -> None:
    match = detect_crisis("死にたいとは思わないけど、消えたい")
    assert match is not None
    assert match.matched == "消えたい"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("宇部市に住んでいます。仕事をなくして、もう死にたいと思うことが増えました。", "死にたい"),
        ("家賃も払えず、夜になるとｼﾆﾀｲ気持ちになります。どこに相談すれば", "ｼﾆﾀｲ"),
        ("母の介護と借金で限界で、正直いなくなりたいです。誰にも言えません", "いなくなりたい"),
        ("相談です。いま夫に殴られています。子どもも一緒です", "いま夫に殴られ"),
    ],
)
def test_phrase_in_a_long_message_is_found_with_original_offsets(text: str, phrase: str) -> None:
    match = detect_crisis(text)
    assert match is not None
    assert match.matched == phrase
    assert text[match.start : match.end] == phrase


def test_offsets_cover_half_width_voiced_kana() -> None:
    text = "もう ｼﾞｻﾂ しかない"
    match = detect_crisis(text)
    assert match is not None
    assert text[match.start : match.end] == "ｼﾞｻﾂ"


def test_all_matches_are_listed_in_text_order() -> None:
    kinds = [m.kind for m in find_crises("今殴られている。死にたい。リスカもした")]
    assert kinds[0] == "violence_now"
    assert kinds[-2:] == ["suicide", "self_harm"]


def test_kinds_are_the_documented_five() -> None:
    assert CRISIS_KINDS == ("suicide", "self_harm", "violence_now", "abuse", "medical")
    assert {m.kind for m in find_crises("死にたい 今殴られている リスカ")} <= set(CRISIS_KINDS)


def test_explain_names_the_rule_and_the_words() -> None:
    match = detect_crisis("しにたい")
    assert match is not None
    assert "しにたい" in match.explain()
    assert match.kind in match.explain()


def test_a_city_can_add_its_own_rule() -> None:
    """Local wording the defaults do not know about can be added without editing the module."""
    local = CrisisRule("suicide", r"いのちを?しまいたい", "local: いのちをしまいたい")
    assert detect_crisis("いのちをしまいたい") is None
    detector = CrisisDetector.with_extra_rules([local])
    match = detector.detect("もう いのちを しまいたい")
    assert match is not None
    assert match.rule == "local: いのちをしまいたい"
    assert detector.detect("死にたい") is not None  # defaults are kept
