"""One function per kind of resident turn. Each returns what to say and the new state.

The rules these functions keep (from the issue and from what a distressed resident needs):
- never name a window before the city is known; ask with buttons instead;
- for compound worries, say that one window can coordinate the rest;
- a crisis is answered first, and the worries in the same message are kept for afterwards;
- an unclear message gets a clarifying question, never a guessed window; after two misses the
  city's any-attribute window is offered;
- every answer says how to reach a person;
- a change of city re-routes every worry there, and nothing of the first city is shown again
  (``bot.dialogue.city_change``): each turn first makes the windows follow the city.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.dialogue import texts
from bot.dialogue.answer_shape import lead_window, phone_sized_answer
from bot.dialogue.city_change import follow_city, on_city_change
from bot.dialogue.crisis_reply import Danger, first_answer
from bot.dialogue.state import (
    AWAITING_AFTER_CRISIS,
    AWAITING_CITY,
    AWAITING_CLARIFICATION,
    AWAITING_HANDOFF_OFFER,
    AWAITING_INTAKE_CONFIRM,
    OTHER_CITY,
    Button,
    ConversationState,
    Reply,
    Turn,
)
from bot.directory import (
    Directory,
    Window,
    category_label,
    describe_window,
)
from bot.nlu.categories import CATEGORIES, canonical


def _city_code_for_directory(state: ConversationState) -> str | None:
    return None if state.city in (None, OTHER_CITY) else state.city


def _city_name(directory: Directory, code: str) -> str:
    city = directory.city(code)
    return city.name if city is not None else code


def _any_attribute(state: ConversationState, directory: Directory) -> Window:
    return directory.any_attribute_window(_city_code_for_directory(state))


def _describe(directory: Directory, window: Window) -> str:
    return describe_window(window, directory.city_of(window))


def _ask_city(state: ConversationState, question: str, **changes: object) -> Turn:
    return Turn(
        replies=(Reply(question, texts.CITY_BUTTONS),),
        state=state.evolve(awaiting=AWAITING_CITY, **changes),
    )


def _route(
    state: ConversationState,
    categories: Sequence[str],
    directory: Directory,
    *,
    intro: str = "",
) -> Turn:
    """Name the windows for these worries in the state's (known) city, phone-sized.

    One window to contact now (``bot.dialogue.answer_shape``), the rest behind buttons; every
    window routed is remembered for 「ほかの窓口」 and the handoff. ``intro`` (the warm line,
    the city noted) opens the first message rather than taking a message of its own.
    """
    state = follow_city(state, directory)
    if state.city_changed:
        return on_city_change(state, directory, new_categories=categories)
    city_code = _city_code_for_directory(state)
    all_worries = tuple(canonical([*state.worries, *categories]))
    route = directory.route(city_code, categories)
    windows = [route.primary(c).id for c in route.categories]
    coordinator = route.coordinator
    with_earlier = False
    if coordinator is None and len(all_worries) > len(route.categories):
        # A worry added to earlier ones: the whole set may now need one coordinating window.
        coordinator = directory.route(city_code, all_worries).coordinator
        with_earlier = coordinator is not None and not route.is_generic
    if coordinator is not None:
        windows.append(coordinator.id)
    # The window named first is remembered too (it may be the city's, chosen for its phone).
    windows.append(lead_window(route, coordinator).id)
    replies = phone_sized_answer(
        route, coordinator, windows, intro=intro, with_earlier=with_earlier
    )
    return Turn(
        replies=replies,
        state=state.evolve(
            worries=all_worries,
            pending_categories=(),
            routed_windows=tuple(dict.fromkeys([*state.routed_windows, *windows])),
            awaiting=None if route.is_generic else AWAITING_HANDOFF_OFFER,
            fallback_count=0,
        ),
    )


def on_worry(state: ConversationState, categories: Sequence[str], directory: Directory) -> Turn:
    """The resident described one or more worries."""
    found = canonical(categories)
    if not found:
        return on_fallback(state, directory)
    acknowledgement = Reply(texts.worry_acknowledgement([category_label(c) for c in found]))
    if state.city is None:
        turn = _ask_city(
            state,
            texts.ASK_CITY,
            pending_categories=tuple(canonical([*state.pending_categories, *found])),
            fallback_count=0,
        )
        return Turn(replies=(acknowledgement, *turn.replies), state=turn.state)
    if follow_city(state, directory).city_changed:
        turn = _route(state, found, directory)
        return Turn(replies=(acknowledgement, *turn.replies), state=turn.state, extra=turn.extra)
    return _route(state, found, directory, intro=acknowledgement.text)


def on_city(
    state: ConversationState,
    city: str | None,
    directory: Directory,
    *,
    during_intake: bool = False,
) -> Turn:
    """The resident named (or chose) their city; ``None`` means one we do not serve.

    ``state`` may already hold the new city (the slot is filled from the entity before the
    action runs): a change is recognised by the windows shown, which are then re-routed.
    During the intake, or at its summary, a city named again changes nothing else: the open
    question stays.
    """
    known = directory.city(city)
    code = known.code if known is not None else OTHER_CITY
    changed = follow_city(state.evolve(city=code), directory)
    if changed.city_changed:
        return on_city_change(changed, directory, during_intake=during_intake)
    if during_intake or state.awaiting == AWAITING_INTAKE_CONFIRM:
        return Turn(
            replies=(Reply(texts.city_noted(_city_name(directory, code))),),
            state=changed,
            extra={"show_summary": state.awaiting == AWAITING_INTAKE_CONFIRM},
        )
    noted = Reply(
        texts.OTHER_CITY_NOTED
        if code == OTHER_CITY
        else texts.city_noted(_city_name(directory, code))
    )
    if state.pending_categories:
        return _route(changed, state.pending_categories, directory, intro=noted.text)
    if state.awaiting == AWAITING_CITY and state.worries:
        # A change of city: the same worries, the new city's windows.
        return _route(changed.evolve(worries=()), state.worries, directory, intro=noted.text)
    else:
        replies = [
            Reply(_describe(directory, _any_attribute(changed, directory))),
            Reply(texts.ASK_WORRY),
        ]
        return Turn(replies=(noted, *replies), state=changed.evolve(awaiting=None))


def on_ask_city(state: ConversationState) -> Turn:
    return _ask_city(state, texts.ASK_CITY_AGAIN)


def on_crisis(
    state: ConversationState,
    categories: Sequence[str],
    danger: Danger,
    now: datetime,
    directory: Directory,
    *,
    during_intake: bool = False,
) -> Turn:
    """The lines for this kind of danger first, every time; the worries are kept for afterwards.

    Abuse that is not happening this minute goes straight on to the city's window for it
    (the window is the help), or to the city question. Every other kind offers to continue,
    and 「相談を続ける」 later returns to where the resident was (``on_continue``). During the
    intake the questions simply go on afterwards. A change of city read with the message
    re-routes the windows quietly; the lines come first, and only abuse names windows now.
    """
    state = follow_city(state, directory)
    replies = [Reply(text) for text in first_answer(danger, now)]
    pending = tuple(canonical([*state.pending_categories, *categories, *danger.worry_categories()]))
    resume = state.resume_awaiting if state.awaiting == AWAITING_AFTER_CRISIS else state.awaiting
    crisis_state = state.evolve(
        crisis_detected=True,
        crisis_kind=danger.kind,
        pending_categories=pending,
        resume_awaiting=resume,
    )
    if during_intake:
        return Turn(replies=tuple(replies), state=crisis_state.evolve(replaced_windows=None))
    if danger.kind == "abuse" and pending:
        crisis_state = crisis_state.evolve(resume_awaiting=None)
        if state.city is None:
            turn = _ask_city(crisis_state, texts.ASK_CITY_FOR_WINDOW)
        else:
            turn = _route(crisis_state, pending, directory)
        return Turn(replies=(*replies, *turn.replies), state=turn.state)
    replies.append(Reply(texts.CONTINUE_AFTER_CRISIS, texts.AFTER_CRISIS_BUTTONS))
    return Turn(
        replies=tuple(replies),
        state=crisis_state.evolve(awaiting=AWAITING_AFTER_CRISIS, replaced_windows=None),
    )


def _changed_city_first(state: ConversationState, directory: Directory) -> Turn | None:
    """A change of city read with this message is answered before what the message meant.

    「いいえ、益田です」 or 「はい、久留米市です」: the new city makes everything shown before
    wrong, so the new city's windows (and the offer for them) come first.
    """
    followed = follow_city(state, directory)
    return on_city_change(followed, directory) if followed.city_changed else None


def on_continue(state: ConversationState, directory: Directory) -> Turn:
    """「大丈夫です、続けます」「相談を続ける」: back to where the resident was.

    The pending worries get their windows (or the city question first); a handoff offer that
    the crisis interrupted is made again for the windows already shown; otherwise the bot asks
    what the worry is.
    """
    if (first := _changed_city_first(state, directory)) is not None:
        return first
    if state.awaiting not in (AWAITING_AFTER_CRISIS, None):
        # 「続けてください」 while a question is open (the summary, a handoff offer): the
        # question stays, and its buttons still work.
        return Turn(replies=(Reply(texts.ANSWER_THE_OPEN_QUESTION),), state=state)
    back_to = state.resume_awaiting if state.awaiting == AWAITING_AFTER_CRISIS else None
    resumed = state.evolve(resume_awaiting=None, awaiting=back_to)
    if state.pending_categories:
        if state.city is None:
            return _ask_city(resumed, texts.ASK_CITY)
        return _route(resumed, state.pending_categories, directory)
    if back_to == AWAITING_HANDOFF_OFFER and state.routed_windows:
        names = [w.name for w in map(directory.window, state.routed_windows) if w is not None]
        return Turn(
            replies=(
                Reply(texts.resume_offer(names)),
                Reply(texts.OFFER_CONTACT, texts.YES_NO_CONTACT),
            ),
            state=resumed.evolve(awaiting=AWAITING_HANDOFF_OFFER),
        )
    if back_to == AWAITING_CITY:
        return _ask_city(resumed, texts.ASK_CITY)
    return Turn(replies=(Reply(texts.ASK_WORRY_AFTER_CRISIS),), state=resumed.evolve(awaiting=None))


def _category_buttons() -> tuple[Button, ...]:
    return tuple(
        Button(category_label(code), f'/share_worry{{"category": "{code}"}}') for code in CATEGORIES
    )


def on_fallback(state: ConversationState, directory: Directory) -> Turn:
    """A message the bot could not classify: ask (the offer again, while it waits), and after
    two misses offer a catch-all."""
    if (first := _changed_city_first(state, directory)) is not None:
        return first
    misses = state.fallback_count + 1
    if misses < 2 and state.awaiting == AWAITING_HANDOFF_OFFER:
        # A condition, a worry about privacy, a hesitation: asking about worries again dropped
        # the offer. It is asked again once, with the way to write something else.
        return Turn(
            replies=(Reply(texts.OFFER_UNCLEAR, texts.YES_NO_CONTACT),),
            state=state.evolve(fallback_count=misses),
        )
    if misses < 2:
        return Turn(
            replies=(Reply(texts.CLARIFY_FIRST, _category_buttons()),),
            state=state.evolve(fallback_count=misses, awaiting=AWAITING_CLARIFICATION),
        )
    window = _any_attribute(state, directory)
    if misses > 2 and state.city is not None:
        # The catch-all window was just shown in full: point back to it, don't repeat it.
        return Turn(
            replies=(Reply(texts.clarify_after_catch_all(window.name), _category_buttons()),),
            state=state.evolve(fallback_count=misses, awaiting=AWAITING_CLARIFICATION),
        )
    replies = [Reply(texts.CLARIFY_AGAIN), Reply(_describe(directory, window))]
    if state.city is None:
        turn = _ask_city(state, texts.ASK_CITY, fallback_count=misses)
        return Turn(replies=(*replies, *turn.replies), state=turn.state)
    replies.append(Reply(texts.how_to_reach([category_label(c) for c in state.worries])))
    return Turn(
        replies=tuple(replies),
        state=state.evolve(fallback_count=misses, awaiting=AWAITING_CLARIFICATION),
    )


def _direct_contact(state: ConversationState, directory: Directory) -> Turn:
    """How to reach the routed windows (or the any-attribute window) directly."""
    windows = [w for w in map(directory.window, state.routed_windows) if w is not None]
    if not windows:
        windows = [_any_attribute(state, directory)]
    replies = [Reply(_describe(directory, window)) for window in windows]
    replies.append(Reply(texts.how_to_reach([category_label(c) for c in state.worries])))
    return Turn(replies=tuple(replies), state=state.evolve(awaiting=None))


def on_affirm(state: ConversationState, directory: Directory) -> Turn:
    if (first := _changed_city_first(state, directory)) is not None:
        return first
    if state.awaiting == AWAITING_HANDOFF_OFFER:
        return _direct_contact(state, directory)
    if state.awaiting == AWAITING_AFTER_CRISIS:
        return on_continue(state, directory)
    if state.awaiting == AWAITING_CITY:
        return _ask_city(state, texts.ASK_CITY)
    return Turn(replies=(Reply(texts.ASK_WORRY),), state=state.evolve(awaiting=None))


def on_deny(state: ConversationState, directory: Directory) -> Turn:
    if (first := _changed_city_first(state, directory)) is not None:
        return first
    declined_offer = state.awaiting == AWAITING_HANDOFF_OFFER
    if declined_offer:
        text = texts.DECLINED_CONTACT
    elif state.awaiting == AWAITING_AFTER_CRISIS:
        text = texts.DECLINED_AFTER_CRISIS
    else:
        text = texts.DECLINED_OTHER
    return Turn(
        replies=(Reply(text), Reply(texts.RESTART_HINT)),
        state=state.evolve(awaiting=None, offer_declined=declined_offer or state.offer_declined),
    )


def on_request_human(state: ConversationState, directory: Directory) -> Turn:
    """The resident asks for a person: offer a staff contact (the intake), or say whom to call."""
    if (first := _changed_city_first(state, directory)) is not None:
        return first
    if state.city is None:
        return _ask_city(state, texts.ASK_CITY_FOR_PERSON)
    if state.city == OTHER_CITY:
        return _direct_contact(state, directory)
    if not state.routed_windows:
        window = _any_attribute(state, directory)
        state = state.evolve(routed_windows=(window.id,))
    return Turn(
        replies=(Reply(texts.OFFER_CONTACT, texts.YES_NO_CONTACT),),
        state=state.evolve(awaiting=AWAITING_HANDOFF_OFFER),
    )


def on_start_over() -> Turn:
    return Turn(
        replies=(Reply(texts.STARTING_OVER), Reply(texts.GREETING)),
        state=ConversationState(),
        restart=True,
    )
