"""The wording of the intake's questions and replies (plain, polite, short)."""

from __future__ import annotations

from bot.dialogue.state import Button
from bot.intake.fields import DECLINE_BUTTON, Field

INTRO = (
    "窓口の職員から連絡するために、いくつか質問します。\n"
    "答えたくない質問は「答えたくない」をえらぶか、そう書いてください。"
)
# After two answers the bot could not read: said as the bot's miss, not as if the resident had
# asked to skip (「わかりました。」 read that way), and with the way back.
SKIPPED_AFTER_MISSES = (
    "ごめんなさい、うまく読み取れませんでした。この質問はとばして、次に進みます。"
    "送る前の確認で「なおす」から答えられます。"
)
# The same for consent, which is never assumed: two unclear answers count as "no".
CONSENT_SKIPPED_AFTER_MISSES = (
    "ごめんなさい、うまく読み取れませんでした。今回は「同意しない」として進みます。"
)
NOT_UNDERSTOOD = "ごめんなさい、うまく読み取れませんでした。もう一度お願いします。"
PHONE_HINT = "電話番号は、090-○○○○-○○○○ のように、0から始まる10けたか11けたの数字で書いてください。"
EMAIL_HINT = "メールアドレスは、example@example.jp のように書いてください。"
HOUSEHOLD_HINT = (
    "一緒に暮らしている人を教えてください。（例: ひとり暮らし、夫とふたり、家族4人、施設）\n"
    "下のボタンからえらぶこともできます。"
)
AGE_HINT = "年齢か年代を書いてください。（例: 68歳、60代）下のボタンからえらぶこともできます。"
CHOICE_HINT = "下のボタンからえらぶこともできます。"


def choice_buttons(field: Field) -> tuple[Button, ...]:
    buttons = tuple(Button(choice, choice) for choice in field.choices)
    return (*buttons, Button(*DECLINE_BUTTON))


def consent_question(city_name: str, window_names: list[str]) -> str:
    windows = "、".join(f"「{name}」" for name in window_names)
    return (
        "大切な確認です。\n"
        f"次のことを、{city_name}の{windows}に伝えます。\n"
        "・困りごとの内容と、このチャットで書いたこと\n"
        "・答えてくれた連絡先やお名前など\n"
        "窓口の職員だけが見て、あなたに連絡し、支えるためだけに使います。\n"
        "伝えてもよいですか？\n"
        "同意しないときは、名前などを含まない件数だけを記録します。窓口の案内は、そのまま使えます。"
    )


CONSENT_BUTTONS = (Button("同意する", "/affirm"), Button("同意しない", "/deny"))

MEETING_QUESTION = (
    "もうひとつ確認です。困りごとが重なっているときは、市の関係する窓口が集まる会議"
    "（重層的支援会議）で、あなたへの支えかたを一緒に考えることがあります。\n"
    "その会議で、この内容を共有してもよいですか？\n"
    "共有しなくても、窓口からの連絡は受けられます。"
)
MEETING_BUTTONS = (Button("共有してよい", "/affirm"), Button("共有しない", "/deny"))

CONFIRM_BUTTONS = (
    Button("この内容で送る", "/affirm"),
    Button("なおす", "/correct_intake"),
    Button("送らない", "/deny"),
)
# An answer to the summary the bot could not read: the summary stays, nothing is sent yet.
CONFIRM_UNCLEAR = (
    "ごめんなさい、うまく読み取れませんでした。まだ送っていません。\n"
    "上の内容で送るときは「この内容で送る」、送らないときは「送らない」をえらんでください。"
)
WHICH_FIELD = "どこをなおしますか？"

CONSENT_DECLINED = (
    "わかりました。あなたの情報は、窓口に送りません。名前などを含まない件数だけを記録します。\n"
    "相談したくなったら、次の窓口に直接連絡できます。"
)
CANCELLED = (
    "送るのをやめました。あなたの情報は、窓口に送っていません。\n"
    "相談したくなったら、次の窓口に直接連絡できます。"
)
NOT_AVAILABLE_FOR_CITY = (
    "このチャットから職員につなげるのは、宇部市・益田市・久留米市・富士市にお住まいの方です。"
    "お住まいの市区町村の窓口に、直接ご相談ください。"
)


def received(
    reference: str,
    window_name: str,
    method: str | None,
    response_time: str | None,
    *,
    reachable: bool = True,
) -> str:
    """The receipt. 「…の職員から、連絡します」 only where staff have a way to reach the
    resident (``reachable``): after 「窓口に行く」 the resident goes there with the number, and
    with no contact given the resident is asked to call, where the bot had promised a call it
    could not make."""
    opening = (
        f"受け付けました。受付番号は {reference} です。\n"
        "メモしておくと、問い合わせのときに便利です。\n"
    )
    if method == "窓口に行く":
        return opening + (
            f"「{window_name}」に行くときは、この受付番号を伝えてください。\n"
            "行く前に、次の連絡先で受付の時間をたしかめることもできます。"
        )
    if not reachable:
        return opening + (
            f"連絡先をうかがっていないので、「{window_name}」からは連絡できないことがあります。\n"
            "次の連絡先に、この受付番号を伝えて連絡してください。"
        )
    how = f"{method}で" if method else ""
    when = (
        f"{response_time}に連絡します。"
        if response_time
        else "連絡までの日数は、窓口の混みぐあいによってちがいます。"
    )
    return opening + (
        f"「{window_name}」の職員から、{how}連絡します。{when}\n"
        "急ぐときは、次の連絡先に直接連絡することもできます。"
    )


QUEUED = (
    "いま、受付のシステムにつながりにくくなっています。内容はなくさずに保存しました。"
    "つながりしだい、窓口に届けます（受付番号は、そのときに決まります）。\n"
    "急ぐときは、次の窓口に直接連絡してください。"
)
FAILED = (
    "ごめんなさい、うまく受け付けられませんでした。お手数ですが、次の窓口に直接連絡してください。"
)
# The database was down and the copy kept for later could not be written either: nothing
# will reach the window by itself, and the resident must know that.
NOT_SAVED = (
    "ごめんなさい、うまく保存できませんでした。あなたの相談は、まだ窓口に届いていません。\n"
    "お手数ですが、次の窓口に直接連絡してください。"
)
