"""A wish for the staff contact when no offer waits, and a yes that only hesitates.

Both read the resident's words in the offer's own closed vocabulary
(``bot.dialogue.offer_answer``) and are applied in the Rasa server after the model's parse
(``bot.runtime.offer_answers``): a request for contact becomes the wish for a person
(``request_human``: the offer is made), a hesitation the model took for yes becomes not
understood (the offer is asked again).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.dialogue.offer_answer import (
    OVERRIDABLE_INTENTS,
    leans_elsewhere,
    read_answer,
    read_offer_answer,
)
from bot.dialogue.state import (
    AWAITING_AFTER_CRISIS,
    AWAITING_CLARIFICATION,
    AWAITING_HANDOFF_OFFER,
)
from bot.nlu.normalize import normalize_with_offsets

__all__ = ["REOFFER_INTENTS", "asks_for_contact_again", "doubts_the_yes"]

#: The model's readings of a request for contact when no offer waits, besides those above: it
#: reads やっぱり as the start of 「やっぱりやめます」 (stop) or 「やっぱりいいです」 (deny), and
#: 「やっぱり連絡してほしい」 after a crisis as a bare yes to nothing. Only a clear request in the
#: offer's own words replaces them, and it contains no refusal.
REOFFER_INTENTS = OVERRIDABLE_INTENTS | {"stop", "deny", "affirm", "ask_window_info"}

#: 「電話してもらえますか」 read as a question about the window's phone: only a request that
#: someone else call is taken from it (``Reading.asks_others``).
ASK_WINDOW_INFO = "ask_window_info"

#: Where nothing else is asked: no question open, after a crisis's lines, or after the bot said
#: it did not understand.
_NOTHING_PENDING = frozenset({None, AWAITING_AFTER_CRISIS, AWAITING_CLARIFICATION})


def asks_for_contact_again(
    parse: Mapping[str, Any],
    awaiting: str | None,
    active_loop: str | None,
    *,
    offer_declined: bool,
    shown_help: bool = False,
    intake_sent: bool = False,
) -> bool:
    """Whether a message, with no offer waiting, asks for the staff contact (again).

    Why: a resident who declined (「今はいいです」) and then changes their mind
    (「やっぱり電話ください」「やっぱりお願いします」) got 「わかりました。ほかに…」: no offer
    waited, so the request was read alone, and the model took やっぱり for the start of a wish to
    stop. After a crisis's lines, 「やっぱり連絡してほしい」「市の人から電話してほしいです」 got
    「困っていることを書いてください」. Such a message is the wish for a person
    (``request_human``), whose path makes the offer for the windows already shown (or the
    any-attribute window), and the resident confirms with one tap.

    As narrow as ``answer_to_offer``: nothing else asked (no question waits, no form runs),
    only the offer's own words with an explicit request (お願い, 〜ください, 〜たい: a bare
    「はい」 asks for nothing), never a message leaning to danger or carrying a worry. After a
    declined offer (``offer_declined``) the request is enough (「やっぱりお願いします」).
    Otherwise it must name the contact (連絡, 電話, 職員…), after windows or a crisis's lines
    were shown (``shown_help``: as an opening, 「相談したいです」 is a greeting), and not once
    an intake was sent (``intake_sent``: then 「電話お願いします」 means "as arranged").
    """
    intent = (parse.get("intent") or {}).get("name")
    if awaiting not in _NOTHING_PENDING or active_loop or intent not in REOFFER_INTENTS:
        return False
    if not offer_declined and (intake_sent or not shown_help):
        return False
    text = str(parse.get("text") or "")
    if text.lstrip().startswith("/") or leans_elsewhere(parse):
        return False
    reading = read_answer(text)
    if reading.answer != "affirm" or not reading.requested:
        return False
    if intent == ASK_WINDOW_INFO and not (reading.names_contact and reading.asks_others):
        return False  # 「窓口に電話したいです」: the window's number, to call oneself
    return offer_declined or reading.names_contact


#: Hesitating or asking, not yet choosing: 「迷ってます」「どうしようかな」「はいって押したらどう
#: なるの」「どんなこと聞かれるの？」 (the model read each of these as yes).
_DOUBT = re.compile(
    r"迷|まよ|悩|なや|どうしよ|どないしよ|どうしたら|考え|かんがえ|わから|分から|わかん|"
    r"どうなる|どんな|何を|なにを|何が|なにが|聞かれ|きかれ|押したら|おしたら|"
    r"かな[ぁあー〜]*[。.!！?？\s]*$|[?？]\s*$|(?:の|か|かね|っけ)[。.\s]*$"
)


def doubts_the_yes(parse: Mapping[str, Any], awaiting: str | None, active_loop: str | None) -> bool:
    """Whether the model's yes to the pending offer is a hesitation or a question instead.

    Why: a yes starts the intake's personal questions, so a resident who only hesitated
    (「迷ってます」) or asked what happens next (「はいって押したらどうなるの」) was asked who
    the worry is about and how to reach them. Such a message is read as not understood, and
    the offer is asked again (``bot.dialogue.flow.on_fallback``). A request put as a question
    (「お願いできますか」「連絡もらえますか」) is still a yes: the reading above says so.
    """
    intent = (parse.get("intent") or {}).get("name")
    if awaiting != AWAITING_HANDOFF_OFFER or active_loop or intent != "affirm":
        return False
    text = normalize_with_offsets(str(parse.get("text") or "")).text.strip()
    if not text or text.startswith("/") or not _DOUBT.search(text):
        return False
    return read_offer_answer(text) != "affirm"
