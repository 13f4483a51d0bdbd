"""The first answer to danger: its own words and lines for each kind, right for the hour.

A trained crisis-line counsellor reading the transcript wants, first: that the resident is not
alone; the emergency number when life is in danger now (119 for a body, 110 for violence); one
or two lines where a person answers *now*; and that the chat goes on. Each kind of danger has
its own first message, because the lines differ: a DV victim needs DV相談+, not the suicide
lines; a child hit at home needs 189, in words a teenager reads; a parent who found cuts on a
child's arm needs 119 for a wound that will not stop and a line for themselves.

Pure functions of (danger, time); the wording lives here so a city can review it in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.directory import CrisisLine, line_by_id, staffed_lines_now

KINDS = ("medical", "violence_now", "suicide", "self_harm", "abuse")


@dataclass(frozen=True)
class Danger:
    """What the NLU found: the kind answered first, all kinds, whose danger, who is hurt."""

    kind: str
    kinds: tuple[str, ...] = ()
    about: str = "self"
    victim: str | None = None
    may_harm: bool = False  # the writer fears they will hurt someone

    @classmethod
    def from_parse(cls, crisis: Mapping[str, Any] | None) -> Danger:
        """Read the parse result's ``crisis`` entry; an old or empty one means suicide lines."""
        crisis = crisis or {}
        kind = str(crisis.get("kind") or "suicide")
        if kind == "danger":  # models trained before the kinds were split
            kind = "violence_now"
        if kind not in KINDS:
            kind = "suicide"
        kinds = tuple(k for k in crisis.get("kinds") or (kind,) if k in KINDS) or (kind,)
        return cls(
            kind=kind,
            kinds=kinds,
            about="other" if crisis.get("about") == "other" else "self",
            victim=crisis.get("victim") or None,
            may_harm=bool(crisis.get("may_harm")),
        )

    @property
    def is_teen_victim(self) -> bool:
        """A child or teenager writing about being hurt at home: 189, in a teenager's words."""
        return self.victim == "child" and self.about == "self" and not self.may_harm

    def worry_categories(self) -> tuple[str, ...]:
        """The worry categories the danger itself implies (the windows after the lines)."""
        found: list[str] = []
        if set(self.kinds) & {"abuse", "violence_now"}:
            found.append("abuse_dv")
            found += {"child": ["childcare"], "elder": ["elderly_care"]}.get(self.victim or "", [])
            if self.victim == "disabled":
                found.append("disability")
        if self.about == "other" and self.kind == "self_harm" and self.victim == "child":
            found.append("childcare")
        return tuple(found)


def _lines(lines: Sequence[CrisisLine]) -> str:
    """Bullets for the chat. A 24-hour line that stands in at night is shown plainly: the
    policy keeps its "check" status in the data and the README for the city, and a resident
    in crisis at 2 a.m. should not read the only open line as doubtful."""
    return "\n".join(line.render(mark_unverified=False) for line in lines)


def _person_lines(now: datetime) -> str:
    """Suicide and self-harm: lines where a person answers now (never none, see directory)."""
    return _lines(staffed_lines_now(now, "suicide"))


THANKS_SELF = "話してくれて、ありがとうございます。あなたは、ひとりではありません。"
THANKS_OTHER = "知らせてくれて、ありがとうございます。"
LIFE_NOW = (
    "いま命があぶないときは、すぐに 119（救急）か 110（警察）に電話してください。"
    "24時間つながります。"
)
PERSON_NOW = "今つながる相談の電話です。人が、あなたの話を聞きます。"


def _suicide(danger: Danger, now: datetime) -> list[str]:
    if danger.about == "other":
        return [
            THANKS_OTHER + "とても心配ですね。",
            "連絡がとれないときや、命があぶないと思うときは、すぐに 110（警察）に電話してください。"
            "ケガをしているときは 119（救急）です。",
            "あなたも、話を聞いてもらえます。今つながる電話です。\n" + _person_lines(now),
        ]
    return [THANKS_SELF, LIFE_NOW + "\n" + PERSON_NOW + "\n" + _person_lines(now)]


def _self_harm(danger: Danger, now: datetime) -> list[str]:
    emergency = (
        "血が止まらないときや、薬をたくさん飲んだときは、すぐに 119（救急）に電話してください。"
    )
    if danger.about == "other":
        return [
            THANKS_OTHER + "気づいたあなたも、つらかったと思います。",
            emergency,
            "どう接したらよいか、家族も相談できます。今つながる電話です。\n" + _person_lines(now),
        ]
    return [THANKS_SELF, emergency + "\n" + PERSON_NOW + "\n" + _person_lines(now)]


def _medical(danger: Danger, now: datetime) -> list[str]:
    messages = [
        "すぐに 119（救急）に電話してください。24時間つながります。",
        "電話では、いる場所と、いまの様子を伝えてください。電話の人が、いまできることを教えてくれます。",
    ]
    if set(danger.kinds) & {"suicide", "self_harm"}:
        messages.append("落ち着いたら、話を聞く電話もあります。\n" + _person_lines(now))
    return messages


def _abuse_line(victim: str | None) -> str | None:
    """The line for the person hurt: DV相談+ for a partner, 189 for a child, none otherwise."""
    if victim == "partner":
        return line_by_id("dv_soudan_plus").render() + "\n" + line_by_id("dv_navi").render()
    if victim == "child":
        return line_by_id("jido_sodan_189").render()
    return None


def _may_harm(danger: Danger) -> list[str]:
    """The writer fears they will hurt a child or a cared-for parent: safety first, no blame,
    and where to turn (189 also takes parents' own worries)."""
    messages = [
        "話してくれて、ありがとうございます。そう思うほど、追いつめられているのですね。",
        "いまは、その人から少しはなれてください。あぶないと思ったら、すぐに 110（警察）に"
        "電話してください。",
    ]
    if danger.victim == "child":
        messages.append(
            "子育てがつらいときも、189（児童相談所）に相談できます。\n"
            + line_by_id("jido_sodan_189").render()
        )
    else:
        messages.append("市の窓口が、いっしょに考えます。")
    return messages


def _teen_189() -> str:
    """189 in a teenager's words (both the violence-now and the abuse answers use it)."""
    return (
        "189 に電話すると、子どもを守る人（児童相談所）につながるよ。\n"
        + line_by_id("jido_sodan_189").render()
    )


def _violence_now(danger: Danger) -> list[str]:
    if danger.may_harm:
        return _may_harm(danger)
    if danger.is_teen_victim:
        return [
            "いま、あぶないんだね。あなたの安全が、いちばん大事だよ。",
            "すぐに 110（警察）に電話してね。24時間つながるよ。ケガをしていたら 119 だよ。",
            _teen_189(),
        ]
    first = (
        THANKS_OTHER + "いま、あぶない状態なのですね。"
        if danger.about == "other"
        else "いま、あぶない状態なのですね。あなたの安全が、いちばん大切です。"
    )
    messages = [
        first,
        "すぐに 110（警察）に電話してください。24時間つながります。"
        "ケガをしているときは 119（救急）です。",
    ]
    line = _abuse_line(danger.victim)
    if line is not None:
        lead = (
            "子どものことは、189（児童相談所）にも相談できます。"
            if danger.victim == "child"
            else "落ち着いたら、暴力の相談ができる電話もあります。"
        )
        messages.append(lead + "\n" + line)
    return messages


def _abuse(danger: Danger) -> list[str]:
    if danger.may_harm:
        return _may_harm(danger)
    if danger.is_teen_victim:
        return [
            "話してくれて、ありがとう。たたかれたり、こわい思いをするのは、あなたのせいじゃないよ。",
            _teen_189(),
            "いま、あぶないときや、今夜あんしんしてすごせる場所がないときは、すぐに 110（警察）に"
            "電話してね。",
        ]
    if danger.victim == "partner" and danger.about == "other":
        return [
            THANKS_OTHER + "心配ですね。",
            "ご本人も、あなたも相談できる電話です。\n" + (_abuse_line("partner") or ""),
            "いまあぶないときは、すぐに 110（警察）に電話してください。",
        ]
    if danger.victim == "partner":
        return [
            "話してくれて、ありがとうございます。暴力は、あなたのせいではありません。",
            "暴力の相談ができる電話です。\n" + (_abuse_line("partner") or ""),
            "いまあぶないときや、今夜安全にすごせる場所がないときは、すぐに 110（警察）に"
            "電話してください。",
        ]
    if danger.victim == "child":
        return [
            THANKS_OTHER,
            "子どもへの暴力や、世話をされていないことが心配なときは、189（児童相談所）に"
            "電話してください。\n" + line_by_id("jido_sodan_189").render(),
            "いま子どもがあぶないときは、すぐに 110（警察）に電話してください。",
        ]
    if danger.about == "self" and danger.victim not in ("elder", "disabled"):
        # Not clear who hurts the writer (家に帰りたくない): both lines, and 110 for tonight.
        return [
            "話してくれて、ありがとうございます。暴力は、あなたのせいではありません。",
            "いまあぶないときや、今夜安全にすごせる場所がないときは、すぐに 110（警察）に"
            "電話してください。",
            "相談できる電話です。18歳未満なら 189、パートナーからなら DV相談+ です。\n"
            + line_by_id("jido_sodan_189").render()
            + "\n"
            + line_by_id("dv_soudan_plus").render(),
        ]
    return [
        THANKS_OTHER,
        "いまあぶないときや、ケガをしているときは、すぐに 110（警察）か 119（救急）に"
        "電話してください。",
        "市の窓口が、いっしょに考えます。",
    ]


def first_answer(danger: Danger, now: datetime) -> list[str]:
    """The messages sent before anything else, for the kind answered first.

    When a message carries a second kind of danger (夫に殴られて、もう死にたい), its lines are
    added after the first kind's, so nobody gets only the lines of the other kind.
    """
    builders = {
        "medical": lambda: _medical(danger, now),
        "violence_now": lambda: _violence_now(danger),
        "suicide": lambda: _suicide(danger, now),
        "self_harm": lambda: _self_harm(danger, now),
        "abuse": lambda: _abuse(danger),
    }
    messages = builders[danger.kind]()
    shown = "\n".join(messages)
    for other in danger.kinds:
        if other == danger.kind:
            continue
        if other in ("suicide", "self_harm") and danger.kind not in ("medical",):
            lines = _person_lines(now)
            if lines and lines not in shown:
                messages.append("つらい気持ちを、聞いてもらえる電話もあります。\n" + lines)
                shown += lines
        elif other in ("abuse", "violence_now"):
            line = _abuse_line(danger.victim)
            if line is not None and line not in shown:
                messages.append("暴力の相談ができる電話です。\n" + line)
                shown += line
    return messages
