"""What the bot says by itself when the action server is down: the lines and windows still.

Why: the conversation runs in custom actions on the action server (``rasa run actions``). When
it cannot be reached (stopped, restarting, crashed), Rasa logs an exception, drops the action's
events and answers the turn with nothing at all: a resident writing that they want to die got
silence. Everything a resident needs most is known inside the Rasa process without it: the
parse result (worry categories, the kind of danger), the slots (the city) and the window
directory. So when a turn ran a custom action and said nothing, the channel composes the answer
here with ``bot.dialogue`` and ``bot.directory``: the crisis lines first (the same texts as the
normal crisis answer), else the city's windows with their phones, else the city question, and
always a plain notice that 担当者へのおつなぎ（相談の受付）is briefly unavailable, with a number
to call. Offers that need the action server (the handoff's はい／いいえ, 相談を続ける,
くわしく／ほかの窓口) are left out; the city and worry buttons stay, since Rasa fills the city
slot from the entity by itself.

Nothing is written to the tracker: the answer is sent on the turn's own output channel only.
The next message goes through Rasa as usual, so the normal answers come back as soon as the
action server does, without restarting anything.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue import (
    Danger,
    Reply,
    Turn,
    city_message,
    on_city,
    on_crisis,
    on_worry,
    read_state,
    texts,
)
from bot.dialogue.state import OTHER_CITY, ConversationState
from bot.directory import Directory, describe_window, describe_window_brief, load_directory
from bot.nlu.categories import CRISIS_INTENT, CRISIS_KEY, WORRY_CATEGORIES_KEY, canonical
from bot.settings import load_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

HANDOFF_PAUSED = "ごめんなさい。いま、担当者へのおつなぎ（相談の受付）が、少しのあいだできません。"
CALL_TOWN_HALL = (
    "すぐに人と話したいときは、お住まいの市区町村の役所に電話して、"
    "「福祉の相談をしたい」と伝えてください。"
)
CALL_LINES_ABOVE = "人と話したいときは、上の電話にかけてください。"
TRY_LATER = "しばらくしてから、もう一度このチャットに書いてください。"

# Buttons that work without the action server's state: the city (Rasa fills the slot from
# the entity) and the worry categories (read from the payload's entity).
_STATELESS_PAYLOADS = ("/inform_city", "/share_worry")
# Offers whose answer needs the action server: dropped, the notice says why.
_NEEDS_ACTIONS = (texts.OFFER_CONTACT, texts.CONTINUE_AFTER_CRISIS)


# -- which turns -------------------------------------------------------------------------------


def unanswered_parse(
    tracker: DialogueStateTracker, message_id: str | None
) -> Mapping[str, Any] | None:
    """The parse result of the resident's message ``message_id`` if its turn ran a custom
    action and said nothing (what a failed action call leaves), else None.

    Only the latest message counts: a later one of the same resident has its own turn.
    A turn with only domain responses or default actions is Rasa's own doing, left alone.
    """
    latest: UserUttered | None = None
    after: list[Any] = []
    for event in tracker.events:
        if isinstance(event, UserUttered):
            latest, after = event, []
        else:
            after.append(event)
    if latest is None or (message_id is not None and latest.message_id != message_id):
        return None
    if any(isinstance(event, BotUttered) for event in after):
        return None
    custom = [
        event.action_name
        for event in after
        if isinstance(event, ActionExecuted)
        and event.action_name
        and event.action_name not in DEFAULT_ACTION_NAMES
        and not event.action_name.startswith("utter_")
    ]
    return latest.parse_data if custom else None


# -- what to say -------------------------------------------------------------------------------


def _categories(parse: Mapping[str, Any]) -> list[str]:
    """As ``actions.common.latest_categories``: the classifier's, then a button's entity."""
    found = list((parse.get(WORRY_CATEGORIES_KEY) or {}).get("categories") or [])
    found += [
        str(e.get("value")) for e in parse.get("entities") or [] if e.get("entity") == "category"
    ]
    return canonical(found)


def _entity(parse: Mapping[str, Any], name: str) -> str | None:
    values = [e.get("value") for e in parse.get("entities") or [] if e.get("entity") == name]
    return str(values[0]) if values and values[0] else None


def _is_crisis(parse: Mapping[str, Any]) -> bool:
    intent = (parse.get("intent") or {}).get("name")
    return intent == CRISIS_INTENT or bool((parse.get(CRISIS_KEY) or {}).get("detected"))


def _served_city(state: ConversationState, directory: Directory) -> str | None:
    city = directory.city(state.city) if state.city not in (None, OTHER_CITY) else None
    return city.code if city is not None and not city.is_generic else None


def _windows_to_call(state: ConversationState, directory: Directory) -> Turn:
    """Any other message: the windows already shown (or the city's catch-all window) in full,
    or the city question while the city is unknown."""
    if state.city is None:
        return Turn(replies=(Reply(texts.ASK_CITY, texts.CITY_BUTTONS),), state=state)
    windows = [w for w in map(directory.window, state.routed_windows) if w is not None]
    if not windows:
        code = None if state.city == OTHER_CITY else state.city
        windows = [directory.any_attribute_window(code)]
    replies = [Reply(describe_window(w, directory.city_of(w), state.worries)) for w in windows]
    return Turn(replies=tuple(replies), state=state)


def _turn(
    parse: Mapping[str, Any], state: ConversationState, directory: Directory, now: datetime
) -> Turn:
    """What ``bot.dialogue`` answers this message, as far as the message alone tells."""
    categories = _categories(parse)
    if _is_crisis(parse):
        danger = Danger.from_parse(parse.get(CRISIS_KEY))
        return on_crisis(state, categories, danger, now, directory)
    if categories:
        return on_worry(state, categories, directory)
    city = _entity(parse, "city")
    if city is not None:
        return on_city(state, city, directory)
    return _windows_to_call(state, directory)


def _to_call(before: ConversationState, turn: Turn, directory: Directory) -> list[str]:
    """Whom to call now: a window of this answer with a sourced phone, else the city's
    coordinating or catch-all one; without any sourced number, the directory's way in."""
    code = _served_city(turn.state, directory)
    city = directory.city(code) if code is not None else None
    if city is None:
        return [CALL_TOWN_HALL]
    shown = [
        directory.window(w) for w in turn.state.routed_windows if w not in before.routed_windows
    ]
    candidates = [*(w for w in shown if w is not None), city.compound_window]
    candidates.append(city.any_attribute_window)
    window = next((w for w in candidates if w.contacts_of("phone")), None)
    if window is None:
        window = city.any_attribute_window
        lead = f"すぐに人と話したいときは、「{window.name}」に相談できます。"
    else:
        lead = f"すぐに人と話したいときは、「{window.name}」に電話してください。"
    return [lead, *describe_window_brief(window, city)]


def notice(
    before: ConversationState, turn: Turn, directory: Directory, *, crisis: bool = False
) -> str:
    """The handoff is paused; how to reach a person now, from the directory only. After the
    crisis lines, those lines are the people to call: no other number competes with them."""
    how = [CALL_LINES_ABOVE] if crisis else _to_call(before, turn, directory)
    return "\n".join([HANDOFF_PAUSED, *how, TRY_LATER])


def _without_offers(replies: Sequence[Reply]) -> list[Reply]:
    kept = []
    for reply in replies:
        if reply.text in _NEEDS_ACTIONS:
            continue
        buttons = tuple(b for b in reply.buttons if b.payload.startswith(_STATELESS_PAYLOADS))
        kept.append(Reply(reply.text, buttons))
    return kept


def degraded_messages(
    parse: Mapping[str, Any],
    slots: Mapping[str, Any],
    directory: Directory,
    now: datetime,
) -> list[dict[str, Any]]:
    """Rasa-style messages (``custom`` / ``text`` + ``buttons``) for a turn the action server
    did not answer: the web page's city first (as ``actions.common.apply_turn``), the answer,
    the notice; a question with buttons stays last, where the chat shows its buttons."""
    before = read_state(dict(slots), directory)
    turn = _turn(parse, before, directory, now)
    replies = _without_offers(turn.replies)
    paused = Reply(notice(before, turn, directory, crisis=_is_crisis(parse)))
    if replies and replies[-1].buttons:
        replies.insert(len(replies) - 1, paused)
    else:
        replies.append(paused)
    messages: list[dict[str, Any]] = []
    page = city_message(turn.state, directory)
    if page is not None:
        messages.append({"custom": page})
    for reply in replies:
        message: dict[str, Any] = {"text": reply.text}
        if reply.buttons:
            message["buttons"] = [button.as_dict() for button in reply.buttons]
        messages.append(message)
    return messages


# -- the hook in the channels ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _directory() -> Directory:
    return load_directory(load_settings().cities_dir)


def _now() -> datetime:
    return datetime.now(ZoneInfo(load_settings().timezone))


class DegradedAnswers:
    """Wraps a channel's ``on_new_message``: a turn left silent gets the degraded answer.

    The channel tells it the Sanic app (``use_app``, from any request) because Rasa's
    ``on_new_message`` does not carry the agent, whose tracker store says what happened.
    """

    def __init__(
        self,
        directory: Callable[[], Directory] = _directory,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._app: Any = None

    def use_app(self, app: Any) -> None:
        self._app = app

    def wrap(self, on_new_message: OnNewMessage) -> OnNewMessage:
        async def handle(message: UserMessage) -> None:
            output = message.output_channel
            # Only a turn collected in a list can be seen to be silent (REST's streaming
            # variant collects in a queue; it is left as Rasa answers it).
            collected = isinstance(output, CollectingOutputChannel) and isinstance(
                output.messages, list
            )
            before = len(output.messages) if collected else 0
            await on_new_message(message)
            if collected and len(output.messages) == before:
                await self._answer_if_silent(message, output)

        return handle

    async def _answer_if_silent(
        self, message: UserMessage, output: CollectingOutputChannel
    ) -> None:
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None or message.sender_id is None:
            return
        try:
            tracker = await store.retrieve(message.sender_id)
            parse = None if tracker is None else unanswered_parse(tracker, message.message_id)
            if parse is None or tracker is None:
                return
            messages = degraded_messages(
                parse, tracker.current_slot_values(), self._directory(), self._clock()
            )
            for reply in messages:
                await output.send_response(message.sender_id, reply)
        except Exception:
            # The degraded answer must never break the channel; Rasa's silence stays.
            logger.exception("Degraded answer failed (channel=%s)", message.input_channel)
            return
        # The intent and kind only: the resident's words and ids stay out of the logs.
        logger.warning(
            "No answer from the action server: answered without it (channel=%s, intent=%s, "
            "crisis=%s)",
            message.input_channel,
            (parse.get("intent") or {}).get("name"),
            (parse.get(CRISIS_KEY) or {}).get("kind") if _is_crisis(parse) else None,
        )
