"""The first answer to each kind of danger, at day and at night (the clock is injected).

What a crisis-line counsellor reading the transcript checks first: the emergency number that
fits (119 for a body, 110 for violence), a line where a person answers *now* (never "no line is
open"), the line for the person hurt (DV相談+ for a partner, 189 for a child), words a teenager
reads, and that the chat goes on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.dialogue.crisis_reply import Danger, first_answer

JST = timezone(timedelta(hours=9))
DAY = datetime(2025, 6, 12, 14, 0, tzinfo=JST)  # a Thursday afternoon
NIGHT = datetime(2025, 6, 12, 2, 0, tzinfo=JST)  # 2 a.m.
INOCHI = "0570-783-556"
YORISOI = "0120-279-338"
DV_PLUS = "0120-279-889"
NOT_OPEN_WORDING = ("受け付けをしていません", "つながりません", "時間外")


def text_of(danger: Danger, now: datetime) -> str:
    return "\n".join(first_answer(danger, now))


@pytest.mark.parametrize("now", [DAY, NIGHT], ids=["day", "night"])
@pytest.mark.parametrize("kind", ["suicide", "self_harm"])
def test_suicide_and_self_harm_get_a_staffed_line_open_now(kind: str, now: datetime) -> None:
    text = text_of(Danger(kind), now)
    assert "119" in text
    assert (INOCHI if now is DAY else YORISOI) in text
    assert not any(words in text for words in NOT_OPEN_WORDING)


def test_at_night_the_24_hour_line_is_given_plainly_with_its_hours() -> None:
    """Its "check" status stays in the data and the README; the resident reads a line."""
    text = text_of(Danger("suicide"), NIGHT)
    assert "よりそいホットライン 0120-279-338（24時間 365日）" in text
    assert "要確認" not in text
    assert INOCHI not in text, "a closed line is not offered as open"


def test_suicide_answer_fits_a_phone() -> None:
    for now in (DAY, NIGHT):
        messages = first_answer(Danger("suicide"), now)
        assert len(messages) <= 3
        assert sum(len(m) for m in messages) <= 300


def test_someone_elses_suicide_message_gets_110_first_and_lines_for_the_writer() -> None:
    messages = first_answer(Danger("suicide", about="other"), NIGHT)
    assert "110" in messages[1], "a family member who cannot be reached: the police first"
    assert YORISOI in messages[2] and "あなたも" in messages[2]


def test_a_parent_who_found_cuts_gets_119_and_a_line_for_themselves() -> None:
    messages = first_answer(Danger("self_harm", about="other", victim="child"), DAY)
    assert "119" in messages[1]
    assert INOCHI in messages[2] and "家族も相談できます" in messages[2]


@pytest.mark.parametrize("now", [DAY, NIGHT], ids=["day", "night"])
def test_violence_now_gets_110_first_then_the_line_for_the_person_hurt(now: datetime) -> None:
    partner = first_answer(Danger("violence_now", victim="partner"), now)
    assert "110" in partner[1] and DV_PLUS in partner[2]
    child = first_answer(Danger("violence_now", victim="child"), now)
    assert "110" in child[1] and "189" in child[2]
    assert INOCHI not in "\n".join(partner + child), "violence does not get only suicide lines"


@pytest.mark.parametrize("now", [DAY, NIGHT], ids=["day", "night"])
def test_partner_abuse_gets_dv_plus_first_never_only_suicide_lines(now: datetime) -> None:
    messages = first_answer(Danger("abuse", victim="partner"), now)
    assert DV_PLUS in messages[1] and "24時間" in messages[1]
    assert "あなたのせいではありません" in messages[0]
    assert "110" in messages[2] and "今夜" in messages[2]
    assert INOCHI not in "\n".join(messages) and YORISOI not in "\n".join(messages)


def test_a_child_hurt_at_home_seen_by_an_adult_gets_189() -> None:
    messages = first_answer(Danger("abuse", about="other", victim="child"), NIGHT)
    assert "189" in messages[1] and "名前を言わなくても" in messages[1]
    assert "110" in messages[2]


def test_a_teenager_writing_about_a_parent_gets_189_in_a_teenagers_words() -> None:
    messages = first_answer(Danger("abuse", about="self", victim="child"), NIGHT)
    text = "\n".join(messages)
    assert "189" in messages[1]
    assert "あなたのせいじゃないよ" in messages[0], "plain words, not です・ます"
    assert "110" in messages[2] and "今夜" in messages[2]
    assert "児童相談所 虐待対応ダイヤル" in text


def test_an_old_parent_hit_by_a_grown_child_gets_110_and_the_city_window() -> None:
    messages = first_answer(Danger("abuse", victim="elder"), DAY)
    assert "110" in messages[1] and "119" in messages[1]
    assert "市の窓口" in messages[2]


@pytest.mark.parametrize("now", [DAY, NIGHT], ids=["day", "night"])
def test_a_medical_emergency_gets_119_in_the_first_message(now: datetime) -> None:
    messages = first_answer(Danger("medical"), now)
    assert messages[0].startswith("すぐに 119")
    assert "110" not in messages[0]


def test_an_overdose_gets_119_first_and_a_line_for_afterwards() -> None:
    messages = first_answer(Danger("medical", kinds=("medical", "suicide")), NIGHT)
    assert messages[0].startswith("すぐに 119")
    assert YORISOI in messages[-1]


def test_violence_and_suicide_in_one_message_get_both_kinds_of_line() -> None:
    """夫に殴られて、もう死にたい: the suicide lines and DV相談+ both."""
    danger = Danger("suicide", kinds=("suicide", "abuse"), victim="partner")
    text = text_of(danger, NIGHT)
    assert YORISOI in text and DV_PLUS in text


def test_each_kind_has_its_own_first_message() -> None:
    firsts = {
        first_answer(Danger(kind, victim=victim), DAY)[0]
        for kind, victim in [
            ("suicide", None),
            ("violence_now", "partner"),
            ("abuse", "partner"),
            ("abuse", "child"),
            ("medical", None),
        ]
    }
    assert len(firsts) == 5


@pytest.mark.parametrize(
    ("parse", "expected"),
    [
        (None, Danger("suicide", ("suicide",))),
        ({"kind": "danger"}, Danger("violence_now", ("violence_now",))),
        (
            {"kind": "abuse", "kinds": ["abuse"], "about": "self", "victim": "child"},
            Danger("abuse", ("abuse",), "self", "child"),
        ),
        ({"kind": "fire"}, Danger("suicide", ("suicide",))),
    ],
)
def test_the_parse_result_is_read_safely(parse: dict | None, expected: Danger) -> None:
    """An old model (kind "danger") or an unknown kind still gets lines, never an error."""
    assert Danger.from_parse(parse) == expected


def test_violence_against_a_child_adds_childcare_to_the_worries() -> None:
    assert Danger("abuse", ("abuse",), victim="child").worry_categories() == (
        "abuse_dv",
        "childcare",
    )
    assert Danger("abuse", ("abuse",), victim="elder").worry_categories() == (
        "abuse_dv",
        "elderly_care",
    )
    assert Danger("suicide", ("suicide",)).worry_categories() == ()


def test_a_parent_afraid_of_hurting_their_child_is_not_spoken_to_as_a_teenager() -> None:
    danger = Danger("violence_now", ("violence_now",), "self", "child", may_harm=True)
    messages = first_answer(danger, NIGHT)
    text = "\n".join(messages)
    assert "追いつめられている" in messages[0]
    assert "はなれて" in messages[1] and "110" in messages[1]
    assert "189" in messages[2]
    assert "だよ" not in text and "してね" not in text


def test_a_resident_hurt_by_someone_unnamed_gets_both_lines_and_110_for_tonight() -> None:
    """「家に帰りたくない」: a child or a partner's victim; both lines, not only 'thanks'."""
    messages = first_answer(Danger("abuse", ("abuse",), "self", "other"), NIGHT)
    text = "\n".join(messages)
    assert "あなたのせいではありません" in messages[0]
    assert "今夜" in messages[1] and "110" in messages[1]
    assert "189" in text and DV_PLUS in text


def test_a_parent_writing_about_a_daughters_partner_is_not_told_it_is_not_their_fault() -> None:
    messages = first_answer(Danger("abuse", ("abuse",), "other", "partner"), DAY)
    assert "知らせてくれて" in messages[0]
    assert "あなたのせいではありません" not in "\n".join(messages)
    assert DV_PLUS in messages[1] and "110" in messages[2]
