"""The LINE webhook end to end: signature, events, replies and pushes via a fake LINE API."""

from __future__ import annotations

import time

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    LineHarness,
    make_event,
    webhook_body,
)

from bot.channels.line import LineInput
from bot.channels.line_events import GREET_PAYLOAD
from bot.channels.line_texts import ONE_TO_ONE_ONLY, TEMPORARY_FAILURE


async def test_valid_signature_is_accepted_and_reaches_the_bot(harness: LineHarness) -> None:
    status, _ = await harness.client.post_events(make_event(text="家賃が払えません"))
    await harness.settle()

    assert status == 200
    assert harness.bot.texts == ["家賃が払えません"]
    message = harness.bot.received[0]
    assert message.sender_id == USER_ID
    assert message.input_channel == "line"
    assert message.metadata["line"]["event_type"] == "message"
    [call] = harness.line.calls
    assert call.kind == "reply"
    assert call.body["replyToken"] == "reply-token-1"
    assert call.authorization == f"Bearer {TOKEN}"
    assert call.messages == [{"type": "text", "text": "はい、お聞きします。"}]


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IGEgc2lnbmF0dXJl", "wrong"],
    ids=["missing", "empty", "wrong", "garbage"],
)
async def test_missing_or_wrong_signature_is_refused_and_nothing_processed(
    harness: LineHarness, signature: str | None
) -> None:
    status, _ = await harness.client.post(webhook_body(make_event(text="こんにちは")), signature)
    await harness.settle()

    assert status == 401
    assert harness.bot.received == []
    assert harness.line.calls == []


async def test_signature_of_another_body_is_refused(harness: LineHarness) -> None:
    from bot.line.signature import compute_signature

    signed = webhook_body(make_event(text="a"))
    sent = webhook_body(make_event(text="b"))
    status, _ = await harness.client.post(sent, compute_signature(SECRET, signed))
    await harness.settle()

    assert status == 401
    assert harness.bot.received == []


async def test_empty_events_verify_call_gets_200(harness: LineHarness) -> None:
    status, _ = await harness.client.post(webhook_body())
    await harness.settle()

    assert status == 200
    assert harness.bot.received == [] and harness.line.calls == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"events": 3}'])
async def test_invalid_json_with_valid_signature_is_400(harness: LineHarness, body: bytes) -> None:
    status, _ = await harness.client.post(body)
    await harness.settle()

    assert status == 400
    assert harness.bot.received == [] and harness.line.calls == []


async def test_huge_body_is_413_before_anything_else(harness: LineHarness) -> None:
    body = webhook_body(make_event(text="あ" * 400_000))  # 1.2 MB of UTF-8
    status, _ = await harness.client.post(body)

    assert status == 413
    assert harness.bot.received == []


async def test_unconfigured_channel_refuses_everything(fake_line: FakeLineApi) -> None:
    channel = LineInput(None, None, fake_line.base_url)
    status, _ = channel.accept(webhook_body(make_event(text="x")), "sig", _never_called)
    assert status == 503


async def _never_called(_message: object) -> None:
    raise AssertionError("on_new_message must not be called")


async def test_webhook_answers_before_the_slow_bot_finishes(harness: LineHarness) -> None:
    harness.bot.delay_seconds = 1.5
    started = time.monotonic()
    status, _ = await harness.client.post_events(make_event(text="相談したいです"))
    answered_after = time.monotonic() - started
    assert harness.line.calls == []  # the reply is still being prepared
    await harness.settle()

    assert status == 200
    assert answered_after < 1.0
    assert len(harness.line.calls) == 1


async def test_redelivered_event_is_processed_once(harness: LineHarness) -> None:
    first = make_event(text="お金がありません", event_id="01HREDELIVERED0000000000001")
    again = {**first, "deliveryContext": {"isRedelivery": True}}

    await harness.client.post_events(first)
    await harness.settle()
    await harness.client.post_events(again)
    await harness.settle()

    assert harness.bot.texts == ["お金がありません"]
    assert len(harness.line.calls) == 1


async def test_events_without_id_are_not_mistaken_for_redeliveries(harness: LineHarness) -> None:
    one = make_event(text="一つ目")
    two = make_event(text="二つ目", reply_token="reply-token-2")
    del one["webhookEventId"], two["webhookEventId"]
    await harness.client.post_events(one, two)
    await harness.settle()

    assert harness.bot.texts == ["一つ目", "二つ目"]  # in order


@pytest.mark.parametrize(
    ("message", "expected_word"),
    [
        ({"id": "1", "type": "sticker", "packageId": "446", "stickerId": "1988"}, "スタンプ"),
        ({"id": "2", "type": "image", "contentProvider": {"type": "line"}}, "画像"),
        ({"id": "3", "type": "location", "latitude": 33.9, "longitude": 131.2}, "位置情報"),
        ({"id": "4", "type": "video", "duration": 1000}, "動画"),
        ({"id": "5", "type": "audio", "duration": 1000}, "音声"),
        ({"id": "6", "type": "file", "fileName": "a.pdf", "fileSize": 10}, "ファイル"),
    ],
)
async def test_unreadable_messages_get_a_polite_request_for_words(
    harness: LineHarness, message: dict, expected_word: str
) -> None:
    await harness.client.post_events(make_event(message=message))
    await harness.settle()

    assert harness.bot.received == []
    [call] = harness.line.calls
    assert call.kind == "reply"
    [reply] = call.messages
    assert expected_word in reply["text"]
    assert reply["text"].startswith("ごめんなさい")
    assert "文字で書いてください" in reply["text"]


@pytest.mark.parametrize(
    "source",
    [
        {"type": "group", "groupId": "Cgroup0001", "userId": USER_ID},
        {"type": "room", "roomId": "Rroom0001", "userId": USER_ID},
    ],
    ids=["group", "room"],
)
async def test_group_and_room_get_the_one_to_one_notice_only(
    harness: LineHarness, source: dict
) -> None:
    await harness.client.post_events(make_event(text="相談です", source=source))
    await harness.settle()

    assert harness.bot.received == []
    [call] = harness.line.calls
    assert call.kind == "reply"
    assert call.messages == [{"type": "text", "text": ONE_TO_ONE_ONLY}]
    assert "1対1" in ONE_TO_ONE_ONLY and "友だち追加" in ONE_TO_ONE_ONLY


async def test_group_notice_is_not_repeated_for_every_message(harness: LineHarness) -> None:
    source = {"type": "group", "groupId": "Cgroup0002", "userId": USER_ID}
    await harness.client.post_events(
        make_event(text="一", source=source), make_event(text="二", source=source)
    )
    await harness.settle()

    assert len(harness.line.calls) == 1
    assert harness.bot.received == []


async def test_follow_sends_greet_payload_to_the_bot(harness: LineHarness) -> None:
    harness.bot.responses = lambda text: [{"text": "こんにちは。相談窓口のご案内です。"}]
    await harness.client.post_events(make_event("follow", follow={"isUnblocked": False}))
    await harness.settle()

    assert harness.bot.texts == [GREET_PAYLOAD] == ["/greet"]
    assert harness.line.sent_texts() == ["こんにちは。相談窓口のご案内です。"]


async def test_unfollow_sends_nothing(harness: LineHarness) -> None:
    await harness.client.post_events(make_event("unfollow", reply_token=None))
    await harness.settle()

    assert harness.bot.received == [] and harness.line.calls == []


@pytest.mark.parametrize("payload", ['/inform_city{"city": "ube"}', "/affirm"])
async def test_postback_data_reaches_the_bot_verbatim(harness: LineHarness, payload: str) -> None:
    await harness.client.post_events(make_event("postback", postback={"data": payload}))
    await harness.settle()

    assert harness.bot.texts == [payload]


async def test_buttons_become_quick_replies_on_the_last_message(harness: LineHarness) -> None:
    cities = [
        "宇部市",
        "山口市",
        "下関市",
        "周南市",
        "防府市",
        "岩国市",
        "光市",
        "長門市",
        "柳井市",
        "美祢市",
        "下松市",
        "萩市",
        "山陽小野田市",
        "周防大島町",
        "和木町",
    ]
    buttons = [
        {"title": c, "payload": f'/inform_city{{"city": "{i}"}}'} for i, c in enumerate(cities)
    ]
    buttons[0]["title"] = "宇部市（市役所の福祉総合相談窓口にご案内します）"
    harness.bot.responses = lambda text: [
        {"text": "ご相談ありがとうございます。"},
        {"text": "お住まいの市町を選んでください。", "buttons": buttons},
    ]
    await harness.client.post_events(make_event(text="相談したい"))
    await harness.settle()

    [call] = harness.line.calls
    first, last = call.messages
    assert "quickReply" not in first
    items = last["quickReply"]["items"]
    assert len(items) == 13
    for item, button in zip(items, buttons[:13], strict=True):
        action = item["action"]
        assert action["type"] == "postback"
        assert len(action["label"]) <= 20
        assert action["data"] == button["payload"]
        assert action["displayText"] == button["title"]
    assert items[0]["action"]["label"].startswith("宇部市")
    assert items[0]["action"]["label"].endswith("ます）")


async def test_seven_bot_messages_fit_in_one_reply_without_exceeding_five(
    harness: LineHarness,
) -> None:
    harness.bot.responses = lambda text: [{"text": f"{n}番目のご案内です。"} for n in range(7)]
    await harness.client.post_events(make_event(text="教えてください"))
    await harness.settle()

    assert all(len(call.messages) <= 5 for call in harness.line.calls)
    assert [call.kind for call in harness.line.calls] == ["reply"]
    delivered = "\n\n".join(harness.line.sent_texts())
    assert all(f"{n}番目" in delivered for n in range(7))
    assert delivered.index("0番目") < delivered.index("6番目")


async def test_answers_longer_than_five_messages_are_pushed_after_the_reply(
    harness: LineHarness,
) -> None:
    # Seven near-limit texts cannot be merged: 5 by reply, 2 by push, quick reply at the end.
    harness.bot.responses = lambda text: (
        [{"text": f"{n}" + "あ" * 4000 + "。"} for n in range(6)]
        + [{"text": "6" + "い" * 4000 + "。", "buttons": [{"title": "はい", "payload": "/affirm"}]}]
    )
    await harness.client.post_events(make_event(text="教えてください"))
    await harness.settle()

    assert [call.kind for call in harness.line.calls] == ["reply", "push"]
    assert [len(call.messages) for call in harness.line.calls] == [5, 2]
    push = harness.line.calls[1]
    assert push.body["to"] == USER_ID
    assert push.authorization == f"Bearer {TOKEN}"
    assert "quickReply" in push.messages[-1]
    assert [t[0] for t in harness.line.sent_texts()] == list("0123456")


async def test_rejected_reply_token_falls_back_to_push(harness: LineHarness) -> None:
    harness.line.reject_reply_tokens = True
    await harness.client.post_events(make_event(text="助けてください"))
    await harness.settle()

    assert [call.kind for call in harness.line.calls] == ["reply", "push"]
    assert harness.line.calls[1].body == {
        "to": USER_ID,
        "messages": [{"type": "text", "text": "はい、お聞きします。"}],
    }


async def test_old_event_goes_straight_to_push(harness: LineHarness, clock: list[float]) -> None:
    event_time = 1_718_000_000.0
    clock.append(event_time + 51)  # the bot took longer than the reply token's life
    await harness.client.post_events(make_event(text="遅れて", timestamp_ms=int(event_time * 1000)))
    await harness.settle()

    assert [call.kind for call in harness.line.calls] == ["push"]


async def test_recent_event_uses_the_reply_token(harness: LineHarness, clock: list[float]) -> None:
    event_time = 1_718_000_000.0
    clock.append(event_time + 30)
    await harness.client.post_events(make_event(text="まだ", timestamp_ms=int(event_time * 1000)))
    await harness.settle()

    assert [call.kind for call in harness.line.calls] == ["reply"]


async def test_bot_failure_gets_an_apology_instead_of_silence(harness: LineHarness) -> None:
    harness.bot.fail = True
    await harness.client.post_events(make_event(text="相談"))
    await harness.settle()

    assert harness.line.sent_texts() == [TEMPORARY_FAILURE]


async def test_consultation_text_is_not_logged_at_info(
    harness: LineHarness, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "借金が300万円あって眠れません"
    with caplog.at_level("DEBUG", logger="bot.channels"):
        await harness.client.post_events(make_event(text=secret_text))
        await harness.settle()

    logged = [r.getMessage() for r in caplog.records if r.levelno >= 20]
    assert logged, "expected the event to be logged"
    assert not any(secret_text in line or USER_ID in line for line in logged)


async def test_health_endpoint(harness: LineHarness) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{harness.app.base_url}/webhooks/line/") as response,
    ):
        assert response.status == 200


async def test_typed_slash_commands_are_not_passed_as_intents(harness: LineHarness) -> None:
    await harness.client.post_events(make_event(text="/restart"))
    await harness.settle()

    assert harness.bot.texts == ["／restart"]
