"""The answer Rasa gives by itself when the action server is down (``bot.channels.degraded``).

Protects: when the action server cannot be reached, Rasa logs an exception and says nothing
at all. A resident in danger must still get the crisis lines (the very texts of the normal
crisis answer, for the same kind of danger), a resident with a worry and a known city that
city's window with its phone from the directory, one without a city the city question; every
such answer says plainly that 担当者へのおつなぎ（相談の受付） is briefly unavailable and how
to reach a person directly, and offers no button that needs the action server's state (the
handoff's はい／いいえ, 相談を続ける, くわしく). A turn Rasa did answer is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

import actions.crisis as crisis_actions
from actions.crisis import ActionCrisisResponse
from bot.channels.degraded import (
    CALL_LINES_ABOVE,
    HANDOFF_PAUSED,
    DegradedAnswers,
    degraded_messages,
    unanswered_parse,
)
from bot.dialogue import texts
from bot.dialogue.answer_shape import lead_window
from bot.directory import Directory, load_directory
from bot.settings import PROJECT_ROOT
from tests.actions.conftest import make_tracker

DIRECTORY: Directory = load_directory()
DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
JST = timezone(timedelta(hours=9))
NIGHT = datetime(2025, 6, 12, 2, 0, tzinfo=JST)
DAY = datetime(2025, 6, 12, 14, 0, tzinfo=JST)
SLOTS = {"city": None, "worries": None, "routed_windows": None, "awaiting": None}


def parse(
    intent: str,
    *,
    categories: list[str] | None = None,
    crisis: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "text": "(not read)",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "worry_categories": {"categories": categories or [], "confidence": {}},
        "crisis": crisis or {"detected": False, "kind": None},
    }


def said(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def buttons(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def assert_notice(messages: list[dict[str, Any]]) -> None:
    notice = [t for t in said(messages) if HANDOFF_PAUSED in t]
    assert len(notice) == 1, said(messages)
    assert "担当者へのおつなぎ" in notice[0] and "相談の受付" in notice[0]


SUICIDE = {"detected": True, "kind": "suicide", "kinds": ["suicide"], "about": "self"}


@pytest.mark.parametrize("moment", [DAY, NIGHT])
def test_crisis_gets_the_same_lines_as_the_normal_answer_first(monkeypatch, moment) -> None:
    monkeypatch.setattr(crisis_actions, "now", lambda: moment)
    dispatcher = CollectingDispatcher()
    ActionCrisisResponse().run(dispatcher, make_tracker("…", "crisis", crisis=SUICIDE), {})
    normal = [m["text"] for m in dispatcher.messages if m.get("text")]
    normal = [t for t in normal if t != texts.CONTINUE_AFTER_CRISIS]

    messages = degraded_messages(parse("crisis", crisis=SUICIDE), SLOTS, DIRECTORY, moment)

    assert said(messages)[: len(normal)] == normal
    assert_notice(messages)
    # After the lines, those lines are whom to call: no town hall competes with them.
    assert CALL_LINES_ABOVE in said(messages)[-1] and "役所" not in said(messages)[-1]
    assert "/continue_consultation" not in buttons(messages)


def test_a_worry_in_a_known_city_gets_that_citys_window_and_phone() -> None:
    slots = {**SLOTS, "city": "ube"}
    route = DIRECTORY.route("ube", ["debt"])
    lead = lead_window(route, route.coordinator)
    phone = lead.contacts_of("phone")[0].shown

    messages = degraded_messages(parse("share_worry", categories=["debt"]), slots, DIRECTORY, DAY)

    assert messages[0] == {"custom": {"city": "ube"}}  # the web page's city first
    answer = "\n".join(said(messages))
    assert lead.name in answer and phone in answer
    assert texts.OFFER_CONTACT not in answer
    assert "/affirm" not in buttons(messages) and "/more_detail" not in buttons(messages)
    assert_notice(messages)


def test_a_worry_without_a_city_asks_for_the_city_last_with_its_buttons() -> None:
    messages = degraded_messages(
        parse("share_worry", categories=["housing"]), SLOTS, DIRECTORY, DAY
    )

    assert messages[-1]["text"] == texts.ASK_CITY
    assert [b["title"] for b in messages[-1]["buttons"]] == [b.title for b in texts.CITY_BUTTONS]
    assert not any("custom" in m for m in messages)
    assert_notice(messages)
    assert "役所" in "\n".join(said(messages))  # a person is reachable without the chat


def test_a_city_button_gets_the_citys_windows_for_the_worry_kept_earlier() -> None:
    slots = {**SLOTS, "city": "ube", "pending_categories": ["housing"]}
    entities = [{"entity": "city", "value": "ube"}]
    messages = degraded_messages(parse("inform_city", entities=entities), slots, DIRECTORY, DAY)
    route = DIRECTORY.route("ube", ["housing"])
    lead = lead_window(route, route.coordinator)
    assert lead.name in "\n".join(said(messages))
    assert_notice(messages)


@pytest.mark.parametrize("code", ["ube", "masuda", "kurume", "fuji"])
def test_asking_for_a_person_with_a_known_city_gives_the_way_in_of_the_directory(code) -> None:
    """Only sourced facts: the city's window with a phone, else the city hall's number, else
    where to ask (久留米市 has no sourced window phone)."""
    city = DIRECTORY.city(code)
    assert city is not None
    sourced = [
        w.contacts_of("phone")[0].shown
        for w in (city.compound_window, city.any_attribute_window)
        if w.contacts_of("phone")
    ]
    hall = city.city_hall.phone()
    sourced += [hall.shown] if hall is not None else []

    messages = degraded_messages(parse("request_human"), {**SLOTS, "city": code}, DIRECTORY, DAY)

    answer = "\n".join(said(messages))
    assert city.any_attribute_window.name in answer
    assert all(number in answer for number in sourced[:1])
    assert "/affirm" not in buttons(messages)
    assert_notice(messages)


# -- which turns are answered ------------------------------------------------------------------


def tracker_with(*events: Any) -> DialogueStateTracker:
    tracker = DialogueStateTracker("resident", Domain.empty().slots)
    for event in events:
        tracker.update(event)
    return tracker


def user(message_id: str = "m1") -> UserUttered:
    return UserUttered("…", parse_data=parse("request_human"), message_id=message_id)  # type: ignore[arg-type]


def test_a_custom_action_that_said_nothing_is_unanswered() -> None:
    tracker = tracker_with(
        user(), ActionExecuted("action_request_human"), ActionExecuted("action_listen")
    )
    found = unanswered_parse(tracker, "m1")
    assert found is not None and found["intent"]["name"] == "request_human"


@pytest.mark.parametrize(
    "events",
    [
        # the action answered
        [ActionExecuted("action_request_human"), BotUttered("はい")],
        # a response from the domain, no custom action: Rasa answered (or meant silence)
        [ActionExecuted("utter_greet"), BotUttered("こんにちは")],
        [ActionExecuted("action_listen")],
    ],
)
def test_a_turn_rasa_answered_is_left_alone(events: list[Any]) -> None:
    assert unanswered_parse(tracker_with(user(), *events), "m1") is None


def test_a_later_message_of_the_same_resident_is_not_answered_twice() -> None:
    tracker = tracker_with(user("m1"), ActionExecuted("action_request_human"), user("m2"))
    assert unanswered_parse(tracker, "m1") is None


# -- the wrapper around Rasa's on_new_message --------------------------------------------------


def served(store: InMemoryTrackerStore) -> SimpleNamespace:
    return SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))


def rasa_with_the_action_server_down(store: InMemoryTrackerStore) -> Any:
    """What Rasa does then: the turn's events are stored (the slot from the entity, the
    failed action logged without its events) and nothing is said."""

    async def handle(message: UserMessage) -> None:
        tracker = DialogueStateTracker(message.sender_id or "", DOMAIN.slots)
        for event in (
            UserUttered(
                message.text,
                parse_data=parse("share_worry", categories=["debt"]),  # type: ignore[arg-type]
                message_id=message.message_id,
            ),
            SlotSet("city", "fuji"),
            ActionExecuted("action_route_worry"),
            ActionExecuted("action_listen"),
        ):
            tracker.update(event)
        await store.save(tracker)

    return handle


async def test_the_wrapper_answers_a_silent_turn_on_the_same_output_channel() -> None:
    store = InMemoryTrackerStore(DOMAIN)
    answers = DegradedAnswers(clock=lambda: DAY)
    answers.use_app(served(store))
    output = CollectingOutputChannel()
    await answers.wrap(rasa_with_the_action_server_down(store))(UserMessage("借金", output, "r1"))

    assert output.messages[0]["custom"] == {"city": "fuji"}
    assert HANDOFF_PAUSED in "\n".join(m.get("text", "") for m in output.messages)
    assert all(m["recipient_id"] == "r1" for m in output.messages)


async def test_the_streaming_rest_variant_is_passed_through() -> None:
    """``?stream=true`` collects in a queue, which cannot be counted: no crash, no answer."""
    store = InMemoryTrackerStore(DOMAIN)
    answers = DegradedAnswers(clock=lambda: DAY)
    answers.use_app(served(store))
    output = QueueOutputChannel()
    await answers.wrap(rasa_with_the_action_server_down(store))(UserMessage("借金", output, "r3"))
    assert output.messages.empty()


async def test_the_wrapper_adds_nothing_when_rasa_answered() -> None:
    store = InMemoryTrackerStore(DOMAIN)

    async def rasa_answering(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id or "", "はい")

    answers = DegradedAnswers(clock=lambda: DAY)
    answers.use_app(served(store))
    output = CollectingOutputChannel()
    await answers.wrap(rasa_answering)(UserMessage("こんにちは", output, "r2"))
    assert [m["text"] for m in output.messages] == ["はい"]
