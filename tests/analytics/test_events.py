"""Rasa broker events → analytic rows (issue 10): pure mapping, no database.

Protected behaviour: a message row never holds the raw text or the sender id (masked text,
salted hash); the calendar columns are Japan time (week and hour at a week boundary); the
fallback reason, the city's gaps (制度の狭間 → unrouted), the channel and button payloads are
recorded as documented; the funnel flags come from the project's real action and slot names.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from bot.analytics.events import (
    CONSENT_GIVEN,
    CONSENT_REFUSED,
    CRISIS,
    HANDOFF_ACCEPTED,
    HANDOFF_OFFERED,
    TICKET_CREATED,
    WINDOW_SHOWN,
    WORRY_RECOGNISED,
    MalformedEvent,
    conversation_update,
    message_row,
)
from bot.analytics.identity import conversation_hash
from bot.dialogue import texts as dialogue_texts
from bot.directory import default_directory
from bot.intake import questions
from bot.intake.outcome import replies_for
from bot.tickets import SubmissionResult

SALT = "test-salt-0123456789abcdef"
LINE_SENDER = "U" + "0123456789abcdef" * 2
DIRECTORY = default_directory()


def ts(text: str) -> float:
    """An ISO time with offset → the broker's epoch seconds."""
    return datetime.fromisoformat(text).timestamp()


def user(
    text: str,
    *,
    at: str = "2026-04-08T10:00:00+09:00",
    sender: str = LINE_SENDER,
    channel: str = "line",
    categories: dict[str, float] | None = None,
    intent: str = "share_worry",
    confidence: float | None = None,
    crisis: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    scores = categories or {}
    chosen = [code for code, score in scores.items() if score >= 0.5]
    top = max(scores.values()) if scores else 0.9
    return {
        "event": "user",
        "sender_id": sender,
        "timestamp": ts(at),
        "text": text,
        "input_channel": channel,
        "message_id": f"m-{ts(at)}",
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": top if confidence is None else confidence},
            "entities": entities or [],
            "worry_categories": {"categories": chosen, "confidence": scores},
            "crisis": crisis or {"detected": False, "kind": None},
        },
    }


def slot(name: str, value: Any, at: str = "2026-04-08T10:00:01+09:00") -> dict[str, Any]:
    return {
        "event": "slot",
        "sender_id": LINE_SENDER,
        "timestamp": ts(at),
        "name": name,
        "value": value,
    }


def action(name: str, at: str = "2026-04-08T10:00:01+09:00") -> dict[str, Any]:
    return {"event": "action", "sender_id": LINE_SENDER, "timestamp": ts(at), "name": name}


def bot(text: str, at: str = "2026-04-08T10:00:02+09:00") -> dict[str, Any]:
    return {"event": "bot", "sender_id": LINE_SENDER, "timestamp": ts(at), "text": text}


def row(event: dict[str, Any], city: str | None = None) -> dict[str, Any]:
    values = message_row(event, SALT, DIRECTORY, city=city)
    assert values is not None
    return values


def test_message_text_is_masked_and_the_sender_is_a_salted_hash() -> None:
    event = user(
        "宇部市に住んでいます。家賃を3か月滞納しています。090-1234-5678 の山田です",
        categories={"housing": 0.91, "debt": 0.2},
        entities=[{"entity": "city", "value": "ube"}],
    )
    values = row(event)
    assert "090-1234-5678" not in values["masked_text"]
    assert "〔電話〕" in values["masked_text"]
    assert "家賃を3か月滞納" in values["masked_text"]
    assert values["conversation_hash"] == conversation_hash(SALT, LINE_SENDER)
    assert LINE_SENDER not in repr(values)
    assert values["city"] == "ube"  # named in the message, no city known before
    assert values["categories"] == ["housing"]
    assert values["confidences"] == {"housing": 0.91, "debt": 0.2}
    assert values["channel"] == "line"
    assert (values["all_routed"], values["unrouted"]) == (True, [])
    assert values["fallback"] is None
    assert values["is_payload"] is False
    assert len(values["event_key"]) == 64


def test_calendar_columns_are_japan_time_across_a_week_boundary() -> None:
    # Sunday 23:30 JST is still ISO week 1 of 2026; 40 minutes later it is week 2 (Monday),
    # although both are Sunday in UTC.
    sunday = row(user("眠れない", at="2026-01-04T23:30:00+09:00"))
    monday = row(user("眠れない", at="2026-01-05T00:10:00+09:00"))
    assert sunday["occurred_at"] == datetime(2026, 1, 4, 14, 30, tzinfo=timezone.utc)
    assert (sunday["jst_date"], sunday["iso_year"], sunday["iso_week"]) == (
        date(2026, 1, 4),
        2026,
        1,
    )
    assert (sunday["hour_jst"], sunday["weekday_jst"]) == (23, 7)
    assert (monday["jst_date"], monday["iso_week"], monday["hour_jst"]) == (
        date(2026, 1, 5),
        2,
        0,
    )
    assert monday["weekday_jst"] == 1
    # New Year's Eve 2026 in JST belongs to ISO year 2026 week 53.
    late = row(user("お金がない", at="2026-12-31T20:00:00+09:00"))
    assert (late["iso_year"], late["iso_week"]) == (2026, 53)


@pytest.mark.parametrize(
    ("intent", "confidence", "expected"),
    [
        ("nlu_fallback", 0.3, "nlu_fallback"),
        ("out_of_scope", 0.95, "out_of_scope"),
        ("share_worry", 0.55, "low_confidence"),
        ("share_worry", 0.85, None),
        ("greet", 0.99, None),
    ],
)
def test_fallback_reason(intent: str, confidence: float, expected: str | None) -> None:
    event = user("ごみの日を知りたい", intent=intent, confidence=confidence)
    assert row(event)["fallback"] == expected


def test_a_gap_category_is_unrouted_in_that_city_only() -> None:
    # Isolation is a 制度の狭間 in Ube (no specialised window) but has one in Fuji.
    worry = {"income": 0.8, "isolation": 0.7}
    ube = row(user("仕事がなくて、話せる人もいない", categories=worry), city="ube")
    assert ube["categories"] == ["income", "isolation"]
    assert (ube["all_routed"], ube["unrouted"]) == (False, ["isolation"])
    fuji = row(user("仕事がなくて、話せる人もいない", categories=worry), city="fuji")
    assert (fuji["all_routed"], fuji["unrouted"]) == (True, [])
    # No city, or a city outside the four: unknown, not "routed".
    nowhere = row(user("仕事がなくて、話せる人もいない", categories=worry))
    assert (nowhere["city"], nowhere["all_routed"], nowhere["unrouted"]) == (None, None, [])
    elsewhere = row(user("仕事がない", categories=worry), city="hiroshima")
    assert (elsewhere["city"], elsewhere["all_routed"]) == ("other", None)
    # No categories: nothing to route.
    assert row(user("こんにちは", intent="greet"), city="ube")["all_routed"] is None


def test_known_city_wins_over_a_city_word_in_a_later_answer() -> None:
    # 「益田です」 answering the intake's name question is a surname, not a move to Masuda.
    answer = user("益田です", intent="inform", entities=[{"entity": "city", "value": "masuda"}])
    assert row(answer, city="kurume")["city"] == "kurume"


@pytest.mark.parametrize(
    ("channel", "expected"), [("line", "line"), ("web", "web"), ("rest", "rest"), ("x", "rest")]
)
def test_channel(channel: str, expected: str) -> None:
    assert row(user("相談したい", channel=channel))["channel"] == expected


def test_a_button_payload_is_counted_but_not_as_resident_text() -> None:
    event = user(
        '/share_worry{"category": "debt"}',
        intent="share_worry",
        confidence=1.0,
        entities=[{"entity": "category", "value": "debt"}],
    )
    event["parse_data"].pop("worry_categories")
    values = row(event, city="masuda")
    assert values["is_payload"] is True
    assert values["masked_text"] is None
    assert values["categories"] == ["debt"]
    assert values["confidences"] == {}
    assert values["fallback"] is None
    assert conversation_update(event, SALT).flags == {WORRY_RECOGNISED}


def test_crisis_message() -> None:
    event = user(
        "夫に殴られていて家にいるのがこわい",
        categories={"abuse_dv": 0.93},
        crisis={"detected": True, "life_danger": True, "kind": "violence"},
    )
    values = row(event, city="kurume")
    assert (values["crisis"], values["crisis_kind"]) == (True, "violence")
    assert values["unrouted"] == ["abuse_dv"]
    assert conversation_update(event, SALT).flags == {WORRY_RECOGNISED, CRISIS}


def test_only_user_events_are_messages() -> None:
    assert message_row(bot("こんにちは"), SALT, DIRECTORY) is None
    assert message_row(slot("city", "ube"), SALT, DIRECTORY) is None


def test_event_key_is_stable_and_independent_of_the_text() -> None:
    first = user("家賃が払えない")
    again = dict(first, text="家賃が払えない（再送）")
    assert row(first)["event_key"] == row(again)["event_key"]
    later = user("家賃が払えない", at="2026-04-08T10:00:05+09:00")
    assert row(first)["event_key"] != row(later)["event_key"]


def _flags(events: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for event in events:
        found |= conversation_update(event, SALT).flags
    return found


def test_funnel_of_a_conversation_that_ends_in_a_ticket() -> None:
    events = [
        {"event": "action", "sender_id": LINE_SENDER, "timestamp": ts("2026-04-08T09:59:59+09:00"),
         "name": "action_session_start"},
        user("宇部で、母の介護と借金で困っています", categories={"debt": 0.8, "elderly_care": 0.9}),
        slot("city", "ube"),
        action("action_route_worry"),
        slot("worries", ["debt", "elderly_care"]),
        slot("routed_windows", ["ube.seikatsu_support", "ube.koureisha_sodan"]),
        bot("相談できる窓口は…"),
        user("はい", intent="affirm", at="2026-04-08T10:01:00+09:00"),
        action("action_request_human", at="2026-04-08T10:01:01+09:00"),
        slot("awaiting", "handoff_offer", at="2026-04-08T10:01:01+09:00"),
        user("はい", intent="affirm", at="2026-04-08T10:02:00+09:00"),
        {"event": "active_loop", "sender_id": LINE_SENDER,
         "timestamp": ts("2026-04-08T10:02:01+09:00"), "name": "intake_form"},
        slot("intake_consent", "yes", at="2026-04-08T10:05:00+09:00"),
        action("action_submit_intake", at="2026-04-08T10:06:00+09:00"),
        bot(questions.received("UBE-2026-000123", "生活支援窓口", "電話", None),
            at="2026-04-08T10:06:01+09:00"),
    ]  # fmt: skip
    assert _flags(events) == {
        WORRY_RECOGNISED,
        WINDOW_SHOWN,
        HANDOFF_OFFERED,
        HANDOFF_ACCEPTED,
        CONSENT_GIVEN,
        TICKET_CREATED,
    }
    updates = [conversation_update(event, SALT) for event in events]
    assert [u.city for u in updates if u.city] == ["ube"]
    assert {u.channel for u in updates if u.channel} == {"line"}


def test_refusals_from_their_real_signals() -> None:
    declined_offer = [slot("awaiting", "handoff_offer"), action("action_handle_deny"),
                      bot(dialogue_texts.DECLINED_CONTACT), slot("awaiting", None)]  # fmt: skip
    assert _flags(declined_offer) == {HANDOFF_OFFERED, CONSENT_REFUSED}
    # A no to some other question is not a refusal of the handoff.
    assert _flags([action("action_handle_deny"), bot(dialogue_texts.DECLINED_OTHER)]) == set()
    assert _flags([slot("intake_consent", "no")]) == {CONSENT_REFUSED}
    assert _flags([action("action_cancel_intake")]) == {CONSENT_REFUSED}


def test_queued_intake_counts_as_a_ticket_and_failures_do_not() -> None:
    assert _flags([bot(questions.QUEUED)]) == {TICKET_CREATED}
    assert _flags([bot(questions.FAILED), bot(questions.NOT_SAVED)]) == set()
    assert _flags([slot("ticket_reference", "FUJI-2026-000001")]) == {TICKET_CREATED}


@pytest.mark.parametrize(
    "reference, method, response_time",
    [
        ("UBE-2026-000123", "電話", "3日以内"),
        ("MASUDA-2026-000001", None, None),
        ("KURUME-2027-1234567", "窓口に行く", None),
        ("FUJI-2026-000042", "LINE", "翌営業日"),
    ],
)
def test_ticket_reply_is_recognised_from_the_real_submit_texts(
    reference: str, method: str | None, response_time: str | None
) -> None:
    """The texts the submit action really sends (``bot.intake.outcome.replies_for``), built
    from ``bot.intake.questions``: if their wording changes so that analytics would stop
    recognising them, this fails instead of the ticket count silently dropping to zero."""
    city = DIRECTORY.city("ube")
    assert city is not None
    windows = list(city.windows)[:1]
    (created,) = replies_for(SubmissionResult("created", reference), windows, method)
    assert created == questions.received(
        reference, windows[0].name, method, windows[0].response_time
    )
    assert _flags([bot(created)]) == {TICKET_CREATED}
    assert _flags([bot(questions.received(reference, "窓口", method, response_time))]) == {
        TICKET_CREATED
    }
    (queued,) = replies_for(SubmissionResult("queued"), windows, method)
    assert _flags([bot(queued)]) == {TICKET_CREATED}
    for failed in ("failed", "not_built", "not_saved"):
        result = SubmissionResult("failed") if failed == "failed" else failed
        assert [_flags([bot(text)]) for text in replies_for(result, windows, method)] == [set()]


def test_a_reference_echoed_in_another_bot_text_is_not_a_ticket() -> None:
    """The summary to confirm repeats what the resident typed; a reference in it (「前の相談
    UBE-2026-000123 の続きです」) is not this conversation's ticket."""
    echoed = "この内容で送ります。\n・困りごと: 前の相談 UBE-2026-000123 の続きです"
    assert _flags([bot(echoed)]) == set()
    assert _flags([bot("UBE-2026-000123")]) == set()


def test_consent_comes_from_the_consent_slot_not_from_the_form_starting() -> None:
    """The intake form starts with the questions and asks for consent last: starting it is
    the resident accepting the offer (the escalation), not consent; a resident who accepts
    and then says no to the consent question has refused, never consented."""
    form = {"event": "active_loop", "sender_id": LINE_SENDER,
            "timestamp": ts("2026-04-08T10:02:01+09:00"), "name": "intake_form"}  # fmt: skip
    assert _flags([form]) == {HANDOFF_ACCEPTED}
    assert _flags([form, slot("intake_consent", "no")]) == {HANDOFF_ACCEPTED, CONSENT_REFUSED}
    assert _flags([slot("intake_consent", "yes")]) == {CONSENT_GIVEN}
    # The raw answer the form's from_text mapping writes before validation is not a decision.
    assert _flags([slot("intake_consent", "はい、いいです")]) == set()
    assert _flags([slot("intake_consent", None)]) == set()


def test_crisis_action_and_slot() -> None:
    assert _flags([action("action_crisis_response")]) == {CRISIS}
    assert _flags([slot("crisis_detected", True)]) == {CRISIS}
    assert _flags([slot("crisis_detected", False)]) == set()


def test_malformed_events_are_refused() -> None:
    with pytest.raises(MalformedEvent):
        conversation_update({"event": "user", "timestamp": 1.0}, SALT)
    with pytest.raises(MalformedEvent):
        conversation_update({"event": "user", "sender_id": "a"}, SALT)


def test_an_answer_inside_the_intake_form_keeps_no_text() -> None:
    """During the intake the message is an answer about the resident: no text, no fallback
    (the consumer passes ``in_intake`` from the conversation's state)."""
    answer = user("みどり", intent="nlu_fallback", confidence=0.3)
    values = message_row(answer, SALT, DIRECTORY, city="ube", in_intake=True)
    assert values is not None
    assert (values["masked_text"], values["fallback"], values["is_payload"]) == (None, None, False)
    assert row(answer, city="ube")["masked_text"] == "みどり"  # outside the form: stored
