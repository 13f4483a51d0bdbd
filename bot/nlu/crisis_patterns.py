"""The crisis rules as data: patterns in plain Japanese, one kind of danger each.

Kept apart from the matching engine (``bot.nlu.crisis_rules``) so the patterns can be read,
reviewed and extended on their own. Patterns are folded (NFKC, katakana, elongation dropped)
when compiled, so they are written in ordinary Japanese; see the engine's docstring for how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CRISIS_KINDS", "DEFAULT_RULES", "NEGATION_PATTERNS", "CrisisKind", "CrisisRule"]

CrisisKind = Literal["suicide", "self_harm", "violence_now", "abuse", "medical"]

#: suicide: wish, plan or farewell; self_harm: cutting, burning, habitual overdose (the writer's
#: or seen in someone else); violence_now: someone is being hurt or threatened right now (110);
#: abuse: violence or abuse described in plain words, not necessarily this minute (DV, a parent
#: who hits, an adult child who hits an old parent); medical: a body in danger now (119).
CRISIS_KINDS: tuple[CrisisKind, ...] = ("suicide", "self_harm", "violence_now", "abuse", "medical")


@dataclass(frozen=True)
class CrisisRule:
    """One pattern, written in plain Japanese (folded to katakana when compiled)."""

    kind: CrisisKind
    pattern: str
    note: str
    #: Cancel the match when the same sentence is about a drama, game, news story…
    fiction_sensitive: bool = False
    #: Cancel the match when the same sentence places it long ago (子どもの頃、昔).
    past_sensitive: bool = False


# --------------------------------------------------------------------------------------------
# Rules.  Conventions: (?:死|し) accepts kanji or kana; kana-only forms are listed only where
# they cannot be another word (いきたくない is also 行きたくない, so only 生きたくない is used).

_S = "(?:死|し)"  # 死 written in kanji or kana
_KILL = "(?:殺|ころ)"
_LIVE = "(?:生|い)"
# Anything but a sentence end, for short windows between a context word and the phrase.
_GAP = "[^。.!?\n]"

DEFAULT_RULES: tuple[CrisisRule, ...] = (
    # --- suicide: wish to die -----------------------------------------------------------------
    CrisisRule("suicide", r"死にたい", "死にたい (incl. 〜っちゃ/けぇ/ばい/だら)"),
    # kana しにたい also occurs in わたしにたいして (私に対して); skip only that reading.
    CrisisRule("suicide", r"しにたい(?!して|する|しま)", "しにたい (kana)"),
    CrisisRule("suicide", r"死にたか", "死にたか(ー) / 死にたかった (Kyushu たか = たい)"),
    CrisisRule("suicide", r"しにたか(?=$|[、,。.!?\n]|ね|よ|な|っ|ば|けん|と)", "しにたかー"),
    CrisisRule(
        "suicide",
        _S + r"にたく(?:なる|なり|なっ|なります|て(?:たまらな|しかたな|仕方(?:が)?な|しょう?がな))",
        "死にたくなる / 死にたくてたまらない (not 死にたくない)",
    ),
    CrisisRule("suicide", r"死にて(?:え|$|[、,。.!?\n])", "死にてえ / 死にてー (casual)"),
    CrisisRule(
        "suicide",
        _S + r"んで(?:しまい|しまお|しまう?か|しまえたら|ちゃい|やる|やろう|楽に|らくに)",
        "死んでしまいたい / 死んじゃいたい / 死んでやる",
    ),
    CrisisRule("suicide", _S + r"んじゃ(?:いたい|おう)", "死んじゃいたい"),
    CrisisRule("suicide", _S + r"の(?:う|お)(?:と|か|っと|かな)", "死のうと思う / 死のうかな"),
    CrisisRule(
        "suicide",
        _S + r"ぬ(?:しかな|しか道|つもり|覚悟|方法|場所)",
        "死ぬしかない / 死ぬつもり / 死ぬ方法 (not 死ぬほど・死ぬ気で・死ぬかと思った)",
    ),
    CrisisRule("suicide", r"死に場所|死なせて|死ねたら", "死に場所 / 死なせて / 死ねたら"),
    CrisisRule("suicide", _S + r"んだ(?:ほう|方)が(?:まし|いい|よい|良い|楽)", "死んだほうがまし"),
    CrisisRule("suicide", _KILL + r"して(?:ほしい|欲しい|ください|くれ)", "(私を)殺してほしい"),
    # --- suicide: wish to disappear ---------------------------------------------------------
    CrisisRule(
        "suicide",
        r"(?:消|き)え(?:たい|たく(?:なる|なり|なっ|て)|てしまいたい|ちゃいたい|てなくなりたい)"
        r"(?!(?:くらい|ぐらい|ほど)(?:恥|はず|はづ))",
        "消えたい / 消えてしまいたい (not 消えたいくらい恥ずかしい)",
    ),
    CrisisRule(
        "suicide",
        r"(?:い|居)なくな(?:りたい|ってしまいたい|っちゃいたい|れたら)",
        "いなくなりたい",
    ),
    # 楽になりたい alone is often about chores or pain; only with もう/全部/いっそ/生きる…
    CrisisRule(
        "suicide",
        r"(?:もう(?!少し|すこし|ちょっと|ちょい)|いっそ|全部|すべて|全て|何もかも|生きる|人生|死んで|消えて)"
        + _GAP
        + r"{0,6}?(?:楽|らく)に(?:なりたい|なれる|なりた)",
        "もう楽になりたい (with a life/giving-up word)",
    ),
    CrisisRule(
        "suicide",
        r"^(?:もう)?(?:楽|らく)になりたい(?:です|な|なあ|よ|の)?[、,。.!?…]*$",
        "楽になりたい as the whole message",
    ),
    # --- suicide: not wanting to live ---------------------------------------------------------
    CrisisRule("suicide", r"生き(?:てい|て)?たくな|いき(?:てい|て)たくな", "生きていたくない"),
    CrisisRule(
        "suicide",
        _LIVE + r"き(?:る|て(?:い)?る|とる|ちょる)(?:の|こと)(?:が|に|も|は)?"
        r"(?:つら|辛|しんど|苦し|くるし|疲れ|つかれ|嫌|いや|めんど|面倒)",
        "生きるのがつらい / 生きるのに疲れた",
    ),
    CrisisRule(
        "suicide",
        _LIVE + r"き(?:る|て(?:い)?る|とる|ちょる|てく|ていく)"
        r"(?:意味|いみ|価値|かち|理由|りゆう|気力|きりょく|希望|自信)(?:が|は|も)?"
        r"(?:な|無|わから|分から|見つから|みつから)",
        "生きている意味がない / 生きる気力がない",
    ),
    CrisisRule(
        "suicide",
        _LIVE + r"き(?:てい|て|とっ|ちょっ)ても(?:しょう?がな|しょうな|仕方(?:が)?な|"
        r"しかた(?:が)?な|意味(?:が)?な|いみ(?:が)?な|無駄|むだ|いいこと(?:が|は)?な)",
        "生きていてもしょうがない / 生きとってもしょうがない (dialect)",
    ),
    CrisisRule("suicide", _LIVE + r"きるのを?(?:やめ|止め)たい", "生きるのをやめたい"),
    CrisisRule(
        "suicide",
        r"(?:人生|命|いのち|全部|すべて|全て|何もかも|生きるの)を?"
        r"(?:終わり|おわり)に(?:したい|しよう|する)|(?:人生|命|いのち)を?(?:終わら|おわら|絶|た)"
        r"(?:せたい|せよう|ちたい|とう)",
        "人生を終わりにしたい / 命を絶ちたい",
    ),
    # --- suicide: named acts ------------------------------------------------------------------
    CrisisRule(
        "suicide",
        r"(?:自殺|じさつ|自死)(?!(?:の)?(?:対策|予防|防止|統計|率|者数|報道|ニュース|講座|研修|"
        r"週間|月間|行為|総合|ゲートキーパー|関連|問題))",
        "自殺 (not 自殺対策・予防・防止・行為…)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:首|くび)を?(?:吊|つ)(?:る|り|った|って|ろう|れたら)",
        "首をつる / 首つり / 首吊り (not 首がつる = cramp)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:飛び|とび|飛)(?:降|お)り(?:たい|たく|よう|自殺|じさつ|そう|てしまい|ちゃい)",
        "飛び降りたい",
    ),
    CrisisRule(
        "suicide",
        r"(?:電車|線路|ホーム)に(?:飛び|とび)込(?:みたい|もう|んでしまい)",
        "電車に飛び込みたい",
    ),
    CrisisRule(
        "suicide",
        r"(?:屋上|おくじょう|ビルの上|橋の上|はしの上|ベランダ|崖|がけ)[^\n]{0,20}?"
        r"(?:飛べそう|とべそう|飛ぼう|とぼう|飛びたい|とびたい|落ちたい|おちたい|"
        r"飛んでしまい|とんでしまい)",
        "屋上から飛べそう (a high place and a jump)",
    ),
    # --- self-harm ----------------------------------------------------------------------------
    CrisisRule("self_harm", r"リスカ|リストカット|アムカ|アームカット|レグカ", "リスカ / アムカ"),
    CrisisRule("self_harm", r"自傷", "自傷 (行為)"),
    CrisisRule(
        "self_harm",
        r"(?:手首|てくび|腕|うで)を?(?:切|き)(?:った|って|りたい|りつけ|ろう|る|りま|っちゃ)",
        "手首を切った",
    ),
    CrisisRule(
        "self_harm", r"自分を(?:傷つけ|きずつけ|痛めつけ|いためつけ)", "自分を傷つけてしまう"
    ),
    CrisisRule(
        "self_harm",
        r"(?<![a-z])od(?:した|して|しちゃ|しよう|しそう|したい|しま|っ)",
        "ODした (not OD錠)",
    ),
    CrisisRule("self_harm", r"オーバードー[ズス]|大量服薬|過量服薬", "オーバードーズ / 大量服薬"),
    CrisisRule(
        "self_harm",
        r"(?:薬|くすり|クスリ|錠剤)を?(?:(?:全部|ぜんぶ|大量に?|たくさん|いっぱい|まとめて|一気に|"
        r"一度に|一箱|ひと箱|一瓶|ひと瓶|まるごと|丸ごと|\d+錠)){1,2}(?:飲|の)(?:みたい|もう|みま)",
        "薬を大量に飲みたい (taken already: medical)",
    ),
    CrisisRule(
        "self_harm",
        r"(?:手首|てくび|腕|うで|太もも|ふともも|太腿)(?:に|の|を)" + _GAP + r"{0,10}?"
        r"(?:切り傷|きりきず|切ったような傷|切った傷|切ったあと|切った跡|傷跡|傷あと|きずあと|"
        r"何本も|なんぼんも|線の?ような傷|カッター|"
        r"かみそり|カミソリ|剃刀)",
        "cuts or scars on a wrist or arm (seen by a parent or friend)",
    ),
    CrisisRule(
        "self_harm",
        r"(?:カッター|かみそり|カミソリ|剃刀|刃)で(?:自分|手首|腕|うで|太もも|ふともも)",
        "カッターで腕を",
    ),
    CrisisRule(
        "self_harm",
        r"(?:壁|かべ)に(?:頭|あたま)を(?:打ち付け|うちつけ|ぶつけ)|根性焼き|自分を(?:殴|なぐ|叩|たた)",
        "頭を壁に打ち付ける / 自分を殴る",
    ),
    # --- suicide: preparations, means, timing ---------------------------------------------------
    CrisisRule(
        "suicide", r"遺書|いしょを(?:書|か)", "遺書 (a farewell letter)", fiction_sensitive=True
    ),
    CrisisRule(
        "suicide",
        r"(?:練炭|れんたん|硫化水素|七輪|しちりん)(?:を|で|も)?" + _GAP + r"{0,8}?"
        r"(?:買|か|用意|準備|車|くるま|たい|使)",
        "練炭・硫化水素 (means)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:ロープ|縄|なわ|ひも)を?"
        + _GAP
        + r"{0,6}?(?:買って|かって|用意|準備|かけ|掛け|結ん|むすん)"
        r"(?!て(?:荷物|にもつ|物干し|ものほし))",
        "ロープを用意した (means)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:薬|くすり|睡眠薬|すいみんやく|眠剤)を?"
        + _GAP
        + r"{0,4}?(?:ため|貯め|溜め|集め|あつめ)"
        r"(?:て|た|とる|ちょる)",
        "薬をためている (means)",
    ),
    CrisisRule("suicide", r"(?:首|くび)を?(?:くく|括)", "首をくくる"),
    CrisisRule(
        "suicide",
        r"(?:電車|でんしゃ|線路|せんろ|ホーム|踏切|ふみきり|列車|れっしゃ|快速|特急|海|うみ|"
        r"川|かわ|ダム)に(?:飛び|とび)(?:込|こ)(?:む|み|ん|も|め)",
        "電車に飛び込む",
    ),
    CrisisRule(
        "suicide",
        r"(?:あと|後)を(?:追|お)(?:いたい|おう|お|って(?:しま|い|死|し)|いかけたい)|後追い(?:自殺|し)",
        "後を追いたい (following the deceased)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:自分|じぶん|私|わたし|あたし|俺|おれ|僕|ぼく|うち)の(?:生命)?(?:保険金?|ほけんきん?)"
        + _GAP
        + r"{0,14}?(?:返|かえ|払|はら|残|のこ|清算|せいさん|家族|かぞく|借金|しゃっきん|楽|らく)|"
        + _S
        + r"(?:ねば|んだら|んだら|んでも)"
        + _GAP
        + r"{0,6}?(?:保険|ほけん)",
        "保険金で借金を返す (one's own life insurance)",
    ),
    CrisisRule(
        "suicide",
        r"(?<![のノ])(?:生命)?(?:保険|ほけん)(?:金|きん)?(?:で|が(?:おりれば|下りれば|入れば|はいれば))"
        + _GAP
        + r"{0,10}?(?:借金|しゃっきん|返済|へんさい|ちゃら|チャラ|清算|せいさん|"
        r"家族に残|かぞくにのこ)",
        "保険で借金をちゃらに (not 母の保険金で)",
    ),
    CrisisRule(
        "suicide", r"心中|しんじゅう|道連れ|みちづれ", "心中 / 道連れ", fiction_sensitive=True
    ),
    CrisisRule(
        "suicide",
        _S
        + r"にます(?!か)|(?:今から|いまから|これから|今夜|こんや|今日|きょう)"
        + _GAP
        + r"{0,6}?"
        + _S
        + r"(?:ぬ(?:ね|わ|よ|から|けん|けぇ)|にま)",
        "今から死にます (declared)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "suicide",
        r"(?:目が|めが)(?:覚め|さめ)(?:なければ|なきゃ|なかったら|ないでほしい)|"
        r"(?:明日|あした|朝|あさ)が(?:来|こ)(?:なければ|なきゃ|ないでほしい)",
        "目が覚めなければいいのに (passive wish to die)",
    ),
    CrisisRule(
        "suicide",
        r"(?:生まれて|うまれて)(?:こなければ|こなきゃ|来なければ|こんかったら|こなかったら)",
        "生まれてこなければよかった",
    ),
    CrisisRule(
        "suicide",
        r"(?:もう|いっそ|何もかも|なにもかも|全部|ぜんぶ|すべて)" + _GAP + r"{0,4}?"
        r"(?:終わり|おわり)に(?:したい|しよう|したく)|(?:もう|いっそ|何もかも|全部|ぜんぶ)"
        + _GAP
        + r"{0,4}?(?:終わら|おわら)せ(?:たい|よう|ちゃい)|^(?:もう)?(?:終わり|おわり)にしたい",
        "もう終わりにしたい",
    ),
    # --- medical emergency: a body in danger now (119 first) -------------------------------------
    CrisisRule(
        "medical",
        r"(?:倒れ|たおれ)(?:て|た|とる|ちょる)" + _GAP + r"{0,8}?(?:動かな|うごかな|意識|いしき|"
        r"息|いき|返事|へんじ|反応|はんのう|起きな|おきな)",
        "倒れて動かない",
    ),
    CrisisRule(
        "medical",
        r"(?:意識|いしき)が(?:ない|なく|ありません|もうろう|戻らな)|"
        r"(?:息|いき|呼吸|こきゅう)(?:を|が)?(?:して(?:い)?な|してません|止ま|とま)|"
        r"(?:呼んでも|よんでも|揺すっても|ゆすっても|たたいても|叩いても)(?:起きな|おきな|反応|"
        r"はんのう|返事|へんじ|目を(?:覚ま|さま))",
        "意識がない / 息をしていない",
    ),
    CrisisRule("medical", r"(?:けいれん|痙攣)(?:して|が止ま|がとま|を起こ)", "けいれんしている"),
    CrisisRule(
        "medical",
        r"(?:血|ち)が(?:止まらな|とまらな)|出血が(?:止まらな|とまらな|ひど|多)",
        "血が止まらない",
    ),
    CrisisRule(
        "medical",
        r"(?:漂白剤|ひょうはくざい|農薬|のうやく|洗剤|せんざい|灯油|とうゆ)を" + _GAP + r"{0,4}?"
        r"(?:飲ん|のん)",
        "漂白剤を飲んだ",
    ),
    CrisisRule(
        "medical",
        r"(?:薬|くすり|クスリ|錠剤|睡眠薬|すいみんやく)を?(?:(?:全部|ぜんぶ|大量に?|たくさん|いっぱい|"
        r"まとめて|一気に|一度に|一箱|ひと箱|一瓶|ひと瓶|まるごと|丸ごと|\d+錠)){1,2}"
        r"(?:飲|の)(?:んだ|んで|んじゃ|みました|んでしま|んじゃっ)",
        "薬を大量に飲んだ (just now)",
    ),
    CrisisRule(
        "medical",
        r"(?:大量|たいりょう|たくさん|全部|ぜんぶ|いっぱい|一箱|ひと箱|まとめて|一気に)(?:の|に)?"
        r"(?:薬|くすり|クスリ|錠剤|睡眠薬|すいみんやく)を?(?:飲|の)(?:んだ|んで|んじゃ|みました)",
        "大量の薬を飲んだ (just now)",
    ),
    # --- violence happening now (110 first) ------------------------------------------------------
    CrisisRule(
        "violence_now",
        _KILL + r"され(?:る|そう|かけ|ちゃう|てしまう|ます)(?!かと(?:思|おも))",
        "殺される / 殺されそう (not 殺されるかと思った)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "violence_now",
        _KILL + r"す(?:ぞ|よ)?(?:って|と)(?:言|い)われ|" + _KILL + r"すと(?:脅|おど)",
        "殺すと言われた",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "violence_now",
        _KILL + r"して(?:やる|やりたい)|" + _KILL + r"したい",
        "殺してやる / 殺したい",
        fiction_sensitive=True,
    ),
    # 今/いま/助けて next to being hit: happening now.  今まで・今日・います are not "now".
    CrisisRule(
        "violence_now",
        r"(?:今(?!まで|日|朝|年|度|回|後|月|週|夜|更|頃)|いま(?!まで|す|せ|した|さら)|助けて|たすけて)"
        + _GAP
        + r"{0,10}?(?:殴られ|なぐられ|叩かれ|たたかれ|蹴られ|(?<=を)けられ|首を(?:絞|し)められ|"
        r"暴力を?(?:振る|ふる)われ|暴力を受け|暴れ|あばれ)(?!て育|てき)",
        "今殴られている / 今暴れている",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "violence_now",
        r"刃物を?(?:持|も|振り回|ふりまわ|突きつけ|つきつけ|向け|むけ)|"
        r"(?:包丁|ほうちょう|ナイフ)を?(?:振り回|ふりまわ|突きつけ|つきつけ|向け|むけ|"
        r"持って(?:暴れ|あばれ|脅|おど|追いかけ|おいかけ|迫|せま|い(?:る|ま)|る|立|き|来|叫|さけ|"
        r"怒鳴|どな|わめ))",
        "刃物を持って / 包丁を振り回す",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "violence_now",
        r"(?:トイレ|押し入れ|押入れ|おしいれ|クローゼット|車の中|くるまのなか|物置|ものおき|"
        r"寝室|しんしつ|風呂|ふろ|浴室)に"
        r"(?:隠れ|かくれ|逃げ込|にげこ)",
        "トイレに隠れている",
    ),
    CrisisRule(
        "violence_now",
        r"(?:閉じ込め|とじこめ)られ(?:て|た|とる|ちょる)",
        "閉じ込められている",
        fiction_sensitive=True,
    ),
    # About to harm a family member: a danger to a life now, like violence happening.
    CrisisRule(
        "violence_now",
        r"手に(?:かけ|掛け)(?:てしまいそう|てしまう|そう|たい|る|よう)",
        "手にかけてしまいそう (harming a family member)",
    ),
    CrisisRule(
        "violence_now",
        r"(?:子ども|子供|こども|息子|娘|赤ちゃん|赤ん坊|あかちゃん|母|父|親)(?:を|に)"
        + _GAP
        + r"{0,6}?(?:叩いて|たたいて|殴って|なぐって|手をあげて|手を上げて|傷つけて|"
        r"首を絞めて|首をしめて|殺して|ころして)しまいそう",
        "子どもを叩いてしまいそう",
    ),
    # --- abuse and violence in plain words (not necessarily this minute) -----------------------
    CrisisRule(
        "abuse",
        r"(?:殴られ|なぐられ|叩かれ|たたかれ|蹴られ|(?<=を)けられ|首を(?:絞|し)められ|"
        r"突き飛ばされ|つきとばされ|髪を(?:つかまれ|掴まれ|引っ張られ|ひっぱられ)|"
        r"(?:物|もの)を(?:投げ|なげ)(?:られ|つけられ)|暴力を?(?:振る|ふる)われ|暴力を受け|"
        r"(?:DV|ドメスティックバイオレンス)(?:を受け|され|がひど|夫|彼氏|から逃げ|で逃げ|被害に))",
        "殴られた / 叩かれる / 暴力を振るわれる",
        fiction_sensitive=True,
        past_sensitive=True,
    ),
    CrisisRule(
        "abuse",
        r"(?:夫|おっと|旦那|だんな|主人|彼氏|かれし|彼|父|ちち|母|はは|親|おや|息子|むすこ|娘|"
        r"兄|あに|弟|おとうと|お父さん|おとうさん|お母さん|おかあさん|パパ|ママ|おやじ|継父|義父)"
        r"(?:が|は|も)" + _GAP + r"{0,12}?(?:暴れ|あばれ|殴|なぐ|叩|たた|蹴|物を投げ|ものをなげ)",
        "a family member who rages or hits",
        fiction_sensitive=True,
        past_sensitive=True,
    ),
    CrisisRule(
        "abuse",
        r"(?:家|うち|いえ|実家)(?:に|へ)(?:(?:帰り|かえり)たくな(?!る|り|っ)|帰るのが(?:怖|こわ)|"
        r"かえるのがこわ|帰れな|かえれな|いたくな(?!る|り|っ)|いるのが(?:怖|こわ))|"
        r"(?:家|うち|いえ|夫|旦那|だんな|彼氏|親)(?:から|のもとから)?" + _GAP + r"{0,4}?"
        r"(?:逃げ|にげ)(?:てき|出し|だし|たい)",
        "家に帰りたくない / 家から逃げてきた",
    ),
    CrisisRule(
        "abuse",
        r"(?:夫|おっと|旦那|だんな|主人|妻|パートナー|彼氏|かれし|恋人|交際相手|親|おや|父|母|"
        r"家族|かぞく|息子|むすこ|娘|兄|弟|姉|妹)(?:から|の)(?:の)?(?:暴力|ぼうりょく|DV|虐待)"
        r"(?!(?:の)?(?:防止|対策|研修|講座|統計|について))",
        "夫からの暴力 / 親の虐待",
        fiction_sensitive=True,
        past_sensitive=True,
    ),
    CrisisRule(
        "abuse",
        r"虐待(?!(?:の)?(?:防止|対策|研修|講座|統計|件数|について|とは|の定義|予防|ニュース|報道|"
        r"に関する|関連))|ぎゃくたい(?:され|かも)",
        "虐待 (not 虐待防止・研修…)",
        fiction_sensitive=True,
    ),
    CrisisRule(
        "abuse",
        r"性的(?:虐待|暴力|被害|ないたずら)|無理やり(?:性|体|からだ)|レイプ|性行為を強要",
        "性的な暴力",
        fiction_sensitive=True,
    ),
)

#: Said right after a phrase, these take it back (死にたいとは思わない).  `思わない日はない`
#: is a double negative and therefore still a crisis.
NEGATION_PATTERNS: tuple[str, ...] = (
    r"^(?:っ?て|と|とは|とか|なんて|なんか)(?:は|も)?(?:一度も|いちども|全く|まったく|別に|べつに)?"
    r"(?:思わ|おもわ|思って(?:い)?な|おもって(?:い)?な|思ったこと(?:は|が|も)?"
    r"(?:一度も|いちども)?な|おもったこと(?:は|が|も)?な|考えたこと(?:は|が|も)?な|"
    r"考えてな|かんがえてな)(?!な?い(?:日|時|とき|こと|瞬間))",
    r"^(?:わけ|訳)(?:じゃ|では|でも|ではな)",
    r"^(?:とは|なんて)(?:言って|いって)な",
)
