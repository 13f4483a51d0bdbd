"""Rule layer that recognises which of the four pilot cities a resident lives in.

Why rules: the city decides which office a ticket goes to, the names are a closed list, and the
traps are lexical (富士宮市 is not 富士市, 東久留米市 is in Tokyo, 益田さん is a person), so a
small set of readable patterns is more reliable than a model that has seen a few examples.

Each city has names that are safe on their own (宇部, 久留米) and names that are also words,
surnames or company names (益田, 富士, ますだ, ふじ).  The latter count only with a place cue:
市, a prefecture in front (島根県の益田), or a residence/movement word after (に住んで, 在住,
で暮らして, に引っ越した).  Kana names additionally need word boundaries so that 言うべき,
ゆうべ, こうべ (神戸) and 言いくるめる do not read as うべ or くるめ.

Judgement calls (tests pin them down):

* 富士川町 today is in 山梨県; the old 富士川町 (静岡県) merged into 富士市 in 2008.  A bare
  富士川 (the river, or that district) is ambiguous, so it maps to nothing; 「富士市の富士川地区」
  still maps through 富士市.
* Company names (宇部興産, 富士通, 富士フイルム) are not where someone lives: None, unless the
  text also names the city as a place (宇部市, 宇部に住んで).
* 益田です is a self-introduction in free text (surname) but an answer in the city question, so
  only ``detect_city_answer`` accepts it.
* Several target cities: a mention tied to a residence word (住んで, 在住, 暮らして, に引っ越した)
  wins; a mention the person moved away from (宇部から引っ越した, 宇部を出て) loses; otherwise
  the last one wins.  If the only mentions are places they left, the current city is unknown
  and the answer is None.  If another municipality is named with a residence word
  (静岡市に住んでいます) and no target city is, the answer is None as well.

* A bare 益田/富士 closing the message after punctuation (「お金がない。益田」) is the city: a
  resident signs off with where they live.  Loose forms (くるめ住み, 富士の方で, 宇部んとこ) are
  place cues too.  Districts and former towns (田主丸, 旧楠町, 鷹岡…) come from
  ``bot.nlu.city_districts``, which explains when an ambiguous one (北野, 高津, 吉原) counts.

Matching runs on NFKC-normalised text with hiragana folded to katakana; offsets refer to the
original text so a caller can emit an entity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.nlu.city_districts import find_districts
from bot.nlu.normalize import hiragana_to_katakana

__all__ = [
    "CITY_NAMES",
    "CITY_RULES",
    "OTHER",
    "CityMention",
    "CityRule",
    "detect_city",
    "detect_city_answer",
    "detect_city_correction",
    "find_cities",
    "find_city",
]

CITY_NAMES: dict[str, str] = {
    "ube": "宇部市",
    "masuda": "益田市",
    "kurume": "久留米市",
    "fuji": "富士市",
}

#: ``detect_city_answer`` result for "another city" (その他, ほかの市, 静岡市…).
OTHER = "other"


@dataclass(frozen=True)
class CityRule:
    """One way of naming a city; the ``c`` group marks the words that name it."""

    code: str
    pattern: str
    note: str


@dataclass(frozen=True)
class CityMention:
    """A city named in the text; ``text[start:end]`` is the name (with 市 when written)."""

    code: str
    start: int
    end: int
    surface: str


# --------------------------------------------------------------------------------------------
# Normalisation: NFKC and kana folding (bot.nlu.normalize is pure Python, no Rasa).

_COMBINING_MARKS = frozenset("\u3099\u309a\uff9e\uff9f")


def _fold_pattern(pattern: str) -> str:
    """Fold a pattern like the text; katakana ranges such as ァ-ヺ are left untouched."""
    return "".join(hiragana_to_katakana(ch) for ch in unicodedata.normalize("NFKC", pattern))


def _fold_text(text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFKC + katakana + lower-case, with each folded character's span in the original."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and text[j] in _COMBINING_MARKS:
            j += 1
        for raw in unicodedata.normalize("NFKC", text[i:j]):
            out.append(hiragana_to_katakana(raw).lower())
            spans.append((i, j))
        i = j
    return "".join(out), spans


# --------------------------------------------------------------------------------------------
# Pattern pieces.  Written in hiragana for readability; folded to katakana when compiled.

_KANA = "ァ-ヺ"
# A kana name must not continue a kana word on its left (ゆうべ, こうべ, 言いくるめる), except
# after a particle (私はうべに…).
_KANA_LEFT = rf"(?:(?<![{_KANA}])|(?<=[はのもにでがとへをや]))"
# …nor run into a kana word on its right (言うべき, くるめる, ふじしま).
_PARTICLE = r"(?:に|で|の|は|も|へ|から|が|と|や|まで|だ|です|在|出身|ん(?:とこ|ち)|ら(?:へん|辺))"
_KANA_RIGHT = rf"(?=[^{_KANA}]|$|{_PARTICLE})"
_RESIDENCE = (
    r"(?:に|で|へ)?(?:住|すん|すま|在住|暮ら|くら|引っ越|引越|ひっこ|転居|移住|移り住|越して)"
)
# What makes an ambiguous name (益田, 富士, ますだ, ふじ) a place.
_PLACE_CUE = (
    r"(?:" + _RESIDENCE + r"|(?:に|へ)(?:戻|帰|行|い[きくっ]|来|き[たて]|い(?:る|ます)|ある|あり)"
    r"|から|出身|生まれ|育ち|で(?!す|ござ|ある|あり)|周辺|近辺|方面|あたり|辺り|地域|地区"
    r"|ん(?:とこ|ち)|ら(?:へん|辺)|界隈|の(?:方|ほう)(?:で|へ|に(?:住|すん|い|お))"
    r"|の(?:市役所|役所|社協|社会福祉協議会|福祉|駅|病院|近く|あたり|辺り|周辺|者|もの))"
)
# Compounds and names that contain 富士 but are other places or companies.
_NOT_FUJI = r"(?!宮|見|吉田|河口湖|山|川|五湖|急|通|フイルム|フィルム|ゼロックス|重工|の樹海)"

# A name standing alone after the worry, as a sign-off: the city, not a surname introduction.
_TRAILING_BEFORE = r"(?<=[。、,.!?\s()/・])"
_TRAILING_AFTER = r"(?:市|し)?\)?[。.!?\s]*$"

CITY_RULES: tuple[CityRule, ...] = (
    # --- 宇部市 (山口県) ---------------------------------------------------------------------
    CityRule("ube", r"(?P<c>宇部市)", "宇部市"),
    CityRule("ube", r"(?P<c>宇部)(?!市|興産)", "宇部 (not 宇部興産, the company)"),
    CityRule("ube", _KANA_LEFT + rf"(?P<c>うべ(?:市|し{_KANA_RIGHT})?){_KANA_RIGHT}", "うべ"),
    # --- 益田市 (島根県); 益田 is also a surname ---------------------------------------------
    CityRule("masuda", r"(?P<c>益田市)", "益田市"),
    CityRule("masuda", rf"(?P<c>益田)(?={_PLACE_CUE})", "益田 + place cue (not 益田さん)"),
    CityRule(
        "masuda", r"(?:島根県?|しまね(?:けん)?)の?(?P<c>益田|ますだ)(?!市|し)", "島根県の益田"
    ),
    CityRule(
        "masuda",
        _KANA_LEFT + rf"(?P<c>ますだ(?:市|し{_KANA_RIGHT}))",
        "ますだ市 / ますだし",
    ),
    CityRule("masuda", _KANA_LEFT + rf"(?P<c>ますだ)(?={_PLACE_CUE})", "ますだ + place cue"),
    # --- 久留米市 (福岡県); 東久留米市 is in Tokyo -------------------------------------------
    CityRule("kurume", r"(?<!東)(?P<c>久留米市)", "久留米市 (not 東久留米市)"),
    CityRule("kurume", r"(?<!東)(?P<c>久留米)(?!市)", "久留米"),
    CityRule(
        "kurume",
        r"(?<!ひがし)" + _KANA_LEFT + rf"(?P<c>くるめ(?:市|し{_KANA_RIGHT})?){_KANA_RIGHT}",
        "くるめ (not 言いくるめる)",
    ),
    # --- 富士市 (静岡県); not 富士宮市, 富士見市, 富士吉田市, 富士山, 富士通… ------------------
    CityRule("fuji", r"(?P<c>富士市)", "富士市"),
    CityRule("fuji", rf"(?P<c>富士){_NOT_FUJI}(?={_PLACE_CUE})", "富士 + place cue"),
    CityRule(
        "fuji",
        r"(?:静岡県?|しずおか(?:けん)?)の?(?P<c>富士|ふじ)" + _NOT_FUJI + r"(?!市|し)",
        "静岡県の富士",
    ),
    CityRule("fuji", _KANA_LEFT + rf"(?P<c>ふじ(?:市|し{_KANA_RIGHT}))", "ふじ市 / ふじし"),
    CityRule("fuji", _KANA_LEFT + rf"(?P<c>ふじ)(?={_PLACE_CUE})", "ふじ + place cue"),
    # --- A bare name closing the message: 「お金がない。益田」「困ってる 富士」 -------------------
    CityRule("masuda", _TRAILING_BEFORE + r"(?P<c>益田|ますだ)" + _TRAILING_AFTER, "…。益田"),
    CityRule("fuji", _TRAILING_BEFORE + r"(?P<c>富士|ふじ)" + _TRAILING_AFTER, "…。富士"),
)

_COMPILED = tuple((rule, re.compile(_fold_pattern(rule.pattern))) for rule in CITY_RULES)

_AFTER_RESIDENCE = re.compile(_fold_pattern(r"^(?:市|し)?" + _RESIDENCE))
_BEFORE_RESIDENCE = re.compile(
    _fold_pattern(
        r"(?:住まい|すまい|住所|在住|住んで(?:い)?る(?:の|ところ|場所)|暮らして(?:い)?るの)"
        r"(?:は|が|も)?[:\s]*(?:[^。、,.!?\s]{0,6}(?:県|の))?$"
    )
)
_AFTER_DEPARTURE = re.compile(
    _fold_pattern(
        r"^(?:市|し)?(?:から|を)[^。.!?\n]{0,12}?(?:引っ越|引越|ひっこ|転居|転出|越して|こして|"
        r"出て|でて|離れ|はなれ|移っ|来ました|来た|きました|きた)"
    )
)
# Any other municipality named as a residence (静岡市に住んでいます).
_OTHER_RESIDENCE = re.compile(
    _fold_pattern(
        r"[一-龥々ヶ]{1,5}(?:[市町村]|(?<!地)区)(?:内)?(?:に|で)?(?:住|すん|在住|暮ら|くら)"
    )
)


def find_cities(text: str) -> list[CityMention]:
    """Every target-city mention in text order (overlaps resolved to the longest)."""
    folded, spans = _fold_text(text)
    raw: list[tuple[int, int, str]] = []
    for rule, regex in _COMPILED:
        for m in regex.finditer(folded):
            start, end = m.span("c")
            raw.append((start, end, rule.code))
    raw.extend(find_districts(folded))
    raw.sort(key=lambda item: (item[0], -item[1]))
    mentions: list[CityMention] = []
    last_end = -1
    for start, end, code in raw:
        if start < last_end:
            continue
        last_end = end
        o_start, o_end = spans[start][0], spans[end - 1][1]
        mentions.append(CityMention(code, o_start, o_end, text[o_start:o_end]))
    return mentions


def _score(folded: str, f_start: int, f_end: int) -> int:
    """2 = lives there, 0 = moved away from there, 1 = mentioned."""
    after = folded[f_end:]
    if _AFTER_DEPARTURE.search(after):
        return 0
    if _AFTER_RESIDENCE.search(after) or _BEFORE_RESIDENCE.search(folded[:f_start]):
        return 2
    return 1


def find_city(text: str) -> CityMention | None:
    """The mention that says where the person lives (see the module docstring), or None."""
    mentions = find_cities(text)
    if not mentions:
        return None
    folded, spans = _fold_text(text)
    # Map original offsets back to folded ones (first folded char at/after each offset).
    to_folded: dict[int, int] = {}
    for index, (o_start, _) in enumerate(spans):
        to_folded.setdefault(o_start, index)
    scored: list[tuple[int, int, CityMention]] = []
    for order, mention in enumerate(mentions):
        f_start = to_folded[mention.start]
        f_end = to_folded.get(mention.end, len(folded))
        scored.append((_score(folded, f_start, f_end), order, mention))
    best_score, _, best = max(scored, key=lambda item: (item[0], item[1]))
    if best_score == 0:
        return None
    if best_score < 2:
        covered = [(to_folded[m.start], to_folded.get(m.end, len(folded))) for m in mentions]
        for other in _OTHER_RESIDENCE.finditer(folded):
            if not any(s < other.end() and other.start() < e for s, e in covered):
                return None
    return best


def detect_city(text: str) -> str | None:
    """City code ("ube", "masuda", "kurume", "fuji") the person lives in, or None."""
    mention = find_city(text)
    return mention.code if mention else None


# --------------------------------------------------------------------------------------------
# Answers to 「お住まいの市を教えてください」: short bare replies are fine here.

_BARE_NAMES = {
    _fold_pattern(name): code
    for code, names in {
        "ube": ("宇部", "うべ"),
        "masuda": ("益田", "ますだ"),
        "kurume": ("久留米", "くるめ"),
        "fuji": ("富士", "ふじ"),
    }.items()
    for name in names
}
_ANSWER_PREFIX = re.compile(
    _fold_pattern(
        r"^(?:えっと|えーと|えと|あの|はい|いいえ|いや)?(?:(?:山口|島根|福岡|静岡)(?:県の?|の))?"
    )
)
# Endings peeled off one at a time (longest first) until a bare name is left.
_ANSWER_SUFFIXES = tuple(
    sorted(
        (
            _fold_pattern(suffix)
            for suffix in (
                "に住んでいます",
                "に住んでます",
                "に住んでる",
                "に住んでいる",
                "在住です",
                "在住",
                "でございます",
                "でした",
                "になります",
                "ですよ",
                "ですね",
                "です",
                "だよ",
                "っす",
                "かな",
                "だ",
                "よ",
                "ね",
                "市",
                "し",
            )
        ),
        key=len,
        reverse=True,
    )
)
_OTHER_ANSWER = re.compile(
    _fold_pattern(
        r"^(?:その他|そのた|ほか|他|別|べつ|違う|ちがう|それ以外|上記以外|以外|どれでもない|"
        r"どれも違う|どれもちがう|市外|しがい|県外|けんがい|ほかの市|他の市|別の市|違う市|ちがう市|"
        r"ほかのまち|他の町|ほかの町|別のところ|ほかのところ|他のところ|"
        r"その他の市町村|ほかの市町村|他の市町村|別の市町村)"
    )
)
_NEAR_MISSES = tuple(
    _fold_pattern(name)
    for name in ("富士宮", "富士見", "富士吉田", "富士河口湖", "富士川", "東久留米", "山陽小野田")
)
_PUNCTUATION = re.compile(r"[\s、。,.!?！？「」『』…・~〜ー]+")


def detect_city_answer(text: str) -> str | None:
    """City code, ``OTHER`` or None for a reply to the "which city do you live in" question.

    Only for that dialogue state: bare 益田 or ふじ would be too risky in free text.
    """
    mention = find_city(text)
    if mention:
        return mention.code
    folded, _ = _fold_text(text)
    answer = _PUNCTUATION.sub("", folded)
    if _OTHER_ANSWER.fullmatch(answer):
        return OTHER
    answer = _ANSWER_PREFIX.sub("", answer, count=1)
    while answer:
        if answer in _BARE_NAMES:
            return _BARE_NAMES[answer]
        # The whole answer, not its start: 「ほかの窓口」 asks for other windows, not a city.
        if _OTHER_ANSWER.fullmatch(answer):
            return OTHER
        suffix = next((x for x in _ANSWER_SUFFIXES if answer.endswith(x) and x != answer), None)
        if suffix is None or re.fullmatch(r"[一-龥々ヶ]{1,5}[市町村]", answer):
            break
        answer = answer[: -len(suffix)]
    if answer.startswith(_NEAR_MISSES) or re.fullmatch(r"[一-龥々ヶ]{1,5}[市町村]", answer):
        return OTHER
    return None


# --------------------------------------------------------------------------------------------
# Corrections: 「市をまちがえました、益田です」「宇部じゃなくて益田です」「やっぱり久留米市です」.
# Here a bare name (益田) is an answer, not a surname: the resident is correcting the city.

_CORRECTION_CUE = re.compile(
    _fold_pattern(
        r"(?:まちが|間違|違いま|ちがいま|違った|ちがった|違う|ちがう|訂正|やっぱ|やはり|"
        r"じゃなく|ではなく|でなく|本当は|ほんとうは|ほんとは|正しくは|でした)"
    )
)
# What precedes these is the city the resident did *not* mean.
_NOT_THIS = re.compile(
    _fold_pattern(r"(?:じゃなくて|じゃなく|ではなくて|ではなく|でなくて|でなく)")
)
_CLAUSE_LEAD = re.compile(
    _fold_pattern(
        r"^(?:すみません|すいません|ごめんなさい|ごめん|失礼しました|やっぱり|やっぱ|やはり|"
        r"本当は|ほんとうは|ほんとは|正しくは|住んでいるのは|住んでるのは|住まいは|市は)+"
    )
)
_CLAUSES = re.compile(r"[、。,.!?！？\s]+")


def detect_city_correction(text: str) -> str | None:
    """City code or ``OTHER`` when the message corrects the city, else None.

    Only for messages with a correction cue (まちがえ, やっぱり, じゃなくて, でした…), where a
    short clause such as 「益田です」 answers "which city" even in free text. What follows the
    last 「〜じゃなくて」 is the city meant; otherwise the last clause that names one.
    """
    folded, _ = _fold_text(text)
    if not _CORRECTION_CUE.search(folded):
        return None
    tail = _NOT_THIS.split(folded)[-1]
    for clause in reversed([c for c in _CLAUSES.split(tail) if c]):
        code = detect_city_answer(_CLAUSE_LEAD.sub("", clause))
        if code is not None:
            return code
    return None
