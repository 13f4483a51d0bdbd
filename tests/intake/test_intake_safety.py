"""When the intake asks about safe contact, and when abuse words answer a question."""

from __future__ import annotations

from bot.intake.safety import abuse_words_answer_the_question, needs_safe_contact


def test_abuse_anywhere_in_the_conversation_asks_about_safe_contact() -> None:
    assert needs_safe_contact(["abuse_dv"], None, "電話")
    assert needs_safe_contact(["debt"], "abuse", "電話")
    assert needs_safe_contact(["debt"], "violence_now", None)


def test_no_abuse_or_a_visit_to_the_window_does_not() -> None:
    assert not needs_safe_contact(["debt", "housing"], "suicide", "電話")
    assert not needs_safe_contact(["abuse_dv"], "abuse", "窓口に行く")


def test_abuse_words_are_an_answer_only_to_a_free_text_question() -> None:
    assert abuse_words_answer_the_question("intake_safe_contact", ("abuse",))
    assert abuse_words_answer_the_question("intake_household", ("abuse",))
    assert not abuse_words_answer_the_question("intake_age", ("abuse",))
    assert not abuse_words_answer_the_question(None, ("abuse",))


def test_a_more_dangerous_kind_is_never_taken_as_an_answer() -> None:
    for kinds in (("suicide",), ("abuse", "suicide"), ("violence_now",), ("medical",)):
        assert not abuse_words_answer_the_question("intake_safe_contact", kinds), kinds
