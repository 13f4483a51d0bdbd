"""The handoff intake: validation with a friendly re-ask, consent, summary, sending, retries."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.intake_submit as intake_actions
from actions.conversation import ActionStartOver
from actions.intake_correct import ActionCorrectIntake
from actions.intake_questions import (
    ActionAskIntakeAbout,
    ActionAskIntakeAge,
    ActionAskIntakeConsent,
    ActionAskIntakeHousehold,
    ValidateIntakeForm,
)
from actions.intake_submit import ActionCancelIntake, ActionIntakeSummary, ActionSubmitIntake
from bot.dialogue.sessions import EARLIER_WORDS_SLOT
from bot.tickets import Outbox, TicketStore, upgrade_database
from bot.tickets.analytics import anonymous_weekly_counts
from bot.tickets.domain import Role
from tests.actions.conftest import make_tracker, slot_events, texts

DOMAIN = {
    "forms": {
        "intake_form": {
            "required_slots": [
                "intake_about",
                "intake_age",
                "intake_household",
                "intake_urgency",
                "intake_contact_method",
                "intake_safe_contact",
                "intake_contact_value",
                "intake_name",
                "intake_consent",
                "intake_meeting_consent",
            ]
        }
    }
}
ANSWERS = {
    "intake_about": "家族",
    "intake_age": "65歳以上",
    "intake_household": "ひとり暮らし",
    "intake_urgency": "今日中",
    "intake_contact_method": "電話",
    "intake_contact_value": "090-1234-5678",
    "intake_name": "たろう",
    "intake_consent": "yes",
    "intake_meeting_consent": "yes",
}
ROUTED = {
    "city": "ube",
    "worries": ["debt", "elderly_care"],
    "routed_windows": ["ube.seikatsu_support", "ube.koureisha_sodan", "ube.fukushi_sogo_sodan"],
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    upgrade_database(url)
    ticket_store = TicketStore(url)
    monkeypatch.setattr(intake_actions, "ticket_store", lambda: ticket_store)
    monkeypatch.setattr(intake_actions, "outbox", lambda: Outbox(tmp_path / "outbox"))
    yield ticket_store
    ticket_store.dispose()


def coordinator(store):
    return store.get_user("coord-ube") or store.create_user(
        "coord-ube", "a-long-password-123", Role.COORDINATOR, "ube"
    )


async def validate(slot, value, dispatcher, **slots):
    tracker = make_tracker(
        str(value),
        "inform",
        slots={**ROUTED, **slots, slot: value},
        requested_slot=slot,
        active_loop="intake_form",
    )
    # As the Rasa server sends it: the slot candidate extracted from the message comes last.
    tracker.events.append({"event": "slot", "name": slot, "value": value})
    events = await ValidateIntakeForm().get_validation_events(dispatcher, tracker, DOMAIN)
    return slot_events(events)


async def test_an_invalid_phone_is_asked_again_with_a_hint_then_left_empty(dispatcher):
    first = await validate(
        "intake_contact_value", "12345", dispatcher, intake_contact_method="電話"
    )
    assert first["intake_contact_value"] is None
    assert first["intake_retries"] == 1.0
    assert "0から始まる10けたか11けた" in texts(dispatcher)
    second = await validate(
        "intake_contact_value",
        "まだ持っていない",
        dispatcher,
        intake_contact_method="電話",
        intake_retries=1.0,
    )
    assert second["intake_contact_value"] == "skipped"
    assert "とばして" in texts(dispatcher)


async def test_full_width_digits_are_a_valid_phone(dispatcher):
    result = await validate(
        "intake_contact_value",
        "０９０ー１２３４ー５６７８",
        dispatcher,
        intake_contact_method="電話",
    )
    assert result["intake_contact_value"] == "090-1234-5678"


async def test_email_is_checked_for_its_form(dispatcher):
    bad = await validate(
        "intake_contact_value", "taro@", dispatcher, intake_contact_method="メール"
    )
    good = await validate(
        "intake_contact_value", "ｔａｒｏ@example.jp", dispatcher, intake_contact_method="メール"
    )
    assert bad["intake_contact_value"] is None
    assert good["intake_contact_value"] == "taro@example.jp"


@pytest.mark.parametrize(
    ("typed", "method", "value"),
    [
        ("090-1111-2222", "電話", "090-1111-2222"),
        ("０９０１１１１２２２２", "電話", "090-1111-2222"),
        ("taro@example.jp", "メール", "taro@example.jp"),
    ],
)
async def test_a_number_or_address_typed_for_the_method_answers_both(
    dispatcher, typed, method, value
):
    """Asked 「どの方法がよいですか？」, many residents type the number itself: it was not
    understood, asked again, then skipped, and the number landed in the next question (the
    teen's request could be sent as 電話 with no number). It answers both questions now."""
    result = await validate("intake_contact_method", typed, dispatcher)
    assert result["intake_contact_method"] == method
    assert result["intake_contact_value"] == value
    assert "読み取れません" not in texts(dispatcher)


async def test_free_words_are_read_into_the_choices(dispatcher):
    assert (await validate("intake_about", "息子のことです", dispatcher))["intake_about"] == "家族"
    assert (await validate("intake_age", "70代", dispatcher))["intake_age"] == "65歳以上"
    assert (await validate("intake_urgency", "すぐにでも", dispatcher))[
        "intake_urgency"
    ] == "今日中"


async def test_line_users_are_not_asked_for_a_contact_they_already_gave(dispatcher):
    tracker = make_tracker(
        "LINE", "inform", slots={"intake_contact_method": "LINE"}, input_channel="line"
    )
    required = await ValidateIntakeForm().required_slots(
        DOMAIN["forms"]["intake_form"]["required_slots"], dispatcher, tracker, DOMAIN
    )
    assert "intake_contact_value" not in required


def test_consent_question_names_the_windows_that_will_receive_it(dispatcher):
    ActionAskIntakeConsent().run(dispatcher, make_tracker("", "inform", slots=ROUTED), {})
    said = texts(dispatcher)
    assert "宇部市" in said and "生活相談サポートセンターうべ" in said
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == ["同意する", "同意しない"]


def test_summary_shows_every_answer_before_sending(dispatcher, store):
    events = ActionIntakeSummary().run(
        dispatcher, make_tracker("", "inform", slots={**ROUTED, **ANSWERS}), {}
    )
    said = texts(dispatcher)
    for value in ("家族", "65歳以上", "090-1234-5678", "たろう", "福祉総合相談センター"):
        assert value in said
    assert "この内容で送ってよいですか" in said
    assert slot_events(events)["awaiting"] == "intake_confirm"


def test_without_consent_only_a_count_is_kept_and_the_windows_are_given(dispatcher, store):
    slots = {**ROUTED, **ANSWERS, "intake_consent": "no"}
    events = ActionIntakeSummary().run(dispatcher, make_tracker("", "deny", slots=slots), {})
    assert "0836-43-7440" in texts(dispatcher)
    assert store.list(coordinator(store)) == []
    counts = anonymous_weekly_counts(store, city="ube")
    assert sorted(c.category for c in counts) == ["debt", "elderly_care"]
    assert slot_events(events)["intake_contact_value"] is None  # forgotten


INTAKE_ID = "0b6c0a52-8d7e-4f0e-9a57-2f4f7f3a9c11"


async def test_sending_creates_one_urgent_ticket_even_when_retried(dispatcher, store):
    slots = {
        **ROUTED,
        **ANSWERS,
        "crisis_detected": True,
        "awaiting": "intake_confirm",
        "intake_id": INTAKE_ID,
    }
    tracker = make_tracker(
        "はい", "affirm", slots=slots, history=["母の介護と借金で困っています", "/affirm"]
    )
    events = await ActionSubmitIntake().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "受付番号は UBE-" in said
    tickets = store.list(coordinator(store))
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket.priority.value == "urgent"
    assert ticket.summary.contact_value == "090-1234-5678"
    assert ticket.consent.support_meeting is True
    assert [m.text for m in ticket.messages] == ["母の介護と借金で困っています", "はい"]
    assert slot_events(events)["intake_id"] is None  # the next intake gets its own key
    # Sent: 「電話お願いします」 afterwards means "as arranged", not "offer it again".
    assert slot_events(events)["intake_sent"] is True
    # The same submission retried (same tracker, same intake_id): no duplicate.
    await ActionSubmitIntake().run(dispatcher, tracker, {})
    assert len(store.list(coordinator(store))) == 1


async def test_the_receipt_does_not_offer_the_contact_just_arranged(dispatcher, store):
    """久留米 windows have no sourced phone: their block ends with 「…の職員から連絡してもらう
    こともできます」, which under 「受付番号は…」 made residents wonder whether it was sent."""
    slots = {
        **ANSWERS,
        "city": "kurume",
        "worries": ["income"],
        "routed_windows": ["kurume.seikatsu_jiritsu"],
        "awaiting": "intake_confirm",
    }
    await ActionSubmitIntake().run(dispatcher, make_tracker("はい", "affirm", slots=slots), {})
    said = texts(dispatcher)
    assert "受付番号は KURUME-" in said
    assert "連絡してもらうこともできます" not in said


async def test_an_unreachable_store_keeps_the_intake_in_the_outbox(
    dispatcher, tmp_path, monkeypatch
):
    broken = TicketStore("postgresql+psycopg2://postgres@127.0.0.1:1/none")
    monkeypatch.setattr(intake_actions, "ticket_store", lambda: broken)
    monkeypatch.setattr(intake_actions, "outbox", lambda: Outbox(tmp_path / "outbox"))
    tracker = make_tracker("はい", "affirm", slots={**ROUTED, **ANSWERS})
    events = await ActionSubmitIntake().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "なくさずに保存しました" in said
    assert slot_events(events)["intake_sent"] is True  # queued: staff will have it
    assert "0836-43-7440" in said  # the window's direct contact
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 1


def test_cancelling_sends_nothing_and_counts_anonymously(dispatcher, store):
    events = ActionCancelIntake().run(
        dispatcher, make_tracker("いいえ", "deny", slots={**ROUTED, **ANSWERS}), {}
    )
    assert "送っていません" in texts(dispatcher)
    assert store.list(coordinator(store)) == []
    assert anonymous_weekly_counts(store, city="ube")
    assert slot_events(events)["intake_name"] is None


def test_stopping_the_intake_counts_as_declining_the_offer(dispatcher, store):
    """Cancelled, or no consent: 「やっぱりお願いします」 afterwards makes the offer again, as
    after 「今はいいです」 (bot.dialogue.offer_answer); a sent intake does not count."""
    cancelled = ActionCancelIntake().run(
        dispatcher, make_tracker("やめます", "stop", slots={**ROUTED, **ANSWERS}), {}
    )
    assert slot_events(cancelled)["offer_declined"] is True
    no_consent = {**ROUTED, **ANSWERS, "intake_consent": False}
    summary = ActionIntakeSummary().run(dispatcher, make_tracker("", "deny", slots=no_consent), {})
    assert slot_events(summary)["offer_declined"] is True


def test_correcting_a_field_forgets_only_that_answer(dispatcher):
    tracker = make_tracker(
        '/correct_field{"intake_field": "intake_contact_method"}',
        "correct_field",
        slots={**ROUTED, **ANSWERS},
        entities=[{"entity": "intake_field", "value": "intake_contact_method"}],
    )
    events = slot_events(ActionCorrectIntake().run(dispatcher, tracker, {}))
    assert events == {
        "intake_contact_method": None,
        "intake_retries": 0.0,
        "intake_contact_value": None,
    }


ABUSE_ROUTED = {
    "city": "kurume",
    "worries": ["abuse_dv"],
    "routed_windows": ["kurume.takikan_kyodo"],
    "crisis_detected": True,
    "crisis_kind": "abuse",
}


async def test_abuse_asks_when_it_is_safe_to_call_and_other_worries_do_not(dispatcher):
    """A call or voicemail at the wrong time can put a DV victim in danger."""
    form = ValidateIntakeForm()
    slots = DOMAIN["forms"]["intake_form"]["required_slots"]
    abuse = make_tracker("電話", "inform", slots={**ABUSE_ROUTED, "intake_contact_method": "電話"})
    debt = make_tracker("電話", "inform", slots={**ROUTED, "intake_contact_method": "電話"})
    visit = make_tracker(
        "窓口に行く", "inform", slots={**ABUSE_ROUTED, "intake_contact_method": "窓口に行く"}
    )
    assert "intake_safe_contact" in await form.required_slots(slots, dispatcher, abuse, DOMAIN)
    assert "intake_safe_contact" not in await form.required_slots(slots, dispatcher, debt, DOMAIN)
    assert "intake_safe_contact" not in await form.required_slots(slots, dispatcher, visit, DOMAIN)


async def test_the_safe_contact_answer_is_kept_in_the_residents_words(dispatcher):
    value = "平日の昼12時〜13時なら大丈夫。留守電は残さないで"
    slots = await validate("intake_safe_contact", value, dispatcher, **ABUSE_ROUTED)
    assert slots["intake_safe_contact"] == value


async def test_the_ticket_carries_the_safe_contact_answer_and_the_kind(dispatcher, store):
    answers = {
        **ANSWERS,
        "intake_safe_contact": "夜は夫がいるので電話しないで。平日10時〜12時なら安全",
    }
    slots = {**ABUSE_ROUTED, **answers, "awaiting": "intake_confirm"}
    summary = make_tracker("", "inform", slots=slots)
    ActionIntakeSummary().run(dispatcher, summary, {})
    assert "安全に連絡できる時間・方法: 夜は夫がいるので" in texts(dispatcher)
    tracker = make_tracker("はい", "affirm", slots=slots, history=["夫に殴られて逃げてきた"])
    await ActionSubmitIntake().run(dispatcher, tracker, {})
    ticket = store.list(
        store.get_user("coord-kurume")
        or store.create_user("coord-kurume", "a-long-password-123", Role.COORDINATOR, "kurume")
    )[0]
    assert ticket.summary.safe_contact.startswith("夜は夫がいるので電話しないで")
    assert ticket.crisis_kind == "abuse"
    assert ticket.priority.value == "urgent"


# --- one key per intake: a second consultation is never swallowed by the first ------------

SLOT_INITIAL = {"intake_retries": 0.0}


def _apply(slots: dict, events: list[dict]) -> dict:
    """What the Rasa server does with an action's events: set slots, or reset them all."""
    slots = dict(slots)
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
        elif event.get("event") == "reset_slots":
            slots = dict(SLOT_INITIAL)
    return slots


async def _one_consultation(dispatcher, slots: dict, words: str) -> tuple[dict, str]:
    """Routed worry → the form asks its first question → answers → 「この内容で送る」."""
    slots = {**slots, **ROUTED}
    ask = ActionAskIntakeAbout().run(dispatcher, make_tracker("はい", "affirm", slots=slots), {})
    slots = _apply(slots, ask)
    slots = {**slots, **ANSWERS, "awaiting": "intake_confirm"}
    tracker = make_tracker("はい", "affirm", slots=slots, history=[words])
    sent = await ActionSubmitIntake().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    dispatcher.messages.clear()
    return _apply(slots, sent), said


def _start_over(dispatcher, slots: dict) -> dict:
    """「最初から」: the real start-over action, applied as the server applies it."""
    events = ActionStartOver().run(
        dispatcher, make_tracker("最初から", "start_over", slots=slots), {}
    )
    dispatcher.messages.clear()
    return _apply(slots, events)


def _new_session(_dispatcher, _slots: dict) -> dict:
    """60 idle minutes: Rasa starts a new session, slots back to their initial values."""
    return dict(SLOT_INITIAL)


def _server_restart(_dispatcher, _slots: dict) -> dict:
    """Trackers kept in memory are gone: the next message starts from nothing."""
    return {}


@pytest.mark.parametrize("between", [_start_over, _new_session, _server_restart])
async def test_a_second_consultation_from_the_same_resident_gets_its_own_ticket(
    dispatcher, store, between
):
    slots, first_said = await _one_consultation(
        dispatcher, dict(SLOT_INITIAL), "借金で困っています"
    )
    slots = between(dispatcher, slots)
    _, second_said = await _one_consultation(dispatcher, slots, "母の介護がつらいです")
    tickets = store.list(coordinator(store))
    assert len(tickets) == 2, "the second consultation must be stored, not answered with the first"
    first_ref, second_ref = sorted(t.reference for t in tickets)
    assert first_ref in first_said and second_ref in second_said
    assert second_ref not in first_said and first_ref not in second_said


async def test_two_intakes_in_one_conversation_give_two_tickets(dispatcher, store):
    slots, _ = await _one_consultation(dispatcher, dict(SLOT_INITIAL), "借金で困っています")
    assert slots.get("intake_id") is None, "the key is forgotten once the intake is sent"
    await _one_consultation(dispatcher, slots, "母の介護がつらいです")
    assert len(store.list(coordinator(store))) == 2


def test_the_key_is_set_once_when_the_questions_start_and_kept_while_they_go_on(dispatcher):
    first = slot_events(
        ActionAskIntakeAbout().run(dispatcher, make_tracker("はい", "affirm", slots=ROUTED), {})
    )
    key = first["intake_id"]
    assert len(key) == 36  # a UUID: unique without a counter that can be reset
    later = make_tracker("家族", "inform", slots={**ROUTED, "intake_id": key})
    assert "intake_id" not in slot_events(ActionAskIntakeAge().run(dispatcher, later, {}))
    correcting = make_tracker("", "inform", slots={**ROUTED, **ANSWERS, "intake_id": key})
    assert "intake_id" not in slot_events(ActionCorrectIntake().run(dispatcher, correcting, {}))


@pytest.mark.parametrize("ending", ["cancel", "decline"])
def test_the_key_is_forgotten_when_the_intake_ends_without_sending(dispatcher, store, ending):
    slots = {**ROUTED, **ANSWERS, "intake_id": "3f1c6a2e-0000-4000-8000-000000000001"}
    if ending == "cancel":
        events = ActionCancelIntake().run(dispatcher, make_tracker("", "deny", slots=slots), {})
    else:
        slots["intake_consent"] = "no"
        events = ActionIntakeSummary().run(dispatcher, make_tracker("", "deny", slots=slots), {})
    assert slot_events(events)["intake_id"] is None


async def test_an_intake_without_its_id_is_still_stored(dispatcher, store):
    """An empty id slot is a bug (the first question sets it), but the intake is not lost."""
    tracker = make_tracker("はい", "affirm", slots={**ROUTED, **ANSWERS}, history=["借金の相談"])
    await ActionSubmitIntake().run(dispatcher, tracker, {})
    assert len(store.list(coordinator(store))) == 1
    assert "受付番号は UBE-" in texts(dispatcher)


async def test_a_full_disk_while_the_database_is_down_is_told_honestly(
    dispatcher, tmp_path, monkeypatch
):
    """Nothing was kept: the resident must not be told it will be forwarded."""
    broken = TicketStore("postgresql+psycopg2://postgres@127.0.0.1:1/none")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")  # the outbox path is a file: writing fails
    monkeypatch.setattr(intake_actions, "ticket_store", lambda: broken)
    monkeypatch.setattr(intake_actions, "outbox", lambda: Outbox(blocker / "outbox"))
    slots = {**ROUTED, **ANSWERS, "intake_id": INTAKE_ID}
    events = await ActionSubmitIntake().run(
        dispatcher, make_tracker("はい", "affirm", slots=slots), {}
    )
    said = texts(dispatcher)
    assert "うまく保存できませんでした" in said
    assert "なくさずに保存しました" not in said
    assert "0836-43-7440" in said  # the window's direct contact
    assert slot_events(events)["awaiting"] is None
    broken.dispose()


def _asked(action, dispatcher, *, slots=None, told=None):
    tracker = make_tracker(
        "答え", "inform", slots={**ROUTED, **(slots or {})}, active_loop="intake_form"
    )
    if told:  # the worry, as the resident told it before the questions began
        tracker.events.insert(
            0,
            {
                "event": "user",
                "text": told,
                "timestamp": 1_790_000_000.0,
                "parse_data": {"worry_categories": {"categories": ["debt"], "confidence": {}}},
            },
        )
    action.run(dispatcher, tracker, DOMAIN)
    return texts(dispatcher)


@pytest.mark.parametrize("action", [ActionAskIntakeAge(), ActionAskIntakeHousehold()])
def test_questions_say_anata_when_the_worry_is_the_residents_own(dispatcher, action):
    text = _asked(action, dispatcher, slots={"intake_about": "本人"})
    assert "あなた" in text and "その方" not in text


@pytest.mark.parametrize("action", [ActionAskIntakeAge(), ActionAskIntakeHousehold()])
def test_questions_say_sono_kata_when_the_worry_is_someone_elses(dispatcher, action):
    text = _asked(action, dispatcher, slots={"intake_about": "家族"})
    assert "その方" in text and "あなた" not in text


def test_before_the_first_answer_the_worry_as_told_decides(dispatcher):
    own = _asked(ActionAskIntakeAge(), dispatcher, told="わたし、借金が返せなくて")
    assert "あなた" in own and "その方" not in own
    other = _asked(ActionAskIntakeAge(), CollectingDispatcher(), told="母が借金を")
    assert "その方" in other


async def test_an_age_given_to_the_household_question_is_asked_again(dispatcher):
    result = await validate("intake_household", "６８歳", dispatcher, intake_age="65歳以上")
    assert result["intake_household"] is None and result["intake_retries"] == 1.0
    assert "暮らして" in texts(dispatcher)
    kept = await validate("intake_household", "ﾊﾊﾄﾌﾀﾘ", CollectingDispatcher())
    assert kept["intake_household"] == "ハハトフタリ"


async def test_ages_in_kana_land_in_their_band(dispatcher):
    result = await validate("intake_age", "ｻﾝｼﾞｭｳﾊｯｻｲ", dispatcher)
    assert result["intake_age"] == "20〜39歳"


def test_cancelling_gives_one_window_to_call_not_every_window(dispatcher, store):
    """After 「やめます」 the resident wants out: one window with its phone (two full blocks,
    485 characters, were shown before); the way to a person stays."""
    ActionCancelIntake().run(
        dispatcher, make_tracker("やめます", "stop", slots={**ROUTED, **ANSWERS}), {}
    )
    said = texts(dispatcher)
    assert said.count("「") - said.count("「答えたくない」") == 1, said
    assert "電話" in said


async def test_a_ticket_after_a_new_session_shows_the_words_of_the_sessions_before(
    dispatcher, store
):
    """A long conversation moved to a new session (bot.dialogue.sessions): staff still read
    the first message, then this session's, in order."""
    carried = [
        {"text": "母の介護と借金で困っています", "at": 1_789_000_000.0, "told_worry": True},
        {"text": "窓口は土曜もあいていますか", "at": 1_789_000_060.0, "told_worry": False},
    ]
    slots = {
        **ROUTED,
        **ANSWERS,
        "awaiting": "intake_confirm",
        "intake_id": "5d0e3c1a-2b4f-4c6d-8e9f-0a1b2c3d4e5f",
        EARLIER_WORDS_SLOT: carried,
    }
    tracker = make_tracker("はい", "affirm", slots=slots, history=["人と話したい", "/affirm"])
    await ActionSubmitIntake().run(dispatcher, tracker, {})
    ticket = store.list(coordinator(store))[0]
    assert [m.text for m in ticket.messages] == [
        "母の介護と借金で困っています",
        "窓口は土曜もあいていますか",
        "人と話したい",
        "はい",
    ]
    assert "母の介護と借金で困っています" in ticket.summary.worry_text_summary


def test_whose_worry_is_read_from_the_sessions_before_too(dispatcher):
    """The worry was told before the session moved on: the questions still say その方."""
    carried = [{"text": "母が借金を返せなくて困っています", "at": 1.0, "told_worry": True}]
    tracker = make_tracker("人と話したい", "request_human", slots={EARLIER_WORDS_SLOT: carried})
    ActionAskIntakeAge().run(dispatcher, tracker, DOMAIN)
    assert "その方" in texts(dispatcher)


def test_starting_over_keeps_the_words_of_the_sessions_before(dispatcher):
    """「最初から」 forgets the state, not what the resident said: a later ticket still shows
    the words from before the session moved on, as it shows this session's."""
    carried = [{"text": "母の介護と借金で困っています", "at": 1.0, "told_worry": True}]
    slots = {**ROUTED, EARLIER_WORDS_SLOT: carried}
    tracker = make_tracker("最初から", "start_over", slots=slots)
    events = ActionStartOver().run(dispatcher, tracker, {})
    after = _apply(slots, events)
    assert after.get("city") is None and not after.get("worries")
    assert after[EARLIER_WORDS_SLOT] == carried
