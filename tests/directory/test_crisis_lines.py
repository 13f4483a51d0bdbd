"""Crisis replies: right for the hour in Japan, 110/119 first, no unconfirmed line unflagged."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.directory import DirectoryError, crisis_message, lines_open_now, load_crisis_lines
from bot.directory.crisis_lines import CrisisKind, CrisisLine, default_crisis_lines

JST = timezone(timedelta(hours=9))
KINDS: tuple[CrisisKind, ...] = ("suicide", "abuse", "dv")


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in June 2025 (1 June is a Sunday), Japan time."""
    return datetime(2025, 6, day, hour, minute, tzinfo=JST)


def test_every_row_of_the_reference_is_in_the_data(shared_dir: Path) -> None:
    """Same rows, same order, and verified exactly where the reference says "verified"."""
    text = (shared_dir / "reference" / "crisis-lines.md").read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|---") and "| status |" not in line
    ]
    expected = [(row[1].split(" ")[0], row[4] == "verified") for row in rows]
    lines = default_crisis_lines()
    assert [(line.number, line.verified) for line in lines] == expected
    assert len(expected) == 12


def test_kinds_and_unverified_notes() -> None:
    lines = {line.id: line for line in default_crisis_lines()}
    assert lines["police"].kind == "emergency" and lines["ambulance"].kind == "emergency"
    assert lines["jido_sodan_189"].kind == "abuse"
    assert lines["dv_soudan_plus"].kind == "dv"
    for line in lines.values():
        if not line.verified:
            assert line.note and "要確認" in line.note, line.id
            assert line.render().endswith("（要確認）")


def test_at_three_in_the_morning_110_119_and_24h_are_offered() -> None:
    messages = crisis_message(jst(12, 3))
    text = "\n".join(messages)
    assert "110（警察）" in text and "119（救急）" in text and "24時間" in text
    assert text.index("110") < text.index("いのちの電話"), "emergency numbers come first"
    # いのちの電話 is closed at 03:00 on the 12th: say when it opens instead of listing it open.
    assert "0570-783-556（毎日 10時〜22時）" in text
    assert "今つながる相談の電話" not in text
    assert lines_open_now(jst(12, 3), kind="suicide") == []


def test_at_eleven_inochi_no_denwa_is_open() -> None:
    text = "\n".join(crisis_message(jst(12, 11)))
    assert "今つながる相談の電話" in text
    assert "いのちの電話 0570-783-556（毎日 10時〜22時）" in text


def test_aware_times_are_converted_to_japan_time() -> None:
    utc_two = datetime(2025, 6, 12, 2, 0, tzinfo=timezone.utc)  # 11:00 in Japan
    assert [line.number for line in lines_open_now(utc_two, kind="suicide")] == ["0570-783-556"]
    naive_eleven = datetime(2025, 6, 12, 11, 0)  # naive = already Japan time
    assert lines_open_now(naive_eleven, kind="suicide") == lines_open_now(utc_two, kind="suicide")


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (jst(12, 9, 59), False),
        (jst(12, 10, 0), True),
        (jst(12, 21, 59), True),
        (jst(12, 22, 0), False),
    ],
)
def test_daily_line_boundaries(moment: datetime, is_open: bool) -> None:
    line = next(x for x in default_crisis_lines() if x.id == "inochi_navi")
    assert line.is_open(moment) is is_open


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (jst(10, 7, 59), False),
        (jst(10, 8, 0), True),
        (jst(10, 23, 0), True),
        (jst(11, 7, 59), True),
        (jst(11, 8, 0), False),
    ],
)
def test_monthly_free_dial_runs_from_the_10th_8am_to_the_11th_8am(
    moment: datetime, is_open: bool
) -> None:
    line = next(x for x in default_crisis_lines() if x.id == "inochi_free_monthly")
    assert line.is_open(moment) is is_open


def test_lines_with_unstated_hours_are_never_claimed_open() -> None:
    sunday, monday = jst(1, 11), jst(2, 11)
    ids = {line.id for line in lines_open_now(monday, include_unverified=True)}
    assert "police_consultation" not in ids and "dv_navi" not in ids and "kokoro_kenko" not in ids
    police = next(x for x in default_crisis_lines() if x.id == "police_consultation")
    assert police.is_open(sunday) is False
    assert police.is_open(monday) is None


def test_abuse_and_dv_offer_their_national_lines() -> None:
    abuse = "\n".join(crisis_message(jst(12, 3), kind="abuse"))
    assert "189" in abuse and "24時間" in abuse
    dv = "\n".join(crisis_message(jst(12, 3), kind="dv"))
    assert "0120-279-889" in dv


def test_no_immediate_danger_means_no_110_push() -> None:
    messages = crisis_message(jst(12, 11), immediate_danger=False)
    assert not any("110" in m for m in messages)
    assert messages[0].startswith("話してくれて")
    assert "このままお話を続けられます" in messages[-1]


def test_messages_are_short_enough_for_a_phone() -> None:
    for hour in range(24):
        for kind in KINDS:
            messages = crisis_message(jst(10, hour), kind=kind, include_unverified=True)
            assert 3 <= len(messages) <= 4
            assert all(len(m) <= 160 for m in messages)


@pytest.mark.parametrize("include_unverified", [False, True])
def test_no_unverified_line_appears_without_youkakunin(include_unverified: bool) -> None:
    lines = default_crisis_lines()
    unverified = [line for line in lines if not line.verified]
    verified_renders = {line.render() for line in lines if line.verified}
    start = jst(1, 0)
    for step in range(0, 31 * 24 * 2):  # every half hour of June, every kind
        moment = start + timedelta(minutes=30 * step)
        for kind in KINDS:
            messages = crisis_message(moment, kind=kind, include_unverified=include_unverified)
            bullets = [b for m in messages for b in m.splitlines() if b.startswith("・")]
            for bullet in bullets:
                for line in unverified:
                    if line.number in bullet and bullet not in verified_renders:
                        assert "要確認" in bullet, (moment, bullet)
                if not include_unverified:
                    assert bullet in verified_renders, (moment, bullet)


def test_unverified_24h_line_only_when_opted_in() -> None:
    assert "0120-279-338" not in "\n".join(crisis_message(jst(12, 3)))
    opted = "\n".join(crisis_message(jst(12, 3), include_unverified=True))
    assert "よりそいホットライン 0120-279-338（24時間 365日）（要確認）" in opted


def test_one_entry_per_number() -> None:
    """On the 10th at 17:00 both 0120-783-556 rows answer; the verified one is listed once."""
    numbers = [x.number for x in lines_open_now(jst(10, 17), include_unverified=True)]
    assert len(numbers) == len(set(numbers))
    free = [
        x
        for x in lines_open_now(jst(10, 17), include_unverified=True)
        if x.number == "0120-783-556"
    ]
    assert [x.id for x in free] == ["inochi_free_monthly"]


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError):
        crisis_message(jst(12, 11), kind="fire")  # type: ignore[arg-type]


def test_malformed_crisis_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "crisis_lines.yml"
    path.write_text(
        "lines:\n  - {id: x, name: X, number: 110, hours: h, kind: emergency, source: s,"
        " verified: true, schedule: {type: always}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryError, match=re.escape("lines[0].number")):
        load_crisis_lines(path)


def test_custom_lines_can_be_injected() -> None:
    """Deployments (and tests) can pass their own confirmed list instead of the default file."""
    only = CrisisLine(
        id="local",
        name="市の相談",
        number="0000",
        hours="24時間",
        schedule=next(x for x in default_crisis_lines() if x.id == "police").schedule,
        kind="suicide",
        source="test",
        verified=True,
    )
    assert "・市の相談 0000（24時間）" in "\n".join(crisis_message(jst(12, 3), lines=[only]))
