"""Misunderstood again and again, the resident is not shown the same block each time."""

from __future__ import annotations

from bot.dialogue.flow import on_fallback
from bot.dialogue.state import ConversationState
from bot.directory import load_directory

DIRECTORY = load_directory()


def _texts(turn) -> list[str]:
    return [reply.text for reply in turn.replies]


def test_the_catch_all_window_is_shown_once_then_pointed_back_to() -> None:
    state = ConversationState(city="ube")
    first = on_fallback(state, DIRECTORY)
    second = on_fallback(first.state, DIRECTORY)
    third = on_fallback(second.state, DIRECTORY)
    fourth = on_fallback(third.state, DIRECTORY)
    window = DIRECTORY.any_attribute_window("ube")
    assert any(f"「{window.name}」" in t for t in _texts(second))
    for later in (third, fourth):
        said = _texts(later)
        assert len(said) == 1, said
        assert f"「{window.name}」" in said[0] and "上で" in said[0]
        assert later.replies[0].buttons, "the worry buttons stay, so the resident can still choose"
        assert not set(said) & set(_texts(second)[1:]), "the window block is not repeated"


def test_an_unclear_answer_to_the_offer_keeps_the_offer_once() -> None:
    """「夜なら」「家族に知られたくない」「迷ってます」 while the offer waits: the bot asked about
    worries again and the offer was gone. The offer is asked again, with its yes and no, and
    the way to write something else; a second miss goes on as any other."""
    from bot.dialogue.state import AWAITING_HANDOFF_OFFER

    state = ConversationState(
        city="ube", routed_windows=("ube.seikatsu_support",), awaiting=AWAITING_HANDOFF_OFFER
    )
    first = on_fallback(state, DIRECTORY)
    assert first.state.awaiting == AWAITING_HANDOFF_OFFER
    assert "連絡を希望しますか" in _texts(first)[0]
    assert [b.payload for b in first.replies[0].buttons] == ["/affirm", "/deny"]
    second = on_fallback(first.state, DIRECTORY)
    assert second.state.awaiting != AWAITING_HANDOFF_OFFER
