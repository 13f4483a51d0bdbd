"""Residents' text: short, warm, plain Japanese (やさしい日本語 where possible).

One place for the wording, so that a city can review every sentence the bot says.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue.state import Button

CITY_BUTTONS: tuple[Button, ...] = (
    Button("宇部市", '/inform_city{"city": "ube"}'),
    Button("益田市", '/inform_city{"city": "masuda"}'),
    Button("久留米市", '/inform_city{"city": "kurume"}'),
    Button("富士市", '/inform_city{"city": "fuji"}'),
    Button("その他の市町村", '/inform_city{"city": "other"}'),
)

YES_NO_CONTACT: tuple[Button, ...] = (
    Button("はい、連絡がほしい", "/affirm"),
    Button("いいえ", "/deny"),
)

AFTER_CRISIS_BUTTONS: tuple[Button, ...] = (
    Button("相談を続ける", "/continue_consultation"),
    Button("最初から", "/start_over"),
)

GREETING = (
    "こんにちは。ここは、くらしの困りごとを相談する窓口をご案内するチャットです。\n"
    "困っていることを、あなたのことばで書いてください。家族や知り合いのことでも大丈夫です。\n"
    "くわしいご相談は、市の窓口の職員（人）がお受けします。"
)
ASK_WORRY = "どうぞ、困っていることを書いてください。いくつあっても大丈夫です。"
ASK_CITY = "相談できる窓口は、住んでいる市によってちがいます。お住まいの市をえらんでください。"
ASK_CITY_AGAIN = "お住まいの市を、えらびなおしてください。"
ASK_CITY_FOR_PERSON = "市の窓口の人につなぐために、お住まいの市をえらんでください。"
OTHER_CITY_NOTED = "わかりました。どこの市町村にもある窓口をご案内します。"
OFFER_CONTACT = "市の窓口の職員から、あなたに連絡してもらうこともできます。連絡を希望しますか？"
OTHER_CITY_DIRECT = (
    "このチャットから職員につなげるのは、宇部市・益田市・久留米市・富士市にお住まいの方です。"
    "お住まいの市区町村の役所で「福祉の相談をしたい」と伝えてください。"
)
RESTART_HINT = "「最初から」と書くと、はじめからやり直せます。"
DECLINED_CONTACT = (
    "わかりました。あとで相談したくなったら、上の窓口に直接連絡できます。\n"
    "ほかにも困っていることがあれば、書いてください。"
)
DECLINED_AFTER_CRISIS = (
    "わかりました。つらいときは、いつでも上の電話に相談してください。あなたのペースで大丈夫です。"
)
DECLINED_OTHER = "わかりました。ほかに困っていることがあれば、書いてください。"
CONTINUE_AFTER_CRISIS = (
    "このチャットでも、このままお話を続けられます。続けるときは「相談を続ける」をえらんでください。"
)
ASK_WORRY_AFTER_CRISIS = "はい、続けましょう。困っていることを、あなたのペースで書いてください。"
ANSWER_THE_OPEN_QUESTION = "はい。上の質問に、ボタンか文字でこたえてください。"
# A message the bot could not read while its offer of a staff contact waits (「夜なら」
# 「メールならいいです」「家族に知られたくない」「迷ってます」): the offer stays.
OFFER_UNCLEAR = (
    "ごめんなさい、うまく読み取れませんでした。\n"
    "職員からの連絡を希望しますか？"
    " 連絡の方法（電話・メールなど）は、このあとの質問でえらべます。\n"
    "ほかに困っていることがあれば、そのまま書いてください。"
)
ASK_CITY_FOR_WINDOW = "あなたの市の相談窓口もご案内します。お住まいの市をえらんでください。"
CLARIFY_FIRST = (
    "ごめんなさい、うまく読み取れませんでした。どんなことで困っていますか？\n"
    "近いものをえらぶか、もう少しくわしく書いてください。"
    "人と話したいときは「人と話したい」と書いてください。"
)
CLARIFY_AGAIN = (
    "うまくご案内できず、ごめんなさい。どんな困りごとでも受け付けてくれる窓口があります。"
)


def clarify_after_catch_all(window_name: str) -> str:
    """A third miss: the catch-all window is already on the screen, so point back to it."""
    return (
        "ごめんなさい、まだうまく読み取れません。\n"
        f"上でご案内した「{window_name}」に相談すると、人が話を聞いてくれます。"
        "近いものをえらぶか、「人と話したい」と書いてもかまいません。"
    )


STARTING_OVER = "はじめからやり直します。これまでの内容は、このチャットでは使いません。"


def how_to_reach(labels: Sequence[str]) -> str:
    """What to say on the phone, with the resident's own worries in it (never a 〇〇 to fill)."""
    about = "と".join(f"「{label}」" for label in labels)
    if about:
        say = f"チャットで案内されました。{about}のことで相談したいです"
    else:
        say = "チャットで案内されました。相談したいことがあります"
    return (
        f"窓口に電話するときは「{say}」と伝えてください。"
        "くわしいお話は、窓口の職員（人）がお聞きします。"
    )


NO_WINDOW_YET = (
    "まだ相談先をご案内していません。困っていることを書いてもらえれば、合う窓口をお伝えします。"
)


def worry_acknowledgement(labels: list[str]) -> str:
    joined = "と".join(f"「{label}」" for label in labels)
    return f"{joined}のことで、困っているのですね。話してくださって、ありがとうございます。"


def resume_offer(window_names: list[str]) -> str:
    joined = "、".join(f"「{name}」" for name in window_names)
    return (
        f"さきほどの続きです。ご案内した窓口は{joined}です。" if joined else "さきほどの続きです。"
    )


def city_noted(city_name: str) -> str:
    return f"{city_name}ですね。"


def together_with_earlier(window_name: str) -> str:
    return (
        f"前に書いてくれた困りごととあわせて、「{window_name}」でまとめて相談できます。"
        "ほかの窓口と連絡をとりあって、一緒に考えてくれます。"
    )


# --- the resident changed city (bot.dialogue.city_change) -----------------------------------
OTHER_CITY_CHANGED = (
    "お住まいの市を「その他の市町村」に変えました。どこの市町村にもある窓口をご案内します。"
)
INTAKE_GOES_ON = "職員への連絡も、この市の窓口にたのみます。質問の続きです。"
# At the summary: the consent given named the first city's windows, so it is asked again.
CONSENT_AGAIN = (
    "伝える窓口が変わりました。新しい窓口に伝えてよいか、もう一度おたずねします。"
    "そのあと、送る内容をもう一度確認してください。"
)
INTAKE_STOPPED = "この相談は、職員には送りません。ここまでの答えも使いません。"


def city_changed_notice(city_name: str) -> str:
    """The opening line of the answer to a change of city (the windows follow it)."""
    return f"お住まいの市を{city_name}に変えました。"


# --- the phone-sized first answer (bot.dialogue.answer_shape) -------------------------------
MORE_DETAIL_BUTTON = Button("くわしく", "/more_detail")
OTHER_WINDOWS_BUTTON = Button("ほかの窓口", "/other_windows")
OTHER_WINDOWS_HEAD = "ほかにも、こちらで相談できます。"
ANY_WORRY_HEAD = "どんな困りごとでも受け止めてくれる窓口:"
NO_OTHER_WINDOWS = "ほかにご案内できる窓口は、今はありません。上の窓口へどうぞ。"


def lead_single(labels: list[str], window_name: str) -> str:
    joined = "・".join(labels)
    return f"{joined}のことは、まず「{window_name}」に相談できます。"


def lead_compound(window_name: str) -> str:
    return f"困りごとが重なっていても、「{window_name}」でまとめて相談できます。"


def lead_with_earlier(window_name: str) -> str:
    return f"前に書いてくれた困りごととあわせて、「{window_name}」でまとめて相談できます。"


def lead_generic(window_name: str) -> str:
    return f"まずは、お住まいの市区町村の「{window_name}」に相談できます。"
