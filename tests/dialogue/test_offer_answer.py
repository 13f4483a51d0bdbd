"""After 「連絡を希望しますか？」 the resident's own words are read as the answer: a wish for
contact or help is yes, a refusal or a negated wish is no, and anything else (a worry, a
question, a crisis, a yes and a no at once) is left to the model."""

from __future__ import annotations

import pytest

from bot.dialogue import ConversationState, on_deny, on_request_human, on_worry
from bot.dialogue.offer_answer import (
    DANGER_FLOOR,
    MAX_ANSWER_CHARS,
    answer_to_offer,
    asks_for_contact_again,
    doubts_the_yes,
    read_offer_answer,
)
from bot.dialogue.state import (
    AWAITING_AFTER_CRISIS,
    AWAITING_CITY,
    AWAITING_CLARIFICATION,
    AWAITING_HANDOFF_OFFER,
    AWAITING_INTAKE_CONFIRM,
)
from bot.directory import default_directory

YES = [
    "はい、相談したいです",
    "お願いします",
    "ぜひお願いします",
    "うん、連絡ほしい",
    "れんらくほしいです",
    "電話ください",
    "希望します",
    "よろしくお願いします",
    "相談したいです",
    "職員さんと話したい",
    "お願いできますか",
    "連絡もらえますか",
    "ﾊｲ ｵﾈｶﾞｲｼﾏｽ",  # half-width kana from an old phone
    "ハイ、オネガイシマス",
    "頼んます",  # dialect
    "ほんならお願いしよかな",
    "おう、たのむわ",
    "ええよ、頼むわ",
    "話を聞いてほしい",
    "相談に乗ってほしいです",
    "はい。連絡をお願いします。",
    "OK",
    "オッケーです",
    "もちろんです",
    "ぜひ相談させてください",
    # Requests put as a negative question are requests.
    "連絡してもらえませんか",
    "電話してくれない？",
    "電話してくれんね",  # Kyushu
    "はい、それでいいです",
    "うん、おねがい",
    "お願いしたいと思います",
    "すみません、お願いします",  # a courtesy first: すみません is a negation only in form
    "ぜひお願いいたします",
    "やっぱりお願いします",  # a change of mind while the offer still waits
]

NO = [
    "いいえ、大丈夫です",
    "いえ、けっこうです。",
    "今はいいです",
    "今日はいいかな",
    "まだいいです",
    "連絡はいらないです",
    "いりません",
    "連絡はいらん",  # dialect
    "ええわ、いらん",  # Kansai: ええわ is no thanks
    "ええわ",
    "しなくていいです",
    "遠慮します",
    "連絡しないでください",
    "連絡はしてほしくないです",
    "今は話したくない",
    "電話はいやです",
    "ううん",
    "希望しません",
    "いいえ、希望しません",
    "今回は遠慮しておきます",
    "今は大丈夫です",
    "大丈夫、いらないです",
    "お断りします",
    "連絡なしでお願いします",
    "必要ないです",
    "必要ありません",
    "いいえー",  # drawn out
    "ごめんなさい、いらないです",
]

NEITHER = [
    # Any word beyond the offer's own: the model decides, as it did before.
    "一人では無理なので相談したいです",
    "夫には連絡しないでください",  # not through him: the intake asks for a safe contact
    "家族に知られたくない",
    "自分で電話したいです",  # "I will call them myself"
    "もう少し考えたい",
    "ちょっと待ってください",
    "ほっといてください",
    "どんな人が連絡くれるんですか？",
    "給付金もらえますか",
    "ちょっと聞きたいことがあります",
    "相談できる人がいない",  # nobody (居る) is not "not needed" (要る)
    "誰にも相談できない",
    "とても困っています",
    "結構しんどいです",
    "今日の夕方がいいです",
    "今からでもいいですか",
    "お金がかからないなら相談したい",
    "いや、ほんまに助かるわ",
    "はい、大丈夫です",  # "fine": yes or no, by the question
    "ええです",
    "連絡ほしいかも",  # a hedge is not yet an answer
    # Despair is never a no (nor a yes), even where no crisis rule fires.
    "もうどうなってもいい",
    "もう何もいらない",
    "もういやだ",
    "もうやめたい",
    "死にたくない",
    "あの世に行きたい",
    "こんにちは",
    "家賃が払えません",  # a worry with a negation
    "息子が部屋から出てこない",
    "わかりません",
    "窓口の電話番号は？",
    "何時まで開いてますか",
    "宇部市です",
    "大丈夫です",  # yes or no, by the question: the model decides
    "はい、でも電話はしないでください",  # both
    "いいえ、お願いします",  # both
    "死にたい",  # crisis words: never an answer
    "もう死にたいので相談したい",
    "",
    "😊😊😊",
]


@pytest.mark.parametrize("text", YES)
def test_a_wish_for_contact_is_yes(text: str) -> None:
    assert read_offer_answer(text) == "affirm"


@pytest.mark.parametrize("text", NO)
def test_a_refusal_is_no(text: str) -> None:
    assert read_offer_answer(text) == "deny"


@pytest.mark.parametrize("text", NEITHER)
def test_anything_else_is_left_to_the_model(text: str) -> None:
    assert read_offer_answer(text) is None


def test_a_long_message_is_left_to_the_model() -> None:
    text = "はい、お願いします。" + "子どものことも" * 5
    assert len(text) > MAX_ANSWER_CHARS
    assert read_offer_answer(text) is None


def _parse(text: str, intent: str = "nlu_fallback", **more: object) -> dict[str, object]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.4}, **more}


def test_only_while_the_offer_waits_outside_a_form() -> None:
    parse = _parse("はい、相談したいです")
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) == "affirm"
    assert answer_to_offer(parse, None, None) is None
    # The summary's yes sends personal data: only its buttons and the model decide there.
    assert answer_to_offer(parse, AWAITING_INTAKE_CONFIRM, None) is None
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, "intake_form") is None


@pytest.mark.parametrize(
    "intent",
    [
        "crisis",
        "share_worry",
        "ask_window_info",
        "inform_city",
        "stop",
        "affirm",
        "deny",
        "request_human",
    ],
)
def test_an_intent_with_its_own_path_is_kept(intent: str) -> None:
    """A worry, a question, a city, a crisis, a wish for a person (the offer is made again)
    and the model's own yes or no keep their path even while the offer waits."""
    assert answer_to_offer(_parse("お願いします", intent), AWAITING_HANDOFF_OFFER, None) is None
    assert answer_to_offer(_parse("今はいいです", intent), AWAITING_HANDOFF_OFFER, None) is None


@pytest.mark.parametrize(
    "signal",
    [
        {"crisis": {"detected": False, "confidence": DANGER_FLOOR}},
        {"crisis": {"detected": True, "confidence": 1.0}},
        {"intent_ranking": [{"name": "crisis", "confidence": 0.6}]},
        {"worry_categories": {"categories": ["isolation"]}},
    ],
)
def test_a_message_leaning_to_danger_or_carrying_a_worry_is_left_to_the_model(signal) -> None:
    """Below the crisis threshold, a message the crisis model or DIET leaned on as danger is
    never made a yes or a no, nor is one in which a worry was found."""
    parse = _parse("お願いします", **signal)
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) is None


def test_a_button_payload_is_kept() -> None:
    parse = _parse("/deny", "nlu_fallback")
    assert answer_to_offer(parse, AWAITING_HANDOFF_OFFER, None) is None


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
