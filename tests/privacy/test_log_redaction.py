"""Whatever the bot's processes log, a resident's phone number, e-mail, LINE user id and the
text inside exception messages do not reach the log file."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.privacy.logs import (
    hash_user_id,
    install_for_server,
    redact_text,
    uninstall,
)

LINE_ID = "U" + "0123456789abcdef" * 2
PHONE = "090-1234-5678"
TEXT = "家賃が払えず住む所がなくなりそうです"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    install_for_server()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("test.privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    uninstall()


def test_line_ids_are_hashed_and_contacts_hidden(captured) -> None:
    """A library that logs a LINE user id, a phone number (even in full-width digits) or an
    e-mail leaves a hash or a placeholder instead."""
    logger, stream = captured
    logger.warning(
        "circuit breaker for sender '%s', contact %s / ０９０ー１２３４ー５６７８ / %s",
        LINE_ID,
        PHONE,
        "taro@example.jp",
    )
    output = stream.getvalue()
    assert LINE_ID not in output and hash_user_id(LINE_ID) in output
    assert PHONE not in output and "０９０ー１２３４ー５６７８" not in output
    assert "taro@example.jp" not in output


def test_an_exception_message_is_not_logged_but_its_place_is(captured) -> None:
    """Rasa logs a failed custom action with the action server's answer, which echoes the
    whole tracker; the traceback keeps the frames and types for the developer, not the words."""
    logger, stream = captured

    def failing_action() -> None:
        raise ValueError(f'body=\'{{"text": "{TEXT}", "sender_id": "{LINE_ID}"}}\'')

    try:
        try:
            failing_action()
        except ValueError as error:
            raise RuntimeError("Failed to execute custom action") from error
    except RuntimeError:
        logger.exception("Encountered an exception while running action")
    output = stream.getvalue()
    assert TEXT not in output and LINE_ID not in output
    assert "failing_action" in output and "builtins.ValueError" in output
    assert "direct cause" in output


def test_system_errors_keep_their_message(captured) -> None:
    """A refused connection still says so: operators need that, and it names no resident."""
    logger, stream = captured
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except OSError:
        logger.exception("Rasa unreachable")
    assert "Connection refused" in stream.getvalue()


def test_ordinary_numbers_are_left_alone() -> None:
    """Times, ports, references and counts are not mistaken for phone numbers."""
    line = "2026-03-10 12:34:56,789 UBE-2026-000123 127.0.0.1:5005 took 1234567 ms"
    assert redact_text(line) == line


def test_rasa_structlog_fields_are_blanked() -> None:
    """Rasa's REST channel logs the message ``text`` of a failed turn through structlog."""
    import structlog

    install_for_server()
    stream = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    try:
        install_for_server()  # Rasa configures structlog before building the tracker store
        structlog.get_logger().error("rest.message.received.failure", text=TEXT, sender=LINE_ID)
    finally:
        uninstall()
        structlog.reset_defaults()
    output = stream.getvalue()
    assert TEXT not in output and LINE_ID not in output
    assert "rest.message.received.failure" in output


def test_rasa_structured_tracebacks_carry_no_local_variables() -> None:
    """Rasa's JSON logging renders a failed turn's traceback with every frame's local variables
    (the message text, the sender id): the frames and the exception type stay, the locals go."""
    import structlog

    stream = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    try:
        install_for_server()

        def failing_turn(text: str, sender_id: str) -> None:
            raise RuntimeError("lock")

        try:
            failing_turn(TEXT, LINE_ID)
        except RuntimeError:
            structlog.get_logger().exception("rest.message.received.failure")
    finally:
        uninstall()
        structlog.reset_defaults()
    output = stream.getvalue()
    assert TEXT not in output and LINE_ID not in output
    assert "failing_turn" in output and "RuntimeError" in output
