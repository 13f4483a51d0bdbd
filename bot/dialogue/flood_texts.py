"""What a resident is told when writing faster than the rate limits allow (``flood_reply``).

Kept apart from ``bot.dialogue.texts`` so a city reviewing the flood answer finds it whole.
"""

from __future__ import annotations

SLOW_DOWN = (
    "メッセージが続いています。少し時間をおいてから、もう一度送ってください。"
    "急ぎのときは、電話で相談できます。"
)
LIFE_NOW = "いま命があぶないときは、すぐに 119（救急）か 110（警察）に電話してください。"
PERSON_NOW = "今つながる相談の電話です。"
# A later refusal in the same window (web only; LINE stays quiet): short, but 119/110 always.
STILL_WAIT = "まだ送れません。少し時間をおいてから、もう一度送ってください。"
LINES_PAGE = "話を聞いてくれる電話は、「いますぐ相談したい方へ」にあります。"
