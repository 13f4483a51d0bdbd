"""How much text one resident message may carry into the bot, whatever the channel.

Why a cap at all: understanding a message costs more than linearly in its length (measured on
the 2-core test machine with the real model: 5,000 characters about 2.4 s, 20,000 about 24 s,
100,000 over 60 s), and Rasa does that work on its event loop, so one huge message stalls every
other resident's conversation. 5,000 characters is the most a LINE text message can hold, so
no genuine LINE message is refused; the web chat's own page limit is lower (``bot.web.texts``).
"""

from __future__ import annotations

MAX_TEXT_CHARS = 5000

TOO_LONG_REPLY = (
    f"ごめんなさい、メッセージが長すぎて読み取れませんでした。"
    f"{MAX_TEXT_CHARS}文字までにして、何回かに分けて送ってください。"
)
