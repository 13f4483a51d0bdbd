"""A request for the staff contact when no offer waits (after a decline, a crisis's lines or
the windows), and a yes to the offer that only hesitates, read in the offer's own words."""

from __future__ import annotations

import pytest

from bot.dialogue import ConversationState, on_deny, on_request_human, on_worry
from bot.dialogue.contact_request import asks_for_contact_again, doubts_the_yes
from bot.dialogue.offer_answer import DANGER_FLOOR
from bot.dialogue.state import (
    AWAITING_AFTER_CRISIS,
    AWAITING_CITY,
    AWAITING_CLARIFICATION,
    AWAITING_HANDOFF_OFFER,
    AWAITING_INTAKE_CONFIRM,
)
from bot.directory import default_directory


def _parse(text: str, intent: str = "nlu_fallback", **more: object) -> dict[str, object]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.4}, **more}


# After the offer was declined (or the windows' contacts shown), nothing waits for an answer.
CHANGED_MIND = [
    "やっぱり電話ください",
    "やっぱりお願いします",
    "やっぱ連絡ほしいです",
    "やはり相談したいです",
    "すみません、やっぱりお願いします",
    "やっぱり職員さんと話したい",
    "やっぱり連絡してもらえませんか",
    "ﾔｯﾊﾟﾘ ｵﾈｶﾞｲｼﾏｽ",
    # after 「送らない」 or 「同意しない」 at the intake's end
    "やっぱり送ってください",
    "すみません、やっぱり送りたいです",
]

NOT_ASKING_AGAIN = [
    "はい",  # a yes to nothing asks for nothing
    "うん",
    "やっぱりいいです",
    "やっぱりやめます",
    "やっぱり大丈夫です",
    "やっぱり連絡はいらないです",
    "やっぱり送らないでください",
    "やっぱり夫には連絡しないでください",
    "やっぱりお金のことも相談したい",
    "やっぱり死にたい",
    "ありがとうございました",
]


@pytest.mark.parametrize("text", CHANGED_MIND)
@pytest.mark.parametrize("intent", ["stop", "deny", "nlu_fallback", "greet"])
def test_a_change_of_mind_after_the_offer_asks_for_it_again(text: str, intent: str) -> None:
    """「やっぱり電話ください」 after 「今はいいです」: the model read やっぱり as a wish to stop,
    and the bot said 「わかりました。ほかに…」; it is a request for the offer again."""
    assert asks_for_contact_again(_parse(text, intent), None, None, offer_declined=True)


@pytest.mark.parametrize("text", NOT_ASKING_AGAIN)
def test_anything_but_a_clear_request_keeps_the_models_reading(text: str) -> None:
    assert not asks_for_contact_again(_parse(text, "stop"), None, None, offer_declined=True)


def test_a_request_is_read_again_only_after_a_declined_offer_with_nothing_asked_since() -> None:
    """Without a declined offer (after a sent intake 「よろしくお願いします」 is a courtesy) the
    model decides as before; so does a question that waits (the city, after a crisis, the
    offer itself, the summary) or a form that runs."""
    parse = _parse("やっぱり電話ください", "stop")
    assert not asks_for_contact_again(parse, None, None, offer_declined=False)
    courtesy = _parse("よろしくお願いします", "thanks")
    assert not asks_for_contact_again(courtesy, None, None, offer_declined=False, shown_help=True)
    for awaiting in (AWAITING_CITY, AWAITING_HANDOFF_OFFER, AWAITING_INTAKE_CONFIRM):
        assert not asks_for_contact_again(parse, awaiting, None, offer_declined=True)
    assert not asks_for_contact_again(parse, None, "intake_form", offer_declined=True)


@pytest.mark.parametrize("intent", ["crisis", "share_worry", "ask_window_info", "inform_city"])
def test_a_request_the_model_read_otherwise_keeps_its_path(intent: str) -> None:
    parse = _parse("やっぱりお願いします", intent)
    assert not asks_for_contact_again(parse, None, None, offer_declined=True)


def test_a_request_leaning_to_danger_is_left_to_the_model() -> None:
    parse = _parse("やっぱりお願いします", "stop", crisis={"confidence": DANGER_FLOOR})
    assert not asks_for_contact_again(parse, None, None, offer_declined=True)


def test_declining_the_offer_is_remembered_until_the_bot_asks_again() -> None:
    """The declined offer is what makes a later request a change of mind: declining sets it,
    a declined question of another kind does not, and the offer made again (or any new
    question, such as a new worry's offer) forgets it."""
    directory = default_directory()
    offered = on_worry(ConversationState(city="ube"), ["housing"], directory).state
    assert offered.awaiting == AWAITING_HANDOFF_OFFER
    declined = on_deny(offered, directory).state
    assert declined.offer_declined and declined.awaiting is None
    assert ConversationState.from_slots(declined.as_slots()).offer_declined  # kept as a slot
    offered_again = on_request_human(declined, directory)
    assert offered_again.state.awaiting == AWAITING_HANDOFF_OFFER
    assert not offered_again.state.offer_declined
    assert not on_worry(declined, ["debt"], directory).state.offer_declined
    clarification = ConversationState(city="ube", awaiting=AWAITING_CLARIFICATION)
    assert not on_deny(clarification, directory).state.offer_declined


DOUBTS = [
    "迷ってます",
    "うーん、どうしようかな",
    "はいって押したらどうなるの",
    "どんなこと聞かれるの？",
    "ちょっと考えたい",
    "よくわからない",
]

STILL_YES = ["はい", "お願いします", "お願いできますか", "連絡もらえますか？", "うん、頼むわ"]


@pytest.mark.parametrize("text", DOUBTS)
def test_a_hesitation_the_model_took_for_yes_is_not_a_yes(text: str) -> None:
    """「迷ってます」 and 「はいって押したらどうなるの」 started the intake's personal questions:
    the model read them as yes. They are read as not understood, and the offer is asked again."""
    assert doubts_the_yes(_parse(text, "affirm"), AWAITING_HANDOFF_OFFER, None)


@pytest.mark.parametrize("text", STILL_YES)
def test_a_yes_or_a_request_as_a_question_stays_yes(text: str) -> None:
    assert not doubts_the_yes(_parse(text, "affirm"), AWAITING_HANDOFF_OFFER, None)


def test_a_doubted_yes_only_while_the_offer_waits_and_only_the_models_yes() -> None:
    parse = _parse("迷ってます", "affirm")
    assert not doubts_the_yes(parse, None, None)
    assert not doubts_the_yes(parse, AWAITING_INTAKE_CONFIRM, None)
    assert not doubts_the_yes(parse, AWAITING_HANDOFF_OFFER, "intake_form")
    assert not doubts_the_yes(_parse("迷ってます", "share_worry"), AWAITING_HANDOFF_OFFER, None)


# After windows or a crisis's lines were shown, with no offer declined: a request that names the
# contact asks for the offer (the model read these as a bare yes, a fallback or a greeting).
NAMES_CONTACT = [
    "やっぱり連絡してほしい",
    "市の人から電話してほしいです",
    "相談したいです",
    "職員さんと話したいです",
    "電話してくれるんかね",  # an 80-year-old in Yamaguchi
    "気が変わりました。連絡ください",
]
ONLY_A_COURTESY = ["よろしくお願いします", "お願いします", "はい", "うん、お願い"]


@pytest.mark.parametrize("text", NAMES_CONTACT)
@pytest.mark.parametrize("awaiting", [None, AWAITING_AFTER_CRISIS, AWAITING_CLARIFICATION])
def test_a_request_naming_the_contact_after_help_was_shown_asks_for_the_offer(text, awaiting):
    """After a crisis's lines and 「相談を続ける」, 「やっぱり連絡してほしい」 got 「困っている
    ことを書いてください」: the resident who most needs a person was not offered one."""
    parse = _parse(text, "affirm")
    assert asks_for_contact_again(parse, awaiting, None, offer_declined=False, shown_help=True)


@pytest.mark.parametrize("text", ONLY_A_COURTESY)
def test_a_courtesy_or_bare_yes_without_a_decline_is_not_a_request(text: str) -> None:
    parse = _parse(text, "affirm")
    assert not asks_for_contact_again(parse, None, None, offer_declined=False, shown_help=True)


def test_no_request_is_read_as_an_opening_or_after_a_sent_intake() -> None:
    """As the first message 「相談したいです」 is a greeting (the bot asks for the worry); after
    a sent intake 「電話お願いします」 means "as arranged", not "offer it again"."""
    opening = _parse("相談したいです", "greet")
    assert not asks_for_contact_again(opening, None, None, offer_declined=False, shown_help=False)
    arranged = _parse("電話お願いします", "affirm")
    assert not asks_for_contact_again(
        arranged, None, None, offer_declined=False, shown_help=True, intake_sent=True
    )


@pytest.mark.parametrize(
    "text",
    [
        "すみません、やっぱり電話してもらうことってできますか",
        "やっぱり…市の人から電話かけてもらえんかね",
        "そちらから連絡してほしいです",
    ],
)
def test_a_request_read_as_a_window_question_after_a_decline_asks_for_the_offer(text) -> None:
    """After 「いいえ」, these got the window's phone number, the very thing the resident had
    said they could not use: the model read them as questions about the window."""
    parse = _parse(text, "ask_window_info")
    assert asks_for_contact_again(parse, None, None, offer_declined=True)


@pytest.mark.parametrize(
    "text", ["窓口に電話したいです", "電話できますか", "電話番号を教えてください"]
)
def test_wanting_to_call_the_window_oneself_keeps_the_window_answer(text) -> None:
    parse = _parse(text, "ask_window_info")
    assert not asks_for_contact_again(parse, None, None, offer_declined=True, shown_help=True)
