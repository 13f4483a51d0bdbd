"""What the bot says to a message that the rate limits hold back: policy, not counting.

``bot.ratelimit`` only counts and decides *whether* a message passes; what a held-back resident
is told is a dialogue decision, made here so that it follows the same crisis rules and crisis
lines as the bot's own answers:

- a message the crisis rules flag (``bot.nlu.crisis_rules``) gets, every time, the bot's first
  crisis answer for its kind: a resident who typed fast in distress is never met with silence;
- otherwise the first refusal of a window gets ``SLOW_DOWN`` and how to reach a person now
  (119/110 and the lines staffed at this hour, from ``data/crisis_lines.yml``);
- a later refusal in that window gets, where the channel must answer (the web's 429), the short
  ``later_refusal_reply``: still 119/110, because a resident in danger mid-flood may be reading
  only this answer.

``crisis_reply``, ``slow_down_reply`` and ``later_refusal_reply`` are pure functions (of text
and time); ``FloodReplies`` binds them to a clock for ``bot.ratelimit.FloodGuard``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogue.crisis_reply import Danger, first_answer
from bot.dialogue.flood_texts import LIFE_NOW, LINES_PAGE, PERSON_NOW, SLOW_DOWN, STILL_WAIT
from bot.directory import staffed_lines_now
from bot.nlu.crisis_rules import find_crises


def crisis_reply(text: str, now: datetime) -> tuple[str, ...]:
    """The bot's first crisis answer when ``text`` names a danger, else ``()``."""
    crises = find_crises(text) if text else []
    if not crises:
        return ()
    kinds = tuple(dict.fromkeys(match.kind for match in crises))
    return tuple(first_answer(Danger(kind=kinds[0], kinds=kinds), now))


def slow_down_reply(now: datetime) -> tuple[str, ...]:
    """The slow-down words and how to reach a person now (never an invented number)."""
    lines = staffed_lines_now(now, "suicide")
    help_text = "\n".join(
        [LIFE_NOW, PERSON_NOW, *(line.render(mark_unverified=False) for line in lines)]
    )
    return (SLOW_DOWN, help_text)


def later_refusal_reply() -> tuple[str, ...]:
    """A later refusal in the same window: shorter, but never without 119/110."""
    return (STILL_WAIT, f"{LIFE_NOW}\n{LINES_PAGE}")


class FloodReplies:
    """The replies above at the local time (``bot.ratelimit.FloodReplies``)."""

    def __init__(
        self, timezone: str = "Asia/Tokyo", now: Callable[[], datetime] | None = None
    ) -> None:
        zone = ZoneInfo(timezone)
        self._now = now or (lambda: datetime.now(zone))

    def crisis(self, text: str) -> tuple[str, ...]:
        return crisis_reply(text, self._now())

    def slow_down(self) -> tuple[str, ...]:
        return slow_down_reply(self._now())
