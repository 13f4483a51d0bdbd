"""Submissions are validated when the bot builds them, not when staff open the ticket."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from bot.tickets import Submission, Urgency


def test_round_trip_through_plain_data(make_submission) -> None:
    submission = make_submission()
    data = submission.to_dict()
    assert data["summary"]["urgency"] == "急がない"  # slot-style strings
    assert Submission.from_dict(data) == submission
    assert Submission.from_dict(data).summary.urgency is Urgency.NOT_URGENT


def test_windows_must_be_consented_and_of_the_city(make_submission) -> None:
    submission = make_submission()
    with pytest.raises(ValueError, match="consent"):
        replace(submission, window_ids=("ube.seikatsu_support", "ube.kosodate"))
    with pytest.raises(ValueError, match="does not belong"):
        make_submission(windows=("kurume.fukushi_soudan",))


def test_naive_times_and_unknown_choices_are_refused(make_submission) -> None:
    data = make_submission().to_dict()
    data["consent"]["given_at"] = datetime(2026, 3, 10, 9, 0).isoformat()
    with pytest.raises(ValueError, match="timezone-aware"):
        Submission.from_dict(data)
    data = make_submission().to_dict()
    data["summary"]["about_whom"] = "同僚"
    with pytest.raises(ValueError):
        Submission.from_dict(data)
