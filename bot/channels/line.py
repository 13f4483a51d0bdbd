"""Rasa input channel for the LINE Messaging API (``bot.channels.line.LineInput``).

Listed in ``credentials.yml`` as ``bot.channels.line.LineInput:`` with no values: the channel
secret and access token come only from the environment through ``bot.settings``, so secrets
never end up in the repository. Rasa mounts the blueprint at ``/webhooks/line/``; LINE's
webhook URL is ``https://<host>/webhooks/line/webhook``.

Flow: the signature is checked on the raw body before anything else, the webhook answers 200
at once (LINE gives up after about 2 seconds), and each event is handled in a background task:
redeliveries are dropped by ``webhookEventId``, group chats get a one-to-one notice, messages
we cannot read get a polite request for words, and everything else goes to Rasa. One turn's
answers are collected and sent in a single reply call (the reply token works only once),
with the overflow and expired tokens falling back to push.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.line_api import (
    InvalidReplyTokenError,
    LineApiClient,
    LineApiError,
    LineAuthError,
)
from bot.channels.line_dedup import ClaimStore, InMemoryClaimStore, RedisClaimStore
from bot.channels.line_inflight import InFlightEvents, finish_or_hand_back
from bot.channels.line_messages import LineMessage, batches, build_messages, text_message
from bot.channels.line_signature import verify_signature
from bot.channels.line_texts import (
    ONE_TO_ONE_ONLY,
    RESEND_AFTER_SHUTDOWN,
    TEMPORARY_FAILURE,
    unsupported_message_reply,
)
from bot.ratelimit import FloodGuard, InMemoryRateLimiter, Limit, hashed
from bot.settings import load_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

GREET_PAYLOAD = "/greet"
TYPED_SLASH_REPLACEMENT = "／"  # full-width solidus: reads the same, is not a Rasa command
MAX_BODY_BYTES = 1_000_000
# LINE reply tokens are valid for about a minute; leave margin for the API call itself.
REPLY_WINDOW_SECONDS = 50.0
# LINE redelivers failed events for a while; a day comfortably covers its retry period.
EVENT_ID_TTL_SECONDS = 24 * 3600.0
# Answer a group chat at most once an hour so the notice does not flood the conversation.
GROUP_NOTICE_TTL_SECONDS = 3600.0
# How long shutdown waits for running events before handing them back (Sanic's own graceful
# shutdown timeout is 15 s; this must stay below it).
SHUTDOWN_TIMEOUT_SECONDS = 10.0
UNREADABLE_MESSAGE_TYPES = frozenset({"sticker", "image", "video", "audio", "file", "location"})
MULTI_PERSON_SOURCES = frozenset({"group", "room"})
GROUP_EVENTS_WORTH_A_NOTICE = frozenset({"join", "message", "postback"})
# Events a resident sends and the bot answers: these count towards the per-user rate limit.
RATE_LIMITED_EVENTS = frozenset({"message", "postback", "follow"})
DEFAULT_RATE_LIMIT = Limit(20, 60.0)  # as Settings.rate_line_user / rate_window_seconds


def mask_user_id(user_id: str | None) -> str:
    """A short stable pseudonym for logs, so log lines can be correlated but not looked up."""
    if not user_id:
        return "-"
    return "line:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:10]


class LineOutput(CollectingOutputChannel):
    """Collects one turn's answers so they can be sent in a single reply call.

    Unlike Rasa's collector it keeps a response's paragraphs together: a response is one
    speech bubble, and ``build_messages`` merges or splits only when LINE's limits require.
    """

    @classmethod
    def name(cls) -> str:
        # Domain responses may define ``channel: line`` variants; Rasa matches on this name.
        return "line"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class LinePushOutput(OutputChannel):
    """Pushes answers straight away; used by Rasa for bot-initiated messages (reminders)."""

    def __init__(self, api: LineApiClient) -> None:
        self._api = api

    @classmethod
    def name(cls) -> str:
        return "line"

    async def _push(self, recipient_id: str, output: dict[str, Any]) -> None:
        for group in batches(build_messages([output])):
            await self._api.push(recipient_id, group)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._push(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._push(recipient_id, {"custom": json_message})


class LineInput(InputChannel):
    """LINE webhook: verifies, acknowledges at once, and handles events in the background."""

    @classmethod
    def name(cls) -> str:
        return "line"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> LineInput:
        """Build from ``bot.settings``; values in ``credentials.yml`` are ignored on purpose."""
        if credentials and any(value for value in credentials.values()):
            logger.warning(
                "LINE: values in credentials.yml are ignored; set LINE_CHANNEL_SECRET and "
                "LINE_CHANNEL_ACCESS_TOKEN in the environment instead"
            )
        settings = load_settings()
        # Several Rasa instances must agree on which redelivered events were already handled.
        event_store = RedisClaimStore.from_url(settings.redis_url) if settings.redis_url else None
        return cls(
            channel_secret=settings.line_channel_secret,
            access_token=settings.line_channel_access_token,
            api_base=settings.line_api_base,
            event_store=event_store,
            flood_guard=FloodGuard.from_settings(settings),  # issue 8: per-user rate limit
            rate_limit=Limit(settings.rate_line_user, settings.rate_window_seconds),
        )

    def __init__(
        self,
        channel_secret: str | None,
        access_token: str | None,
        api_base: str = "https://api.line.me",
        *,
        event_store: ClaimStore | None = None,
        clock: Callable[[], float] = time.time,
        reply_window_seconds: float = REPLY_WINDOW_SECONDS,
        event_id_ttl_seconds: float = EVENT_ID_TTL_SECONDS,
        group_notice_ttl_seconds: float = GROUP_NOTICE_TTL_SECONDS,
        max_body_bytes: int = MAX_BODY_BYTES,
        api_client: LineApiClient | None = None,
        flood_guard: FloodGuard | None = None,
        rate_limit: Limit = DEFAULT_RATE_LIMIT,
        shutdown_timeout_seconds: float = SHUTDOWN_TIMEOUT_SECONDS,
    ) -> None:
        self._channel_secret = channel_secret or ""
        self._configured = bool(channel_secret and access_token)
        if not self._configured:
            logger.error(
                "LINE: LINE_CHANNEL_SECRET or LINE_CHANNEL_ACCESS_TOKEN is not set; "
                "the LINE webhook will refuse all requests"
            )
        self.api = api_client or LineApiClient(access_token or "", api_base)
        self._event_store: ClaimStore = event_store or InMemoryClaimStore()
        self._clock = clock
        self._reply_window = reply_window_seconds
        self._event_id_ttl = event_id_ttl_seconds
        self._group_notice_ttl = group_notice_ttl_seconds
        self._max_body_bytes = max_body_bytes
        self._flood_guard = flood_guard or FloodGuard(InMemoryRateLimiter())
        self._rate_limit = rate_limit
        # Strong references: the event loop keeps only weak ones to running tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        # Graceful shutdown (``bot.channels.line_inflight``): what was accepted with a 200
        # and not finished yet, and whether new deliveries must be refused.
        self._in_flight = InFlightEvents()
        self._shutdown_timeout = shutdown_timeout_seconds
        self._closing = False

    @property
    def closing(self) -> bool:
        """True once shutdown began: new deliveries get 503 so LINE can redeliver them."""
        return self._closing

    # -- HTTP ------------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)

        @line_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @line_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, text = self.accept(
                request.body or b"", request.headers.get("X-Line-Signature"), on_new_message
            )
            return response.text(text, status=status)

        @line_webhook.listener("before_server_stop")
        async def finish(_app: Any, _loop: Any) -> None:
            await self.aclose()

        return line_webhook

    def accept(
        self, body: bytes, signature: str | None, on_new_message: OnNewMessage
    ) -> tuple[int, str]:
        """Check a webhook request and schedule its events; returns (status, text).

        Synchronous on purpose: nothing here waits for Rasa or LINE, so LINE's 2-second
        timeout cannot be hit however slow the bot is.
        """
        if not self._configured:
            return 503, "LINE channel is not configured"
        if self._closing:
            return 503, "shutting down"
        if len(body) > self._max_body_bytes:
            return 413, "payload too large"
        if not verify_signature(self._channel_secret, body, signature):
            logger.warning("LINE: webhook with a missing or invalid signature refused")
            return 401, "invalid signature"
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return 400, "invalid JSON"
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            return 400, "no events list"
        usable = [event for event in events if isinstance(event, dict)]
        if usable:  # an empty list is LINE's "verify" call: just say OK
            self._in_flight.add(usable)
            self._spawn(self._handle_events(usable, on_new_message))
        return 200, "OK"

    # -- background work -------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("LINE: event handling failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until every scheduled event has been handled (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self, timeout_seconds: float | None = None) -> None:
        """Refuse new deliveries, let running events finish (bounded), hand back the rest
        (one "please send again" per resident), then close the HTTP session and the store."""
        self._closing = True
        await finish_or_hand_back(
            self._tasks,
            self._in_flight,
            self._shutdown_timeout if timeout_seconds is None else timeout_seconds,
            self._ask_to_send_again,
        )
        await self.api.close()
        close_store = getattr(self._event_store, "close", None)
        if close_store is not None:
            await close_store()

    async def _ask_to_send_again(self, user_id: str, event: dict[str, Any]) -> bool:
        await self.send(user_id, event, [text_message(RESEND_AFTER_SHUTDOWN)])
        return True

    async def _handle_events(
        self, events: list[dict[str, Any]], on_new_message: OnNewMessage
    ) -> None:
        # Events of one delivery are handled in order: they usually come from one resident
        # typing several messages, and answering them out of order would confuse the dialogue.
        for event in events:
            try:
                await self.handle_event(event, on_new_message)
            except Exception:
                logger.exception("LINE: event %s failed", event.get("webhookEventId") or "(no id)")
            # Not reached when cancelled at shutdown: the event then stays to be handed back.
            self._in_flight.done(event)

    async def handle_event(self, event: dict[str, Any], on_new_message: OnNewMessage) -> None:
        """Handle one webhook event (public so a conversation test can drive it directly)."""
        event_id = str(event.get("webhookEventId") or "")
        if event_id and not await self._event_store.claim(f"event:{event_id}", self._event_id_ttl):
            logger.info("LINE: event %s already handled (redelivery), skipped", event_id)
            return

        event_type = str(event.get("type") or "")
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        assert isinstance(source, dict)
        if source.get("type") in MULTI_PERSON_SOURCES:
            await self._notice_multi_person(event, source)
            return

        user_id = source.get("userId")
        if not isinstance(user_id, str) or not user_id:
            logger.info("LINE: event %s without a user id ignored", event_id or "(no id)")
            return
        logger.info(
            "LINE: event %s type=%s user=%s",
            event_id or "(no id)",
            event_type,
            mask_user_id(user_id),
        )

        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        assert isinstance(message, dict)
        if event_type in RATE_LIMITED_EVENTS and not await self._within_rate_limit(
            user_id, event, message
        ):
            return
        message_type = str(message.get("type") or "")
        if event_type == "message" and message_type != "text":
            reply = unsupported_message_reply(message_type)
            await self.send(user_id, event, [text_message(reply)])
            return

        text = self._text_for_rasa(event_type, event, message)
        if text is None:
            return  # unfollow, unsend, read receipts, ...: nothing to answer
        await self._ask_rasa(text, user_id, event, on_new_message)

    async def _within_rate_limit(
        self, user_id: str, event: dict[str, Any], message: dict[str, Any]
    ) -> bool:
        """Issue 8 (``bot.ratelimit``): over the per-user limit, the event does not reach Rasa;
        the first one in the window gets the slow-down reply, crisis words always get the
        crisis lines, everything else in the window is left unanswered."""
        text = message.get("text") if isinstance(message.get("text"), str) else None
        key = f"line:user:{hashed(user_id)}"
        decision = await self._flood_guard.check([(key, self._rate_limit)], text)
        if decision.allowed:
            return True
        logger.info("LINE: %s over the rate limit", mask_user_id(user_id))
        if decision.replies:
            await self.send(user_id, event, [text_message(t) for t in decision.replies])
        return False

    @staticmethod
    def _text_for_rasa(
        event_type: str, event: dict[str, Any], message: dict[str, Any]
    ) -> str | None:
        """What Rasa should receive for an event, or None if the event needs no answer."""
        if event_type == "follow":
            return GREET_PAYLOAD  # the bot's own greeting, so it is written in one place
        if event_type == "postback":
            postback = event.get("postback")
            data = postback.get("data") if isinstance(postback, dict) else None
            return data if isinstance(data, str) and data.strip() else None
        if event_type == "message":
            text = message.get("text")
            if not isinstance(text, str) or not text.strip():
                return None
            # Rasa treats "/intent{...}" as a command; typed text must stay words, so only
            # postbacks (our own buttons) can carry payloads.
            stripped = text.lstrip()
            return TYPED_SLASH_REPLACEMENT + stripped[1:] if stripped.startswith("/") else text
        return None

    async def _ask_rasa(
        self, text: str, user_id: str, event: dict[str, Any], on_new_message: OnNewMessage
    ) -> None:
        output = LineOutput()
        user_message = UserMessage(
            text,
            output,
            sender_id=user_id,
            input_channel=self.name(),
            metadata=self._metadata(event),
        )
        try:
            await on_new_message(user_message)
            messages = build_messages(output.messages)
        except Exception:
            logger.exception("LINE: the bot failed on event %s", event.get("webhookEventId"))
            messages = [text_message(TEMPORARY_FAILURE)]
        await self.send(user_id, event, messages)

    @staticmethod
    def _metadata(event: dict[str, Any]) -> dict[str, Any]:
        """Event facts for the tracker (no message content: that is already the text)."""
        delivery = event.get("deliveryContext")
        message = event.get("message")
        return {
            "line": {
                "webhook_event_id": event.get("webhookEventId"),
                "event_type": event.get("type"),
                "message_type": message.get("type") if isinstance(message, dict) else None,
                "timestamp": event.get("timestamp"),
                "is_redelivery": bool(isinstance(delivery, dict) and delivery.get("isRedelivery")),
            }
        }

    async def _notice_multi_person(self, event: dict[str, Any], source: dict[str, Any]) -> None:
        """Tell a group or room, once in a while, that consultations are one-to-one."""
        reply_token = event.get("replyToken")
        if event.get("type") not in GROUP_EVENTS_WORTH_A_NOTICE or not reply_token:
            return
        chat_id = source.get("groupId") or source.get("roomId") or ""
        if not await self._event_store.claim(f"notice:{chat_id}", self._group_notice_ttl):
            return
        logger.info("LINE: %s source, sent the one-to-one notice", source.get("type"))
        if not self._reply_token_fresh(event):
            return  # never push into a group: only the reply is free and expected
        try:
            await self.api.reply(str(reply_token), [text_message(ONE_TO_ONE_ONLY)])
        except LineApiError as error:
            logger.warning("LINE: one-to-one notice not delivered (%s)", error.status)

    # -- sending ---------------------------------------------------------------------------

    def _reply_token_fresh(self, event: dict[str, Any]) -> bool:
        timestamp = event.get("timestamp")
        if not isinstance(timestamp, (int, float)):
            return True
        return self._clock() - timestamp / 1000.0 <= self._reply_window

    async def send(self, user_id: str, event: dict[str, Any], messages: list[LineMessage]) -> None:
        """Send a turn's messages: first 5 with the reply token, the rest (or all) by push."""
        groups = batches(messages)
        if not groups:
            return
        reply_token = event.get("replyToken")
        remaining = groups
        who = mask_user_id(user_id)
        try:
            if reply_token and self._reply_token_fresh(event):
                try:
                    await self.api.reply(str(reply_token), groups[0])
                    remaining = groups[1:]
                except InvalidReplyTokenError:
                    logger.info("LINE: reply token rejected for %s, pushing", who)
                except LineAuthError:
                    raise  # pushing would be refused just the same
                except LineApiError as error:
                    # LINE kept failing (429/5xx) after retries; push has its own retries.
                    logger.info("LINE: reply failed for %s (%s), pushing", who, error.status)
            elif reply_token:
                logger.info("LINE: reply token too old for %s, pushing", who)
            for group in remaining:
                await self.api.push(user_id, group)
        except LineApiError as error:
            # The client already logged why; this line says whose answer is missing.
            logger.warning(
                "LINE: answer for event %s to %s not delivered (status %s)",
                event.get("webhookEventId") or "(no id)",
                who,
                error.status or "no answer",
            )

    def get_output_channel(self) -> OutputChannel:
        return LinePushOutput(self.api)
