"""What the intake's actions share: the form, its answers and windows, and ending an intake.

The decisions live in ``bot.intake``; these helpers only read the tracker and write events.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import directory, send, state_of
from bot.dialogue.state import OFFER_DECLINED_SLOT
from bot.directory import Window, describe_window
from bot.intake.fields import ALL_FIELDS, CONSENT, MEETING_CONSENT, RETRY_SLOT
from bot.intake.identity import INTAKE_ID_SLOT
from bot.intake.summary import handoff_windows

FORM = "intake_form"


def slots_of(tracker: Tracker) -> dict[str, Any]:
    return tracker.current_slot_values()


def channel_of(tracker: Tracker) -> str:
    """line, web (the website chat's proxy names itself) or rest (any other REST client).

    Shared: the questions offer 「LINE」 only on LINE, and the ticket records the channel.
    """
    channel = tracker.get_latest_input_channel()
    return channel if channel in ("line", "web") else "rest"


def reset_intake() -> list[EventType]:
    """Forget the answers and the intake's id: the next consultation is a new intake."""
    return [
        *(SlotSet(field.slot, None) for field in ALL_FIELDS),
        SlotSet(RETRY_SLOT, 0.0),
        SlotSet(INTAKE_ID_SLOT, None),
    ]


def end_intake() -> list[EventType]:
    """The intake is over (sent, cancelled, declined, failed): no summary is open any more."""
    return [*reset_intake(), SlotSet("awaiting", None)]


def decline_intake() -> list[EventType]:
    """The resident stopped the intake (cancelled it, or gave no consent): as a declined offer,
    so that 「やっぱりお願いします」 makes the offer again (``bot.dialogue.offer_answer``)."""
    return [*end_intake(), SlotSet(OFFER_DECLINED_SLOT, True)]


def ask_consent_again(form_active: bool) -> list[EventType]:
    """Forget the consent (it named other windows) so that the form asks it again.

    During the questions the form goes on by itself (the rule after ``action_set_city``), and
    Rasa asks the validation action which question is next (``ValidateIntakeForm``), so the
    consent comes again in its turn. At the summary the form had ended: it is started again
    (``FollowupAction``, no new rule needed), asks for consent, and then the rule for a
    finished form shows the summary again. The other answers are kept.
    """
    events: list[EventType] = [
        SlotSet(CONSENT.slot, None),
        SlotSet(MEETING_CONSENT.slot, None),
        SlotSet(RETRY_SLOT, 0.0),
    ]
    return events if form_active else [*events, FollowupAction(FORM)]


def intake_windows(tracker: Tracker) -> list[Window]:
    """The windows the intake goes to (always the current city's: see ``state_of``)."""
    return handoff_windows(directory(), state_of(tracker).routed_windows)


def direct_contacts(
    dispatcher: CollectingDispatcher, tracker: Tracker, limit: int = 2, *, sent: bool = False
) -> None:
    """The first windows' own contacts, so that the resident can always reach a person.

    After 「やめます」 or a refused consent one window is enough (``limit=1``): the others are
    still on the screen above, and a walkthrough found 485 characters after 「やめます」. When
    the intake could not be delivered, two: the resident must call instead.

    After a sent intake (``sent``) a window without a phone does not end with 「…の職員から連絡
    してもらうこともできます」: that was just arranged, and residents wondered whether it was sent.
    """
    windows = intake_windows(tracker) or [directory().any_attribute_window(state_of(tracker).city)]
    for window in windows[:limit]:
        city = directory().city_of(window)
        send(dispatcher, describe_window(window, city, offer_follows=sent))
