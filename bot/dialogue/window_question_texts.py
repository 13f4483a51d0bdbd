"""Residents' text for answers to questions about a window (土曜日も？ 電話番号は？).

Every fact in these answers comes from the directory; the sentences here only say what is
known, what is not known yet (「まだ確認できていません」), and where to ask instead.
"""

from __future__ import annotations

NOT_YET = "まだ確認できていません。"
HOURS_MISSING = "受付の曜日と時間は、" + NOT_YET
PHONE_MISSING = "電話番号は、" + NOT_YET
ADDRESS_MISSING = "場所（住所）は、" + NOT_YET
BOOKING_MISSING = "予約がいるかどうかは、" + NOT_YET
BRING_MISSING = "持っていくものは、" + NOT_YET
CITY_HALL_PHONE_MISSING = "市役所の電話番号は、" + NOT_YET
CITY_HALL_ADDRESS_MISSING = "市役所の住所は、" + NOT_YET
#: Bus, parking and the way there are never in the directory: the window's phone knows.
ACCESS_ASK = "バスや駐車場、行き方は、行く前に電話でたしかめると安心です。"
HOLIDAYS_ASK = "祝日やお休みの日のことも、電話でたしかめてください。"
ASK_INSTEAD = "こちらでおたずねください。"
BEFORE_GOING = "行く前に、電話でたしかめると安心です。"
OTHER_CITY_ASK = "お住まいの市区町村の役所で、窓口の時間や場所、電話番号をおたずねください。"
NO_WINDOW_YET = (
    "まだ相談先をご案内していません。困っていることを書いてもらえれば、"
    "合う窓口と、その電話番号や場所をお伝えします。"
)
ASK_CITY_FIRST = "窓口は住んでいる市によってちがいます。お住まいの市をえらんでください。"


def window_heading(name: str) -> str:
    return f"「{name}」"


def labelled(label: str, value: str) -> str:
    return f"{label}: {value}"


def page(url: str) -> str:
    return f"くわしく: {url}"


def ask_at(where: str) -> str:
    return f"{where}でおたずねください。"
