"""Crisis lines: open hours in Japan time, a staffed line at every hour, 「要確認」 kept.

The wording of the crisis reply is tested in tests/dialogue/test_crisis_reply.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.directory import (
    DirectoryError,
    line_by_id,
    lines_open_now,
    load_crisis_lines,
    staffed_lines_now,
)
from bot.directory.crisis_lines import CrisisLine, default_crisis_lines

JST = timezone(timedelta(hours=9))
KINDS = ("suicide", "abuse", "dv")


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


def test_at_three_in_the_morning_a_24_hour_line_is_given_not_none() -> None:
    """The policy changed: never tell a resident in crisis that no line is open."""
    assert lines_open_now(jst(12, 3), kind="suicide") == []
    night = staffed_lines_now(jst(12, 3), "suicide")
    assert [line.id for line in night] == ["yorisoi"]
    assert night[0].render() == "・よりそいホットライン 0120-279-338（24時間 365日）（要確認）"


def test_at_eleven_the_verified_line_is_given_and_the_unverified_one_is_not() -> None:
    day = staffed_lines_now(jst(12, 11), "suicide")
    assert [line.id for line in day] == ["inochi_navi"]


@pytest.mark.parametrize("kind", ["suicide", "abuse", "dv"])
def test_every_half_hour_of_a_month_has_a_staffed_line(kind: str) -> None:
    start = jst(1, 0)
    for step in range(0, 31 * 24 * 2):
        moment = start + timedelta(minutes=30 * step)
        lines = staffed_lines_now(moment, kind)
        assert lines, (kind, moment)
        assert all(line.is_open(moment) is True for line in lines)
        for line in lines:
            assert line.verified or line.render().endswith("（要確認）")


def test_only_24_hour_unverified_lines_stand_in_at_night() -> None:
    """Other "check" rows (#いのちSOS, こころの健康相談) stay out until a city confirms them."""
    for hour in range(24):
        ids = {line.id for line in staffed_lines_now(jst(12, hour), "suicide")}
        assert not ids & {"inochi_sos", "kokoro_kenko", "inochi_free_daily"}, hour


def test_a_line_is_found_by_its_id() -> None:
    assert line_by_id("jido_sodan_189").number == "189"
    with pytest.raises(KeyError):
        line_by_id("no-such-line")


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
    assert staffed_lines_now(jst(12, 3), "suicide", lines=[only]) == [only]
