"""Whether a window is open on the day a resident asks about (「土曜日も？」「祝日は？」).

Why: a resident who asks 「土曜日もやってる？」 wants yes or no first. Repeating
「月〜金 9時〜17時」 makes them work it out on a small screen, at night, worried. The answer
is read only from the window's sourced hours text, and only where it says so plainly:

* 「月〜金」「月曜日〜金曜日」「平日」 without 土/日: Saturday and Sunday are closed;
* 「土曜」「日曜」 named as open days (not as days off): open;
* 「24時間」「365日」: open every day;
* 「祝休日…お休み」「祝日を除く」: closed on holidays;
* anything else: not known yet (the caller then gives the phone to ask).

Pure Python, no Rasa: the dialogue and its tests use it directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["DAYS", "day_lines"]

#: The days a question can ask about, in the order an answer names them.
DAYS: tuple[str, ...] = ("saturday", "sunday", "holiday")
_DAY_NAMES = {"saturday": "土曜日", "sunday": "日曜日", "holiday": "祝日"}

_ALWAYS = re.compile(r"24時間|365日|年中無休")
_WEEKDAYS_ONLY = re.compile(r"月(?:曜日?)?\s*[〜～~ー\-－から]+\s*金(?:曜日?)?|平日")
_OFF = r"(?:休|除|のぞ|閉)"
_DAY_WORDS = {"saturday": r"土", "sunday": r"日(?:曜|・祝|祝)", "holiday": r"祝"}


def _state(hours: str, day: str) -> str:
    """'open', 'closed' or 'unknown' for one day, from one sourced hours text."""
    if _ALWAYS.search(hours):
        return "open"
    word = _DAY_WORDS[day]
    if re.search(rf"{word}[^。（）()]*?{_OFF}", hours):
        return "closed"
    if day != "holiday" and re.search(word, hours):
        return "open"
    if day != "holiday" and _WEEKDAYS_ONLY.search(hours):
        return "closed"
    return "unknown"


# The end of a range: 「8時30分〜17時15分」 or 「9:00〜17:15」.
_CLOSING = re.compile(r"[〜～~\-－]\s*(\d{1,2})(?:時(?:(\d{1,2})分)?|:(\d{2}))")


def closing_time(hours: str) -> str | None:
    """「17時15分」 from a sourced hours text, when it states one end of day plainly."""
    if _ALWAYS.search(hours):
        return None
    ends = {
        f"{int(h)}時" + (f"{int(m)}分" if (m := m1 or m2) and int(m) else "")
        for h, m1, m2 in _CLOSING.findall(hours)
    }
    return ends.pop() if len(ends) == 1 else None


def _closing_line(hours_texts: Sequence[str]) -> str | None:
    if hours_texts and all(_ALWAYS.search(text) for text in hours_texts):
        return "24時間受け付けています。"
    ends = {closing_time(text) for text in hours_texts}
    if len(ends) == 1 and None not in ends:
        return f"受付は{ends.pop()}までです。"
    return None


def day_lines(hours_texts: Sequence[str], days: Sequence[str]) -> tuple[list[str], bool]:
    """One plain line per asked day, and whether any day stayed unknown.

    Several hours texts (a window with two sites) must agree; otherwise the day is unknown.
    """
    lines: list[str] = []
    unknown = False
    if "closing" in days:
        closing = _closing_line(hours_texts)
        if closing is not None:
            lines.append(closing)
    for day in (d for d in DAYS if d in days):
        states = {_state(text, day) for text in hours_texts} or {"unknown"}
        name = _DAY_NAMES[day]
        if states == {"open"}:
            lines.append(f"{name}も受け付けています。")
        elif states == {"closed"}:
            lines.append(f"{name}はお休みです。")
        else:
            lines.append(f"{name}にあいているかは、まだ確認できていません。")
            unknown = True
    return lines, unknown
