"""When a long conversation moves to a new session, and the words a ticket keeps from before."""

from __future__ import annotations

from typing import Any

import yaml

from bot.dialogue.sessions import (
    EARLIER_WORDS_LIMIT,
    OPENING_WORDS,
    SESSION_MESSAGE_LIMIT,
    conversation_words,
    current_session,
    should_start_new_session,
    words_to_carry,
)
from bot.settings import PROJECT_ROOT


def user(text: str, at: float = 1.0, categories: list[str] | None = None) -> dict[str, Any]:
    parse = {"worry_categories": {"categories": categories or []}}
    return {"event": "user", "text": text, "timestamp": at, "parse_data": parse}


def test_a_session_ends_only_when_long_and_no_form_waits_for_an_answer() -> None:
    """A resident in the middle of the intake questions keeps the form; a short conversation
    keeps its session."""
    assert not should_start_new_session(SESSION_MESSAGE_LIMIT - 1, None)
    assert should_start_new_session(SESSION_MESSAGE_LIMIT, None)
    assert not should_start_new_session(SESSION_MESSAGE_LIMIT + 5, "intake_form")


def test_only_the_latest_session_is_read() -> None:
    """The turn that starts a new session still holds the old one (the action server gets it):
    its words must not reach a ticket twice."""
    events = [user("old"), {"event": "session_started"}, {"event": "action"}, user("new")]
    assert [e.get("text") for e in current_session(events) if e["event"] == "user"] == ["new"]


def test_a_ticket_keeps_the_words_of_sessions_before_in_order() -> None:
    """Staff see what the resident wrote before the session moved on, then after; button
    payloads are not the resident's words."""
    first = [user("家賃が払えません", 1.0, ["housing"]), user("/affirm", 2.0), user("はい", 3.0)]
    carried = words_to_carry(None, first)
    events = [user("old, already carried"), {"event": "session_started"}, user("借金も", 9.0)]
    words = conversation_words(carried, events)
    assert [w.text for w in words] == ["家賃が払えません", "はい", "借金も"]
    assert [w.told_worry for w in words] == [True, False, False]
    assert words[0].at == 1.0


def test_carried_words_keep_the_opening_and_the_latest() -> None:
    """A very long conversation carries a bounded list: the way the worry was first told (the
    ticket quotes it) and the latest messages."""
    carried: Any = None
    for session in range(10):
        texts = [f"s{session}-m{n}" for n in range(SESSION_MESSAGE_LIMIT)]
        carried = words_to_carry(carried, [user(text) for text in texts])
    assert len(carried) == EARLIER_WORDS_LIMIT
    assert [w["text"] for w in carried[:2]] == ["s0-m0", "s0-m1"]
    assert carried[OPENING_WORDS - 1]["text"] == f"s0-m{OPENING_WORDS - 1}"
    assert carried[-1]["text"] == f"s9-m{SESSION_MESSAGE_LIMIT - 1}"


def test_a_slot_holding_something_else_is_read_as_nothing_carried() -> None:
    """A slot can be set to anything: odd values must not break the ticket."""
    for odd in ("text", 3, [1, None, {"text": ""}, {"at": "x"}], {"text": "a"}):
        assert conversation_words(odd, [user("今")])[-1].text == "今"
    assert [w.text for w in conversation_words([{"text": "a", "at": "soon"}], [])] == ["a"]


def test_no_rule_looks_at_earlier_actions_outside_a_form() -> None:
    """A new session keeps the slots but not the actions before: a rule must begin with the
    resident's message, unless it runs inside a form (no new session starts then)."""
    rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        assert not rule.get("conversation_start"), rule["rule"]
        if next(iter(rule["steps"][0])) in ("intent", "or"):
            continue
        loops = [c.get("active_loop") for c in rule.get("condition") or [] if "active_loop" in c]
        assert loops and all(loops), rule["rule"]
