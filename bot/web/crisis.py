"""The crisis-lines page's content, taken from ``data/crisis_lines.yml`` via ``bot.directory``.

Numbers are never written in a template: a city confirming or correcting a line edits the data
file once and the bot, the LINE channel and this page all follow. Verified lines are listed;
as in the bot's own crisis reply, a 24-hour line the reference still marks "check" (よりそい
ホットライン) is added, with 「要確認」, when no verified line of its kind answers now: a person
in crisis at night is never shown only closed lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from bot.directory import (
    CrisisLine,
    default_crisis_lines,
    load_crisis_lines,
    staffed_lines_now,
)
from bot.web import texts


@dataclass(frozen=True)
class LineView:
    """One line as the page shows it; ``status`` is text so that nothing relies on colour."""

    name: str
    number: str
    tel_href: str
    hours: str
    status: str | None
    open_now: bool


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    lines: tuple[LineView, ...]


def crisis_lines_for(data_dir: Path) -> tuple[CrisisLine, ...]:
    """The deployment's data file when present, else the project's default (cached) one."""
    path = data_dir / "crisis_lines.yml"
    return load_crisis_lines(path) if path.is_file() else default_crisis_lines()


def tel_href(number: str) -> str:
    """``tel:`` link for a number such as ``0570-783-556`` or ``#9110`` (``#`` percent-encoded)."""
    return "tel:" + quote(re.sub(r"[^0-9#*+]", "", number), safe="+*")


def _view(line: CrisisLine, now: datetime) -> LineView:
    is_open = line.is_open(now)
    status = {True: texts.OPEN_NOW, False: texts.CLOSED_NOW, None: None}[is_open]
    return LineView(
        # A 24-hour stand-in at night is shown plainly, as in the chat (see crisis_reply).
        name=line.name,
        number=line.number,
        tel_href=tel_href(line.number),
        hours=line.hours,
        status=status,
        open_now=is_open is True,
    )


def crisis_sections(lines: Sequence[CrisisLine], now: datetime) -> tuple[Section, ...]:
    """Verified lines grouped by kind, in the order a person in danger needs them."""
    sections = []
    for kind, heading in texts.CRISIS_SECTIONS:
        shown = [line for line in lines if line.kind == kind and line.verified]
        if not any(line.is_open(now) is True for line in shown):
            shown += [
                line for line in staffed_lines_now(now, kind, lines=lines) if not line.verified
            ]
        views = tuple(_view(line, now) for line in shown)
        if views:
            sections.append(Section(kind=kind, heading=heading, lines=views))
    return tuple(sections)
