"""The intake questions, asked in this order, each skippable with 「答えたくない」.

Only what the handoff needs is asked: who the worry is about, a rough age, the household, how
urgent it is, how to reach the resident, and a name or nickname. Nothing else is collected.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SKIPPED = "skipped"
DECLINE_BUTTON = ("答えたくない", "/decline_answer")


@dataclass(frozen=True)
class Field:
    slot: str
    label: str  # how the summary names it
    question: str
    choices: tuple[str, ...] = ()


ABOUT = Field(
    "intake_about",
    "困っている人",
    "困っているのは、どなたのことですか？",
    ("本人", "家族", "知人・近所"),
)
AGE = Field(
    "intake_age",
    "年代",
    "{person}の年代を教えてください。",
    ("19歳以下", "20〜39歳", "40〜64歳", "65歳以上"),
)
HOUSEHOLD = Field(
    "intake_household",
    "一緒に暮らしている人",
    "{person}は、どなたと暮らしていますか？",
    ("ひとり暮らし", "家族と暮らしている", "その他"),
)
URGENCY = Field(
    "intake_urgency",
    "急ぎぐあい",
    "どのくらい急ぎますか？",
    ("今日中", "今週中", "急がない"),
)
CONTACT_METHOD = Field(
    "intake_contact_method",
    "連絡の方法",
    "窓口の職員からの連絡は、どの方法がよいですか？",
    ("電話", "メール", "LINE", "窓口に行く"),
)
#: Asked only when the worry is violence or abuse: a call at the wrong time, or a voicemail the
#: abuser hears, can put the resident in danger. Staff see the answer first on the ticket.
SAFE_CONTACT = Field(
    "intake_safe_contact",
    "安全に連絡できる時間・方法",
    "連絡するとき、気をつけることはありますか？\n"
    "電話に出ても安全な時間や、留守番電話・メッセージを残してよいかを、教えてください。\n"
    "（例: 平日の10時〜12時なら大丈夫。留守電は残さないで）",
    ("いつでも大丈夫", "留守電・メッセージは残さないで"),
)
#: How the questions name the person the worry is about: 「あなた」 when it is the resident's
#: own, 「その方」 when it is someone else's, and a neutral word while that is not known (a
#: resident told 「その方」 about their own worry feels talked past).
PERSON_WORDS: dict[str | None, str] = {"self": "あなた", "other": "その方", None: "困っている方"}


def question_for(field: Field, whose: str | None) -> str:
    """``field``'s question, naming the person by whose worry it is (``answers.about_whom``)."""
    return field.question.replace("{person}", PERSON_WORDS.get(whose, PERSON_WORDS[None]))


CONTACT_VALUE = Field("intake_contact_value", "連絡先", "")
NAME = Field(
    "intake_name",
    "お名前",
    "お名前を教えてください。ニックネームでも大丈夫です。",
)
CONSENT = Field("intake_consent", "窓口に伝えること", "")
MEETING_CONSENT = Field("intake_meeting_consent", "重層的支援会議での共有", "")

QUESTIONS: tuple[Field, ...] = (
    ABOUT,
    AGE,
    HOUSEHOLD,
    URGENCY,
    CONTACT_METHOD,
    SAFE_CONTACT,
    CONTACT_VALUE,
    NAME,
)
#: Worries and dangers after which the safe-contact question is asked.
SAFE_CONTACT_CATEGORIES = frozenset({"abuse_dv"})
SAFE_CONTACT_KINDS = frozenset({"abuse", "violence_now"})
ALL_FIELDS: tuple[Field, ...] = (*QUESTIONS, CONSENT, MEETING_CONSENT)
# The fields a resident can correct from the summary (consent is asked again instead).
CORRECTABLE: tuple[Field, ...] = QUESTIONS
FIELD_BY_SLOT = {field.slot: field for field in ALL_FIELDS}
RETRY_SLOT = "intake_retries"

CONTACT_QUESTIONS = {
    "電話": "連絡してよい電話番号を教えてください。（例: 090-○○○○-○○○○）",
    "メール": "連絡してよいメールアドレスを教えてください。",
    "窓口に行く": "窓口に行けそうな日や時間を教えてください。（例: 平日の午前）",
}

# 「LINE」 as a way back exists only on the LINE channel: staff then write to the resident in
# this very conversation, through the city's LINE account, from the ticket page
# (``bot/console/line_contact.py``). On the web chat there is no LINE conversation to write
# to, and staff must not use personal LINE accounts, so the choice is not offered there and
# no LINE ID is ever asked for.
LINE_METHOD = "LINE"
LINE_CHANNEL = "line"
LINE_NOT_HERE = (
    "ごめんなさい、このチャットからは、LINEでの連絡はえらべません。"
    "電話、メール、窓口に行く、のどれかをえらんでください。"
)


def contact_method_allowed(method: str | None, channel: str) -> bool:
    """Whether staff can reach the resident by ``method`` given the channel they wrote on."""
    return method != LINE_METHOD or channel == LINE_CHANNEL


def contact_method_field(channel: str) -> Field:
    """The contact-method question with the choices that work for ``channel``."""
    if channel == LINE_CHANNEL:
        return CONTACT_METHOD
    choices = tuple(c for c in CONTACT_METHOD.choices if contact_method_allowed(c, channel))
    return replace(CONTACT_METHOD, choices=choices)
