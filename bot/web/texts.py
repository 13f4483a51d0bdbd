"""What the residents' web chat says outside the bot's own replies, in one reviewable place.

The bot's sentences live in ``bot.dialogue.texts``; these are the page's (errors, notes,
headings). Plain, polite Japanese: a resident may be upset, tired, or reading on a small phone.
"""

from __future__ import annotations

# A chat message longer than this is refused politely: it keeps Rasa's work per message bounded
# and nobody types more than this on a phone in one go.
MAX_MESSAGE_CHARS = 2000

PAGE_TITLE = "くらしの困りごと相談チャット"
CRISIS_TITLE = "いますぐ相談したい方へ"
STORED_NOTE = (
    "このチャットの内容は、相談の受付のために市のシステムに記録されます。"
    "名前や連絡先は、あなたが同意したときだけ窓口に伝えます。"
)
RELOAD_NOTE = (
    "ページを再読み込みしても、会話は続きます。"
    "「最初から」をおすと、新しい会話になります（それまでの会話は画面から消えます）。"
)

# Proxy errors, shown in the chat as they are (the page adds the crisis link and a retry).
ERROR_INVALID_JSON = (
    "送られた内容を読み取れませんでした。ページを再読み込みして、もう一度お試しください。"
)
ERROR_NOT_JSON = "送り方が正しくありません。ページを再読み込みして、もう一度お試しください。"
ERROR_EMPTY = "メッセージが空です。困っていることを書いてから送ってください。"
ERROR_TOO_LONG = (
    f"メッセージが長すぎます。{MAX_MESSAGE_CHARS}文字までにして、何回かに分けて送ってください。"
)
ERROR_UNAVAILABLE = (
    "ごめんなさい。いま、チャットにつながりにくくなっています。"
    "少し時間をおいて、もう一度送ってください。"
)
ERROR_TIMEOUT = (
    "ごめんなさい。返事に時間がかかっています。少し時間をおいて、もう一度送ってください。"
)
ERROR_BAD_REPLY = (
    "ごめんなさい。チャットの返事がうまく届きませんでした。"
    "少し時間をおいて、もう一度送ってください。"
)

# Headings for the crisis page, per kind of line in data/crisis_lines.yml (display order).
CRISIS_SECTIONS: tuple[tuple[str, str], ...] = (
    ("emergency", "命の危険があるとき"),
    ("suicide", "つらい気持ちを、だれかに聞いてほしいとき"),
    ("abuse", "子どもへの虐待が心配なとき"),
    ("dv", "暴力（DV）に悩んでいるとき"),
    ("police", "警察に相談したいとき（緊急でないとき）"),
)
OPEN_NOW = "いま、つながります"
CLOSED_NOW = "いまは受付時間外です"
