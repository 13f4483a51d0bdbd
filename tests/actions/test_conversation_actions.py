"""Crisis, yes/no, asking for a person and starting over."""

from __future__ import annotations

from actions.conversation import (
    ActionHandleAffirm,
    ActionHandleDeny,
    ActionRequestHuman,
    ActionStartOver,
)
from actions.crisis import ActionCrisisResponse
from tests.actions.conftest import make_tracker, slot_events, texts


def test_crisis_answer_gives_emergency_numbers_first_and_keeps_the_worry(dispatcher):
    tracker = make_tracker(
        "借金で死にたい",
        "crisis",
        categories=["debt"],
        crisis={"detected": True, "kind": "suicide", "source": "rule"},
    )
    events = ActionCrisisResponse().run(dispatcher, tracker, {})
    first_two = texts(dispatcher).split("\n")[:3]
    assert any("110" in line and "119" in line for line in first_two)
    slots = slot_events(events)
    assert slots["crisis_detected"] is True
    assert slots["pending_categories"] == ["debt"]
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        "/continue_consultation",
        "/start_over",
    ]


def test_violence_now_shows_110_then_the_dv_line(dispatcher):
    tracker = make_tracker(
        "今夫に殴られています",
        "crisis",
        crisis={"detected": True, "kind": "violence_now", "victim": "partner", "source": "rule"},
    )
    ActionCrisisResponse().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "110" in said and "0120-279-889" in said
    assert said.index("110") < said.index("0120-279-889")


def test_continuing_after_a_crisis_routes_the_kept_worry(dispatcher):
    tracker = make_tracker(
        "/affirm",
        "affirm",
        slots={"city": "kurume", "pending_categories": ["debt"], "awaiting": "after_crisis"},
    )
    ActionHandleAffirm().run(dispatcher, tracker, {})
    assert "生活自立支援センター" in texts(dispatcher)


def test_yes_to_contact_tells_how_to_reach_the_routed_window(dispatcher):
    tracker = make_tracker(
        "はい",
        "affirm",
        slots={
            "city": "ube",
            "routed_windows": ["ube.seikatsu_support"],
            "awaiting": "handoff_offer",
        },
    )
    ActionHandleAffirm().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "0836-43-7440" in said
    assert "職員" in said


def test_no_to_contact_still_leaves_the_way_to_a_person(dispatcher):
    tracker = make_tracker("いいえ", "deny", slots={"awaiting": "handoff_offer"})
    ActionHandleDeny().run(dispatcher, tracker, {})
    assert "直接連絡できます" in texts(dispatcher)


def test_asking_for_a_person_without_a_city_asks_the_city(dispatcher):
    events = ActionRequestHuman().run(dispatcher, make_tracker("人と話したい", "request_human"), {})
    assert slot_events(events)["awaiting"] == "city"
    assert dispatcher.messages[-1]["buttons"]


def test_start_over_forgets_the_state(dispatcher):
    tracker = make_tracker(
        "最初から", "start_over", slots={"city": "ube", "worries": ["debt"], "awaiting": "city"}
    )
    events = ActionStartOver().run(dispatcher, tracker, {})
    assert events[0]["event"] == "reset_slots"
    assert "はじめからやり直します" in texts(dispatcher)
