"""Fixed texts the LINE channel sends to residents by itself (without asking Rasa).

Kept in one place so the wording can be reviewed by the city's consultation staff: warm,
plain, polite Japanese that tells the resident what to do next.
"""

from __future__ import annotations

# Shown when the bot is used in a group chat or a multi-person room: consultations are
# private, so nothing said there is read.
ONE_TO_ONE_ONLY = (
    "このアカウントは1対1での相談用です。"
    "グループやトークルームでのお話は読み取らないようにしています。"
    "お手数ですが、このアカウントを友だち追加して、個別のトークでご相談ください。"
)

# Shown when Rasa could not be reached or failed, so the resident is not left waiting.
TEMPORARY_FAILURE = (
    "ごめんなさい、いまうまく受け付けられませんでした。"
    "少し時間をおいてから、もう一度送ってください。"
)

_ASK_FOR_WORDS = "困っていることを、文字で書いてください。"

# What the resident sent, in words, per LINE message type we cannot read.
_UNREADABLE_KIND = {
    "sticker": "スタンプ",
    "image": "画像",
    "video": "動画",
    "audio": "音声メッセージ",
    "file": "ファイル",
}


def unsupported_message_reply(message_type: str) -> str:
    """The polite answer to a message we cannot read (sticker, image, location, ...)."""
    if message_type == "location":
        return (
            "ごめんなさい、位置情報は読み取れません。"
            "お住まいの市町村名と、困っていることを、文字で書いてください。"
        )
    kind = _UNREADABLE_KIND.get(message_type, "このメッセージ")
    return f"ごめんなさい、{kind}は読み取れません。{_ASK_FOR_WORDS}"


# Sent at shutdown to a resident whose message was accepted but not answered (the bot is
# being stopped or restarted): LINE will not send it again by itself, so we ask the resident.
RESEND_AFTER_SHUTDOWN = (
    "ごめんなさい、さきほどのメッセージに、お返事できませんでした。"
    "少し時間をおいてから、もう一度送ってください。"
)
