"""What the resident is told after sending: a reference only for a ticket that exists."""

from __future__ import annotations

from bot.directory import load_directory
from bot.intake import questions
from bot.intake.outcome import NOT_BUILT, NOT_SAVED, kept, replies_for
from bot.intake.summary import handoff_windows
from bot.tickets import SubmissionResult

DIRECTORY = load_directory()
WINDOWS = handoff_windows(DIRECTORY, ["ube.seikatsu_support", "ube.fukushi_sogo_sodan"])


def test_a_created_ticket_gives_its_reference_and_who_will_contact_how() -> None:
    (text,) = replies_for(SubmissionResult("created", "UBE-2026-0001"), WINDOWS, "電話")
    assert "UBE-2026-0001" in text
    assert WINDOWS[0].name in text and "電話で" in text


def test_a_queued_intake_is_told_it_is_kept_not_given_a_reference() -> None:
    assert replies_for(SubmissionResult("queued"), WINDOWS, "電話") == (questions.QUEUED,)


def test_a_refused_or_unbuildable_intake_sends_the_resident_to_the_window() -> None:
    assert replies_for(SubmissionResult("failed"), WINDOWS, None) == (questions.FAILED,)
    assert replies_for(NOT_BUILT, WINDOWS, None) == (questions.FAILED,)


def test_nothing_kept_is_never_told_as_received() -> None:
    (text,) = replies_for(NOT_SAVED, WINDOWS, "電話")
    assert text == questions.NOT_SAVED
    assert "保存しました" not in text


def test_a_ticket_without_windows_is_not_given_a_window_to_wait_for() -> None:
    """No window to name (cannot happen with a routed worry): the kept-and-forwarded text."""
    assert replies_for(SubmissionResult("created", "UBE-2026-0002"), [], "電話") == (
        questions.QUEUED,
    )


def test_only_a_stored_or_queued_intake_counts_as_sent() -> None:
    """Sent (staff will have it) is what makes 「電話お願いします」 afterwards "as arranged"; a
    resident told to call the window instead may still ask for the offer again."""
    assert kept(SubmissionResult("created", "UBE-2026-0001"))
    assert kept(SubmissionResult("queued"))
    assert not kept(SubmissionResult("failed"))
    assert not kept(NOT_SAVED)
    assert not kept(NOT_BUILT)


def test_the_receipt_promises_a_call_only_where_staff_can_reach_the_resident() -> None:
    """Every question declined, or 「窓口に行く」: the receipt still said 「…の職員から、連絡
    します」, a call nobody could make. The visitor is told to bring the number; the resident
    with no contact given, to call with it."""
    created = SubmissionResult("created", "UBE-2026-0001")
    (visit,) = replies_for(created, WINDOWS, "窓口に行く", reachable=False)
    assert "UBE-2026-0001" in visit and "行くときは" in visit and "連絡します" not in visit
    (unreachable,) = replies_for(created, WINDOWS, None, reachable=False)
    assert "連絡先をうかがっていない" in unreachable and "連絡します" not in unreachable
    (phone,) = replies_for(created, WINDOWS, "電話", reachable=True)
    assert "電話で連絡します" in phone


def test_reachable_needs_a_contact_or_line_on_line() -> None:
    from bot.intake.outcome import reachable

    assert reachable("電話", "090-1234-5678", "web")
    assert not reachable("電話", None, "web")
    assert not reachable(None, None, "line")
    assert reachable("LINE", None, "line")
    assert not reachable("窓口に行く", None, "web")
