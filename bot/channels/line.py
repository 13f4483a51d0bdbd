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

This module keeps the HTTP side, the background scheduling, the per-user rate limit and the
graceful shutdown; reading events is ``line_events``, sending is ``line_delivery``, the
output channels are ``line_output``, and LINE's API itself is ``bot.line``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.degraded import DegradedAnswers
from bot.channels.limits import MAX_TEXT_CHARS, TOO_LONG_REPLY
from bot.channels.line_dedup import ClaimStore, InMemoryClaimStore, RedisClaimStore
from bot.channels.line_delivery import REPLY_WINDOW_SECONDS, LineDelivery
from bot.channels.line_events import (
    GROUP_EVENTS_WORTH_A_NOTICE,
    MULTI_PERSON_SOURCES,
    RATE_LIMITED_EVENTS,
    message_of,
    metadata,
    source_of,
    text_for_rasa,
)
from bot.channels.line_inflight import InFlightEvents, finish_or_hand_back
from bot.channels.line_order import OwnerQueue
from bot.channels.line_output import LineOutput, LinePushOutput
from bot.channels.line_texts import (
    ONE_TO_ONE_ONLY,
    RESEND_AFTER_SHUTDOWN,
    TEMPORARY_FAILURE,
    unsupported_message_reply,
)
from bot.dialogue.button_match import match_button
from bot.dialogue.flood_reply import FloodReplies
from bot.line.client import LineApiClient
from bot.line.messages import build_messages, text_message
from bot.line.signature import verify_signature
from bot.offers import InMemoryOfferStore, Offer, OfferStore, RedisOfferStore
from bot.privacy.logs import hash_user_id
from bot.ratelimit import FloodGuard, InMemoryRateLimiter, Limit
from bot.settings import load_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

MAX_BODY_BYTES = 1_000_000
# LINE redelivers failed events for a while; a day comfortably covers its retry period.
EVENT_ID_TTL_SECONDS = 24 * 3600.0
# Answer a group chat at most once an hour so the notice does not flood the conversation.
GROUP_NOTICE_TTL_SECONDS = 3600.0
# Shutdown: how long to wait for running events, then how long the "please send again"
# notices may take. Together they must stay below Sanic's graceful shutdown timeout
# (GRACEFUL_SHUTDOWN_TIMEOUT, 15 s in Sanic 21.12) with a margin for closing the HTTP session
# and the Redis connection: 8 + 5 = 13 s.
SHUTDOWN_TIMEOUT_SECONDS = 8.0
RESEND_NOTICE_TIMEOUT_SECONDS = 5.0
DEFAULT_RATE_LIMIT = Limit(20, 60.0)  # as Settings.rate_line_user / rate_window_seconds


def rate_limit_key(user_id: str) -> str:
    """The per-user counter's key, without the raw LINE user id (personal data): Redis may be
    shared and inspected."""
    return "line:user:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:24]


def offers_key(user_id: str) -> str:
    """Whose offered buttons: like ``rate_limit_key``, never the raw LINE user id."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:32]


def offered_buttons(messages: list[dict[str, Any]]) -> list[Offer]:
    """The ``(title, payload)`` of every button in one turn's answers."""
    return [
        (button["title"], button["payload"])
        for message in messages
        for button in message.get("buttons") or []
        if isinstance(button, dict)
        and isinstance(button.get("title"), str)
        and isinstance(button.get("payload"), str)
    ]


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
        # ... and on the quick-reply buttons last sent, whichever instance gets the answer.
        offer_store = (
            RedisOfferStore.from_url(settings.redis_url, prefix="intake:line:offers:")
            if settings.redis_url
            else None
        )
        return cls(
            channel_secret=settings.line_channel_secret,
            access_token=settings.line_channel_access_token,
            api_base=settings.line_api_base,
            event_store=event_store,
            offer_store=offer_store,
            # One resident flooding the bot must not slow it down for everyone else.
            flood_guard=FloodGuard.from_settings(settings, FloodReplies(settings.timezone)),
            rate_limit=Limit(settings.rate_line_user, settings.rate_window_seconds),
        )

    def __init__(
        self,
        channel_secret: str | None,
        access_token: str | None,
        api_base: str = "https://api.line.me",
        *,
        event_store: ClaimStore | None = None,
        offer_store: OfferStore | None = None,
        clock: Callable[[], float] = time.time,
        reply_window_seconds: float = REPLY_WINDOW_SECONDS,
        event_id_ttl_seconds: float = EVENT_ID_TTL_SECONDS,
        group_notice_ttl_seconds: float = GROUP_NOTICE_TTL_SECONDS,
        max_body_bytes: int = MAX_BODY_BYTES,
        api_client: LineApiClient | None = None,
        flood_guard: FloodGuard | None = None,
        rate_limit: Limit = DEFAULT_RATE_LIMIT,
        shutdown_timeout_seconds: float = SHUTDOWN_TIMEOUT_SECONDS,
        resend_notice_timeout_seconds: float = RESEND_NOTICE_TIMEOUT_SECONDS,
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
        # The quick-reply buttons of each resident's last reply: typed text naming one of
        # them (「でんわ」 for 「電話」) is sent as that button (``bot.dialogue.button_match``).
        self._offers: OfferStore = offer_store or InMemoryOfferStore()
        self._delivery = LineDelivery(self.api, clock, reply_window_seconds)
        self._event_id_ttl = event_id_ttl_seconds
        self._group_notice_ttl = group_notice_ttl_seconds
        self._max_body_bytes = max_body_bytes
        self._flood_guard = flood_guard or FloodGuard(InMemoryRateLimiter(), FloodReplies())
        self._rate_limit = rate_limit
        # Strong references: the event loop keeps only weak ones to running tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        # Graceful shutdown (``bot.channels.line_inflight``): what was accepted with a 200
        # and not finished yet, and whether new deliveries must be refused.
        self._in_flight = InFlightEvents()
        # One user's deliveries run one after another, in arrival order (``line_order``).
        self._order = OwnerQueue()
        self._shutdown_timeout = shutdown_timeout_seconds
        self._resend_notice_timeout = resend_notice_timeout_seconds
        self._closing = False

    @property
    def closing(self) -> bool:
        """True once shutdown began: new deliveries get 503 so LINE can redeliver them."""
        return self._closing

    @property
    def longest_shutdown_seconds(self) -> float:
        """The most ``aclose`` waits: running events, then the "please send again" notices."""
        return self._shutdown_timeout + self._resend_notice_timeout

    # -- HTTP ------------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)
        # A turn the action server left silent gets the lines and windows all the same.
        degraded = DegradedAnswers()
        on_new_message = degraded.wrap(on_new_message)

        @line_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @line_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            degraded.use_app(request.app)
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
            apology_timeout_seconds=self._resend_notice_timeout,
        )
        await self.api.close()
        close_store = getattr(self._event_store, "close", None)
        if close_store is not None:
            await close_store()
        await self._offers.close()

    async def _ask_to_send_again(self, user_id: str, event: dict[str, Any]) -> bool:
        await self._delivery.send(user_id, event, [text_message(RESEND_AFTER_SHUTDOWN)])
        return True

    async def _handle_events(
        self, events: list[dict[str, Any]], on_new_message: OnNewMessage
    ) -> None:
        # Events of one delivery are handled in order: they usually come from one resident
        # typing several messages, and answering them out of order would confuse the dialogue.
        # A later delivery of the same resident waits until this one is done.
        async with self._order.hold(events):
            for event in events:
                try:
                    await self.handle_event(event, on_new_message)
                except Exception:
                    logger.exception(
                        "LINE: event %s failed", event.get("webhookEventId") or "(no id)"
                    )
                # Not reached when cancelled at shutdown: the event then stays to be handed back.
                self._in_flight.done(event)

    async def handle_event(self, event: dict[str, Any], on_new_message: OnNewMessage) -> None:
        """Handle one webhook event (public so a conversation test can drive it directly)."""
        event_id = str(event.get("webhookEventId") or "")
        if event_id and not await self._event_store.claim(f"event:{event_id}", self._event_id_ttl):
            logger.info("LINE: event %s already handled (redelivery), skipped", event_id)
            return

        event_type = str(event.get("type") or "")
        source = source_of(event)
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
            hash_user_id(user_id),
        )

        message = message_of(event)
        if event_type in RATE_LIMITED_EVENTS and not await self._within_rate_limit(
            user_id, event, message
        ):
            return
        message_type = str(message.get("type") or "")
        if event_type == "message" and message_type != "text":
            reply = unsupported_message_reply(message_type)
            await self._delivery.send(user_id, event, [text_message(reply)])
            return

        if event_type == "message" and len(str(message.get("text") or "")) > MAX_TEXT_CHARS:
            # More than LINE lets anyone send: a polite note, not minutes of Rasa's loop.
            await self._delivery.send(user_id, event, [text_message(TOO_LONG_REPLY)])
            return

        text = text_for_rasa(event_type, event, message)
        if text is None:
            return  # unfollow, unsend, read receipts, ...: nothing to answer
        if event_type == "message":
            text = await self._as_button(user_id, text)
        await self._ask_rasa(text, user_id, event, on_new_message)

    async def _within_rate_limit(
        self, user_id: str, event: dict[str, Any], message: dict[str, Any]
    ) -> bool:
        """Per-user rate limit (``bot.ratelimit``), so one resident flooding the bot cannot
        slow it down for everyone else: over the limit, the event does not reach Rasa; the
        first one in the window gets the slow-down reply, crisis words always get the crisis
        lines, everything else in the window is left unanswered."""
        text = message.get("text") if isinstance(message.get("text"), str) else None
        key = rate_limit_key(user_id)
        decision = await self._flood_guard.check([(key, self._rate_limit)], text)
        if decision.allowed:
            return True
        logger.info("LINE: %s over the rate limit", hash_user_id(user_id))
        if decision.replies:
            await self._delivery.send(user_id, event, [text_message(t) for t in decision.replies])
        return False

    async def _as_button(self, user_id: str, text: str) -> str:
        """Typed text naming a quick-reply button of the last reply becomes its payload."""
        return match_button(text, await self._offers.buttons(offers_key(user_id))) or text

    async def _ask_rasa(
        self, text: str, user_id: str, event: dict[str, Any], on_new_message: OnNewMessage
    ) -> None:
        output = LineOutput()
        user_message = UserMessage(
            text,
            output,
            sender_id=user_id,
            input_channel=self.name(),
            metadata=metadata(event),
        )
        try:
            await on_new_message(user_message)
            messages = build_messages(output.messages)
            await self._offers.remember(offers_key(user_id), offered_buttons(output.messages))
        except Exception:
            logger.exception("LINE: the bot failed on event %s", event.get("webhookEventId"))
            messages = [text_message(TEMPORARY_FAILURE)]
        await self._delivery.send(user_id, event, messages)

    async def _notice_multi_person(self, event: dict[str, Any], source: dict[str, Any]) -> None:
        """Tell a group or room, once in a while, that consultations are one-to-one."""
        reply_token = event.get("replyToken")
        if event.get("type") not in GROUP_EVENTS_WORTH_A_NOTICE or not reply_token:
            return
        chat_id = source.get("groupId") or source.get("roomId") or ""
        if not await self._event_store.claim(f"notice:{chat_id}", self._group_notice_ttl):
            return
        logger.info("LINE: %s source, sent the one-to-one notice", source.get("type"))
        # Never pushed into a group: only the reply is free and expected.
        await self._delivery.reply_only(event, [text_message(ONE_TO_ONE_ONLY)])

    def get_output_channel(self) -> OutputChannel:
        return LinePushOutput(self.api)
