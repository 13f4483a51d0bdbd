"""The crisis action at day and at night (clock injected), and resuming afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import actions.crisis as crisis_actions
from actions.crisis import ActionContinueConsultation, ActionCrisisResponse
from tests.actions.conftest import make_tracker, slot_events, texts

JST = timezone(timedelta(hours=9))
DAY = datetime(2025, 6, 12, 14, 0, tzinfo=JST)
NIGHT = datetime(2025, 6, 12, 2, 0, tzinfo=JST)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(crisis_actions, "now", lambda: moment)


def crisis(kind: str, victim: str | None = None, about: str = "self") -> dict:
    return {"detected": True, "kind": kind, "kinds": [kind], "about": about, "victim": victim}


@pytest.mark.parametrize(("moment", "line"), [(DAY, "0570-783-556"), (NIGHT, "0120-279-338")])
def test_suicide_gets_a_line_open_now(dispatcher, monkeypatch, moment, line) -> None:
    at(monkeypatch, moment)
    tracker = make_tracker("もう終わりにしたい", "crisis", crisis=crisis("suicide"))
    ActionCrisisResponse().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert line in said
    assert "受け付けをしていません" not in said


def test_partner_abuse_with_a_known_city_goes_on_to_the_citys_window(
    dispatcher, monkeypatch
) -> None:
    at(monkeypatch, NIGHT)
    tracker = make_tracker(
        "夫に殴られて逃げてきた",
        "crisis",
        slots={"city": "kurume"},
        crisis=crisis("abuse", "partner"),
    )
    events = ActionCrisisResponse().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert said.index("0120-279-889") < said.index("いくつもの困りごとをまとめて相談")
    slots = slot_events(events)
    assert slots["awaiting"] == "handoff_offer"
    assert slots["crisis_kind"] == "abuse"
    assert "abuse_dv" in slots["worries"]


def test_a_teenager_without_a_city_gets_189_then_the_city_question(dispatcher, monkeypatch):
    at(monkeypatch, NIGHT)
    tracker = make_tracker("親が酒のむと暴れる", "crisis", crisis=crisis("abuse", "child"))
    events = ActionCrisisResponse().run(dispatcher, tracker, {})
    assert "189" in dispatcher.messages[1]["text"]
    assert slot_events(events)["awaiting"] == "city"
    assert set(slot_events(events)["pending_categories"]) == {"abuse_dv", "childcare"}


def test_continuing_returns_to_the_pending_worry(dispatcher) -> None:
    tracker = make_tracker(
        "大丈夫です、続けます",
        "continue_consultation",
        slots={"city": "kurume", "pending_categories": ["debt"], "awaiting": "after_crisis"},
    )
    ActionContinueConsultation().run(dispatcher, tracker, {})
    assert "生活自立支援センター" in texts(dispatcher)


def test_continuing_returns_to_an_interrupted_handoff_offer(dispatcher) -> None:
    tracker = make_tracker(
        "相談を続ける",
        "continue_consultation",
        slots={
            "city": "ube",
            "routed_windows": ["ube.seikatsu_support"],
            "awaiting": "after_crisis",
            "resume_awaiting": "handoff_offer",
        },
    )
    events = ActionContinueConsultation().run(dispatcher, tracker, {})
    assert "生活相談サポートセンターうべ" in texts(dispatcher)
    assert slot_events(events)["awaiting"] == "handoff_offer"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]


def test_continuing_without_a_city_asks_for_it(dispatcher) -> None:
    tracker = make_tracker(
        "続けます",
        "continue_consultation",
        slots={"pending_categories": ["housing"], "awaiting": "after_crisis"},
    )
    events = ActionContinueConsultation().run(dispatcher, tracker, {})
    assert slot_events(events)["awaiting"] == "city"


def test_abuse_words_answering_the_safe_contact_question_are_the_answer(dispatcher) -> None:
    """「夫がいる夜は電話しないで」 during the intake answers it; the lines are not repeated."""
    tracker = make_tracker(
        "夫がいる夜は電話しないで",
        "crisis",
        slots={"city": "kurume", "crisis_kind": "abuse", "crisis_detected": True},
        crisis=crisis("abuse", "partner"),
        requested_slot="intake_safe_contact",
        active_loop="intake_form",
    )
    events = ActionCrisisResponse().run(dispatcher, tracker, {})
    assert dispatcher.messages == []
    assert slot_events(events)["intake_safe_contact"] == "夫がいる夜は電話しないで"


def test_a_new_danger_during_the_intake_still_gets_its_lines(dispatcher, monkeypatch) -> None:
    at(monkeypatch, NIGHT)
    tracker = make_tracker(
        "もう死にたい",
        "crisis",
        slots={"city": "kurume", "crisis_kind": "abuse", "crisis_detected": True},
        crisis=crisis("suicide"),
        requested_slot="intake_safe_contact",
        active_loop="intake_form",
    )
    ActionCrisisResponse().run(dispatcher, tracker, {})
    assert "0120-279-338" in texts(dispatcher)


def test_abuse_words_as_the_first_mention_get_the_lines_and_are_kept_as_the_answer(
    dispatcher, monkeypatch
) -> None:
    """The resident came in with another worry; the answer is both news and an answer."""
    at(monkeypatch, NIGHT)
    tracker = make_tracker(
        "夫に殴られるので夜は電話しないで",
        "crisis",
        slots={"city": "kurume", "worries": ["debt"]},
        crisis=crisis("abuse", "partner"),
        requested_slot="intake_safe_contact",
        active_loop="intake_form",
    )
    events = ActionCrisisResponse().run(dispatcher, tracker, {})
    assert "0120-279-889" in texts(dispatcher)
    assert slot_events(events)["intake_safe_contact"] == "夫に殴られるので夜は電話しないで"


def test_continue_while_the_summary_waits_keeps_the_summary(dispatcher) -> None:
    tracker = make_tracker(
        "続けてください", "continue_consultation", slots={"awaiting": "intake_confirm"}
    )
    events = ActionContinueConsultation().run(dispatcher, tracker, {})
    assert "awaiting" not in slot_events(events)
    assert "上の質問" in texts(dispatcher)
