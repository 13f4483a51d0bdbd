"""The worry and city actions: what a resident sees after describing a worry."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.city import ActionAskCity, ActionSetCity
from actions.worries import (
    ActionClarify,
    ActionRouteWorry,
    ActionShowMoreDetail,
    ActionShowOtherWindows,
)
from tests.actions.conftest import make_tracker, slot_events, texts


def test_worry_without_city_asks_the_city_with_buttons_and_keeps_the_worry(dispatcher):
    tracker = make_tracker("家賃が払えません", "share_worry", categories=["housing"])
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    last = dispatcher.messages[-1]
    assert [b["title"] for b in last["buttons"]][:4] == ["宇部市", "益田市", "久留米市", "富士市"]
    said = texts(dispatcher)
    assert "「住まい」のことで、困っているのですね" in said
    # No window is named before the city is known: it would be the wrong city's.
    assert "センター" not in said
    assert slot_events(events)["pending_categories"] == ["housing"]
    assert slot_events(events)["awaiting"] == "city"


def test_ube_housing_names_the_seikatsu_support_centre_and_its_sourced_phone(dispatcher):
    tracker = make_tracker(
        "家賃が払えません", "share_worry", slots={"city": "ube"}, categories=["housing"]
    )
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "生活相談サポートセンターうべ" in said
    assert "0836-43-7440" in said
    assert "ube.seikatsu_support" in slot_events(events)["routed_windows"]
    # The last message offers a staff contact with yes/no buttons, then 「くわしく」.
    payloads = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert payloads[:3] == ["/affirm", "/deny", "/more_detail"]


def test_three_worries_at_once_lead_with_the_coordinating_window_phone_sized(dispatcher):
    tracker = make_tracker(
        "介護で仕事を辞めて借金が返せない",
        "share_worry",
        slots={"city": "ube"},
        categories=["debt", "income", "elderly_care"],
    )
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    said = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert len(said) <= 3 and sum(map(len, said)) <= 500
    assert "福祉総合相談センター" in said[0] and "まとめて相談できます" in said[0]
    # The other windows are kept for 「ほかの窓口」, and the handoff.
    assert "ube.koureisha_sodan" in slot_events(events)["routed_windows"]
    titles = [b["title"] for b in dispatcher.messages[-1]["buttons"]]
    assert {"はい、連絡がほしい", "くわしく", "ほかの窓口"} <= set(titles)


def test_other_windows_button_shows_the_rest_from_the_routed_windows(dispatcher):
    first = CollectingDispatcher()
    events = ActionRouteWorry().run(
        first,
        make_tracker(
            "介護で仕事を辞めて借金が返せない",
            "share_worry",
            slots={"city": "ube"},
            categories=["debt", "income", "elderly_care"],
        ),
        {},
    )
    slots = {"city": "ube", **slot_events(events)}
    tracker = make_tracker("/other_windows", "other_windows", slots=slots)
    after = ActionShowOtherWindows().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "高齢者総合相談センター" in said
    assert "生活相談サポートセンターうべ" in said and "0836-43-7440" in said
    # The offer stays: 「はい」 still starts the intake.
    assert slot_events(after).get("awaiting", slots["awaiting"]) == "handoff_offer"
    assert "/affirm" in [b["payload"] for b in dispatcher.messages[-1]["buttons"]]


def test_more_detail_button_describes_the_window_named_first_in_full(dispatcher):
    slots = {
        "city": "ube",
        "worries": ["housing"],
        "routed_windows": ["ube.seikatsu_support"],
        "awaiting": "handoff_offer",
    }
    tracker = make_tracker("/more_detail", "more_detail", slots=slots)
    ActionShowMoreDetail().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "生活相談サポートセンターうべ" in said and "0836-43-7440" in said
    assert "場所" in said or "くわしく:" in said
    assert "/affirm" in [b["payload"] for b in dispatcher.messages[-1]["buttons"]]


def test_city_chosen_by_button_routes_the_waiting_worry(dispatcher):
    tracker = make_tracker(
        '/inform_city{"city": "masuda"}',
        "inform_city",
        slots={"city": "masuda", "pending_categories": ["debt"], "awaiting": "city"},
        entities=[{"entity": "city", "value": "masuda"}],
    )
    events = ActionSetCity().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "益田市ですね" in said
    assert "あんしん生活支援センター" in said
    assert slot_events(events)["pending_categories"] == []


def test_unknown_city_gets_the_kinds_of_window_every_municipality_has(dispatcher):
    # The city rules read 下関市 as another municipality: the entity says "other".
    other = {"entity": "city", "value": "other", "start": 0, "end": 3}
    tracker = make_tracker(
        "下関市です",
        "inform_city",
        slots={"pending_categories": ["elderly_care"]},
        entities=[other],
    )
    events = ActionSetCity().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "地域包括支援センター" in said
    assert "役所" in said
    assert slot_events(events)["city"] == "other"


def test_changing_city_reroutes_the_same_worries(dispatcher):
    ask = ActionAskCity().run(
        dispatcher, make_tracker("市をまちがえました", "change_city", slots={"city": "ube"}), {}
    )
    assert slot_events(ask)["awaiting"] == "city"
    dispatcher.messages.clear()
    tracker = make_tracker(
        '/inform_city{"city": "kurume"}',
        "inform_city",
        slots={"city": "kurume", "worries": ["housing"], "awaiting": "city"},
        entities=[{"entity": "city", "value": "kurume"}],
    )
    ActionSetCity().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "生活自立支援センター" in said
    assert "生活相談サポートセンターうべ" not in said


def test_fallback_asks_first_then_offers_the_any_attribute_window(dispatcher):
    first = ActionClarify().run(
        dispatcher, make_tracker("うーん", "nlu_fallback", slots={"city": "ube"}), {}
    )
    assert len(dispatcher.messages[-1]["buttons"]) == 9
    assert "窓口" not in texts(dispatcher)
    dispatcher.messages.clear()
    count = slot_events(first)["fallback_count"]
    ActionClarify().run(
        dispatcher,
        make_tracker(
            "よくわからない", "nlu_fallback", slots={"city": "ube", "fallback_count": count}
        ),
        {},
    )
    assert "福祉なんでも相談窓口" in texts(dispatcher)


def test_an_unclear_answer_at_the_summary_keeps_the_summary_open(dispatcher):
    """「おくって」 at 「この内容で送ってよいですか？」, read as nothing: the bot asked about
    worries again and the intake was gone, unsent and unsaid. Now it says nothing was sent
    and offers the summary's buttons again, keeping the summary's question (no slot changes)."""
    slots = {
        "city": "ube",
        "routed_windows": ["ube.seikatsu_support"],
        "awaiting": "intake_confirm",
    }
    events = ActionClarify().run(
        dispatcher, make_tracker("おくって", "nlu_fallback", slots=slots), {}
    )
    assert events == []
    assert "まだ送っていません" in texts(dispatcher)
    payloads = [button["payload"] for button in dispatcher.messages[-1]["buttons"]]
    assert payloads == ["/affirm", "/correct_intake", "/deny"]


def test_clarifying_button_payload_routes_by_its_category_entity(dispatcher):
    tracker = make_tracker(
        '/share_worry{"category": "isolation"}',
        "share_worry",
        slots={"city": "fuji"},
        entities=[{"entity": "category", "value": "isolation"}],
    )
    ActionRouteWorry().run(dispatcher, tracker, {})
    assert "孤立・孤独" in texts(dispatcher)
