"""A city corrected during the intake: the actions, with real trackers, follow the new city.

Mid-intake the form is asking its questions (or showing the summary) when the resident writes
「やっぱり久留米市です」. The ``city`` slot already holds the new city (the entity mapping runs
first); the first city's windows are still stored. From then on the replies, the consent
question, the summary and the ticket (its city and every window id) are the new city's.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
import yaml

import actions.intake_submit as intake_actions
from actions.city import ActionAskCity, ActionSetCity
from actions.intake_questions import ActionAskIntakeConsent, ValidateIntakeForm
from actions.intake_submit import ActionIntakeSummary, ActionSubmitIntake
from bot.dialogue import ConversationState, on_city, on_worry
from bot.directory import load_directory
from bot.intake.questions import consent_question
from bot.nlu.categories import CATEGORIES
from bot.settings import PROJECT_ROOT
from bot.tickets import Outbox, TicketStore, submit, upgrade_database
from tests.actions.conftest import make_tracker, slot_events, texts
from tests.dialogue.test_city_change_property import assert_nothing_foreign

DIRECTORY = load_directory()
# The real domain: the form's questions in the order Rasa asks them.
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
FORM_SLOTS = DOMAIN["forms"]["intake_form"]["required_slots"]
CITY_CODES = tuple(city.code for city in DIRECTORY.cities)
ANSWERS = {
    "intake_about": "家族",
    "intake_age": "65歳以上",
    "intake_household": "ひとり暮らし",
    "intake_urgency": "今週中",
    "intake_contact_method": "電話",
    "intake_contact_value": "090-1234-5678",
    "intake_name": "たろう",
    "intake_consent": "yes",
    "intake_meeting_consent": "no",
}


@pytest.fixture
def sent(tmp_path, monkeypatch):
    """The real store on SQLite; each submission handed to it is kept to compare."""
    url = f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    upgrade_database(url)
    store = TicketStore(url)
    submissions = []

    def submit_and_keep(submission, ticket_store, outbox):
        submissions.append(submission)
        return submit(submission, ticket_store, outbox)

    monkeypatch.setattr(intake_actions, "ticket_store", lambda: store)
    monkeypatch.setattr(intake_actions, "outbox", lambda: Outbox(tmp_path / "outbox"))
    monkeypatch.setattr(intake_actions, "submit", submit_and_keep)
    yield store, submissions
    store.dispose()


def first_city_slots(first: str, category: str) -> dict:
    asked = on_worry(ConversationState(), [category], DIRECTORY)
    return on_city(asked.state, first, DIRECTORY).state.as_slots()


def correction(new_city: str, slots: dict, **form) -> tuple:
    name = DIRECTORY.city(new_city).name if new_city != "other" else "静岡市"
    entity = {"entity": "city", "value": new_city, "start": 4, "end": 4 + len(name)}
    tracker = make_tracker(
        f"やっぱり{name}です",
        "inform_city",
        slots={**slots, "city": new_city},  # filled from the entity before the action runs
        entities=[entity],
        **form,
    )
    return tracker


def merged(slots: dict, events: list) -> dict:
    return {**slots, **slot_events(events)}


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(CITY_CODES, 2)))
async def test_a_city_changed_during_the_questions_sends_the_ticket_to_the_new_city(
    first, second, sent, dispatcher
):
    store, submissions = sent
    for category in CATEGORIES:
        slots = {**first_city_slots(first, category), "intake_about": "家族"}
        tracker = correction(second, slots, active_loop="intake_form", requested_slot="intake_age")
        events = ActionSetCity().run(dispatcher, tracker, {})
        slots = merged({**slots, "city": second}, events)
        # The consent question, once the form gets there.
        consent = make_tracker("ひとり暮らし", "inform", slots=slots, active_loop="intake_form")
        ActionAskIntakeConsent().run(dispatcher, consent, {})
        slots = {**slots, **ANSWERS, "intake_id": str(uuid.uuid4())}
        summary = make_tracker("/affirm", "affirm", slots=slots)
        slots = merged(slots, ActionIntakeSummary().run(dispatcher, summary, {}))
        assert slots["awaiting"] == "intake_confirm"
        confirm = make_tracker("はい", "affirm", slots=slots, history=["借金で困っています"])
        await ActionSubmitIntake().run(dispatcher, confirm, {})
        said = texts(dispatcher)
        assert DIRECTORY.city(second).name in said
        assert_nothing_foreign(said, second, f"{first}->{second}, {category}")
        dispatcher.messages.clear()
        submission = submissions[-1]
        assert submission.city == second
        assert submission.window_ids and all(
            DIRECTORY.window(w).city_code == second for w in submission.window_ids
        )
        ticket = store.get_by_idempotency_key(submission.idempotency_key)
        assert ticket is not None, f"{first}->{second}, {category}: no ticket stored"
        assert ticket.city == second
        assert all(w.startswith(f"{second}.") for w in ticket.window_ids)


async def next_question(slots: dict, dispatcher, *, starting: bool) -> str | None:
    """The question the form asks next, chosen as Rasa has the validation action choose it.

    Rasa runs the form after the city action: a form still running (during the questions)
    calls the validation action with no new answer; a form started again (at the summary)
    calls it with the answers already given as candidates at the end of the tracker. The
    slot it requests is the next question; when it requests none, every slot of the domain
    is required and Rasa takes the domain's order.
    """
    tracker = make_tracker(
        "やっぱり",
        "inform_city",
        slots=slots,
        active_loop="intake_form",
        requested_slot=slots.get("requested_slot"),
    )
    tracker.events.append({"event": "action", "name": "intake_form"})
    kept = {n: v for n, v in slots.items() if n in FORM_SLOTS and v is not None}
    if starting:
        tracker.events += [{"event": "slot", "name": n, "value": v} for n, v in kept.items()]
    chosen = slot_events(await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN))
    if "requested_slot" not in chosen:
        return next((name for name in FORM_SLOTS if name not in kept), None)
    return chosen["requested_slot"]


async def consent_asked_again_then_sent(first, second, slots, events, dispatcher, submissions):
    """After the change: consent asked again for the new windows, then the summary, the ticket.

    Returns the consent question, for the caller to compare with what the ticket carries.
    """
    changed = slot_events(events)
    assert changed["intake_consent"] is None and changed["intake_meeting_consent"] is None
    # At the summary the form had ended: the action starts it again.
    starting = any(e.get("event") == "followup" and e["name"] == "intake_form" for e in events)
    assert starting == (slots.get("awaiting") == "intake_confirm"), "the form would not ask"
    slots = merged({**slots, "city": second}, events)
    assert await next_question(slots, dispatcher, starting=starting) == "intake_consent"
    dispatcher.messages.clear()
    ActionAskIntakeConsent().run(dispatcher, make_tracker("", "inform_city", slots=slots), {})
    question = texts(dispatcher)
    slots = {**slots, "intake_consent": "yes", "intake_meeting_consent": "no"}
    summary = make_tracker("同意しない", "deny", slots=slots)
    slots = merged(slots, ActionIntakeSummary().run(dispatcher, summary, {}))
    assert slots["awaiting"] == "intake_confirm"
    confirm = make_tracker("はい", "affirm", slots=slots, history=["困っています"])
    await ActionSubmitIntake().run(dispatcher, confirm, {})
    where = f"{first}->{second}"
    assert_nothing_foreign(texts(dispatcher), second, where)
    submission = submissions[-1]
    assert submission.city == second
    agreed = [DIRECTORY.window(w) for w in submission.consent.window_ids]
    city = DIRECTORY.city(second)
    assert question == consent_question(city.name, [w.name for w in agreed]), (
        f"{where}: the ticket's consent is not the one the resident was asked for"
    )
    assert all(w.city_code == second for w in agreed), where
    return question


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(CITY_CODES, 2)))
async def test_a_city_changed_after_consent_asks_consent_again_for_the_new_windows(
    first, second, sent, dispatcher
):
    """Consent given to the first city's windows, then 「やっぱり…です」 at the next question."""
    _, submissions = sent
    category = CATEGORIES[(CITY_CODES.index(first) + CITY_CODES.index(second)) % len(CATEGORIES)]
    slots = {**first_city_slots(first, category), **ANSWERS, "intake_id": str(uuid.uuid4())}
    slots["intake_meeting_consent"] = None  # consent given, the meeting question is open
    tracker = correction(
        second, slots, active_loop="intake_form", requested_slot="intake_meeting_consent"
    )
    events = ActionSetCity().run(dispatcher, tracker, {})
    slots["requested_slot"] = "intake_meeting_consent"
    await consent_asked_again_then_sent(first, second, slots, events, dispatcher, submissions)


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(CITY_CODES, 2)))
async def test_a_city_changed_at_the_summary_asks_consent_again_then_sends_to_the_new_city(
    first, second, sent, dispatcher
):
    _, submissions = sent
    category = CATEGORIES[(CITY_CODES.index(first) + CITY_CODES.index(second)) % len(CATEGORIES)]
    slots = {
        **first_city_slots(first, category),
        **ANSWERS,
        "awaiting": "intake_confirm",
        "intake_id": str(uuid.uuid4()),
    }
    events = ActionSetCity().run(dispatcher, correction(second, slots), {})
    said = texts(dispatcher)
    assert "送る内容の確認です。" not in said, "no summary before the new consent"
    assert slot_events(events)["awaiting"] is None, "the old summary can no longer be sent"
    await consent_asked_again_then_sent(first, second, slots, events, dispatcher, submissions)


@pytest.mark.parametrize("first", CITY_CODES)
def test_another_municipality_during_the_intake_ends_it_and_gives_no_city_window(first, dispatcher):
    slots = {**first_city_slots(first, "debt"), "intake_about": "家族"}
    tracker = correction("other", slots, active_loop="intake_form", requested_slot="intake_age")
    events = ActionSetCity().run(dispatcher, tracker, {})
    assert_nothing_foreign(texts(dispatcher), "other", f"{first}->other")
    changed = slot_events(events)
    assert changed["intake_about"] is None and changed["awaiting"] is None
    assert all(DIRECTORY.window(w).city_code == "generic" for w in changed["routed_windows"])


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(CITY_CODES, 2)))
def test_the_consent_question_follows_the_city_even_when_the_form_took_the_message(
    first, second, dispatcher
):
    """The correction read as an answer (no city action ran): the windows still follow."""
    slots = {**first_city_slots(first, "housing"), "city": second}
    tracker = make_tracker("はい", "inform", slots=slots, active_loop="intake_form")
    ActionAskIntakeConsent().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert DIRECTORY.city(second).name in said
    assert_nothing_foreign(said, second, f"{first}->{second}")


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(CITY_CODES, 2)))
async def test_yes_with_a_new_city_at_the_summary_sends_nothing_and_asks_consent_again(
    first, second, sent, dispatcher
):
    """「はい、久留米市です」 read as yes: the summary confirmed named the first city's windows."""
    _, submissions = sent
    category = CATEGORIES[(CITY_CODES.index(first) + CITY_CODES.index(second)) % len(CATEGORIES)]
    slots = {
        **first_city_slots(first, category),
        **ANSWERS,
        "awaiting": "intake_confirm",
        "intake_id": str(uuid.uuid4()),
    }
    name = DIRECTORY.city(second).name
    entity = {"entity": "city", "value": second, "start": 3, "end": 3 + len(name)}
    confirm = make_tracker(
        f"はい、{name}です", "affirm", slots={**slots, "city": second}, entities=[entity]
    )
    events = await ActionSubmitIntake().run(dispatcher, confirm, {})
    assert submissions == [], "sent to windows the resident did not confirm"
    said = texts(dispatcher)
    assert name in said and "受付番号" not in said
    assert_nothing_foreign(said, second, f"{first}->{second}, yes at the summary")
    assert slot_events(events)["awaiting"] is None
    await consent_asked_again_then_sent(first, second, slots, events, dispatcher, submissions)


def page_cities(dispatcher) -> list:
    """The ``{"city": …}`` custom messages the web page follows (``bot.dialogue.page_city``)."""
    return [m["custom"]["city"] for m in dispatcher.messages if m.get("custom")]


@pytest.mark.parametrize("second", ["masuda", "other"])
def test_a_corrected_city_is_told_to_the_page(second, dispatcher):
    """「市をまちがえました、益田です」: the page's heading and crisis link must follow, so the
    turn carries the current city for it (another municipality: ``other``)."""
    slots = first_city_slots("ube", "housing")
    ActionSetCity().run(dispatcher, correction(second, slots), {})
    assert page_cities(dispatcher) == [second]
    assert dispatcher.messages[0].get("custom")  # first: the replies' buttons stay last


def test_the_first_city_is_told_to_the_page_and_no_city_tells_nothing(dispatcher):
    entity = {"entity": "city", "value": "fuji"}
    tracker = make_tracker("/inform_city", "inform_city", slots={"city": "fuji"}, entities=[entity])
    ActionSetCity().run(dispatcher, tracker, {})
    assert page_cities(dispatcher) == ["fuji"]
    dispatcher.messages.clear()
    ActionAskCity().run(dispatcher, make_tracker("どこ", "inform_city"), {})
    assert page_cities(dispatcher) == []


@pytest.mark.parametrize("active_loop", [None, "intake_form"])
def test_inform_city_with_no_city_read_keeps_the_city(dispatcher, active_loop):
    """「やっぱりやめます」 was classified inform_city with no city in it, and the bot moved the
    resident to その他の市町村, taking away their city's windows and the staff offer. No city
    read means no change: outside the questions the bot asks which city, in them it goes on."""
    slots = first_city_slots("ube", "housing")
    tracker = make_tracker(
        "やっぱりやめます",
        "inform_city",
        slots=slots,
        active_loop=active_loop,
        requested_slot="intake_age" if active_loop else None,
    )
    events = ActionSetCity().run(dispatcher, tracker, {})
    after = merged(slots, events)
    said = texts(dispatcher)
    assert after["city"] == "ube"
    assert after["routed_windows"] == slots["routed_windows"]
    assert "その他の市町村" not in said
