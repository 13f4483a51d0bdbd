"""Log redaction for every process that handles a resident's words.

Our own log calls never pass a message text, contact value or raw LINE user id (they log
counts, references, ``type(error).__name__``). The processes also run Rasa's and rasa-sdk's
code, which do: a failing custom action makes the action server answer 500 with the whole
request body (the tracker: every message, the phone number) and Rasa logs that body inside the
exception it raises; Rasa's REST channel logs the message ``text`` when a turn fails; tracebacks
carry whatever an exception message holds. None of that is configurable, so redaction sits
where every log line passes, once per server process (``install_for_server``):

* the standard ``logging`` record factory: each record's message is rendered once and
  scrubbed — LINE user ids become a short hash (``line:…``, the same one the LINE channel logs),
  phone numbers and e-mail addresses are replaced; a traceback keeps its frames and exception
  types but drops exception messages, except those of error types whose messages describe the
  system (connections, files, database errors with parameters hidden);
* Rasa's structlog pipeline: the fields Rasa itself lists as personal (``text``, ``message``,
  ``slot_values``…) are blanked before rendering.

It is a safety net, not a licence: consultation text cannot be recognised by its shape, so the
rule for our code stays "never log it", and Rasa must not run with ``--debug`` in production
(its debug lines quote messages in free text).

Who calls ``install_for_server`` — each server's start, never a plain import, because changing
a process's logging is a surprise anywhere else (tests, tools, the console):

* **Rasa**: ``bot.trackers.store.PrivateSQLTrackerStore``, the tracker store both endpoints
  files name (see there why that is the hook);
* **the action server**: the rasa-sdk plugin the ``actions`` package registers; rasa-sdk calls
  it only when it starts serving.

Both log one line (``REDACTION_ON``) so that an operator can check a server's log for it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import traceback
from collections.abc import Callable, MutableMapping
from typing import Any

HIDDEN = "[非表示]"
MESSAGE_HIDDEN = "(message hidden: it may contain personal data)"

LINE_USER_ID = re.compile(r"(?<![0-9A-Za-z])U[0-9a-f]{32}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A Japanese phone number: 0 (or +81) and 9–10 more digits, ASCII or full-width, with optional
# hyphens, dashes, spaces or brackets between groups; the digit count is checked in ``_phone``.
_DIGIT = "[0-9０-９]"
_SEPARATOR = r"[-‐－ー−–—()（） ]"
PHONE = re.compile(
    rf"(?<![0-9A-Za-z０-９.:])(?:\+81{_SEPARATOR}?|[0０]){_DIGIT}(?:{_SEPARATOR}?{_DIGIT}){{7,11}}"
    r"(?![0-9A-Za-z０-９])"
)

# Fields of Rasa's structured log events that hold a resident's words or the tracker
# (rasa/utils/log_utils.py lists them for its own, commercial, anonymizer), and the sender.
STRUCTLOG_FIELDS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "sender_id",
        "request_body",
    }
)


def hash_user_id(user_id: str) -> str:
    """The pseudonym logs use for a LINE user id: correlatable, not reversible by lookup."""
    return "line:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:10]


def _phone(match: re.Match[str]) -> str:
    digits = sum(character.isdigit() for character in match.group(0))
    return HIDDEN if 10 <= digits <= 13 else match.group(0)


def redact_text(text: str) -> str:
    """Scrub what can be recognised by its shape: LINE user ids, phone numbers, e-mails."""
    text = LINE_USER_ID.sub(lambda match: hash_user_id(match.group(0)), text)
    text = EMAIL.sub(HIDDEN, text)
    return PHONE.sub(_phone, text)


def _message_is_safe(error: BaseException) -> bool:
    """Errors whose messages describe the system, not a resident (kept, still scrubbed)."""
    if isinstance(error, (OSError, TimeoutError)):
        return True
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(error, sqlalchemy_exc.DBAPIError):
        return bool(getattr(error, "hide_parameters", False))
    return False


def redacted_traceback(error: BaseException) -> str:
    """The traceback of ``error`` and its causes: frames and types, messages only if safe."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    parts: list[str] = []
    for exception, link in reversed(chain):
        lines = ["Traceback (most recent call last):\n"] if exception.__traceback__ else []
        lines += traceback.format_tb(exception.__traceback__)
        name = f"{type(exception).__module__}.{type(exception).__qualname__}"
        message = redact_text(str(exception)) if _message_is_safe(exception) else MESSAGE_HIDDEN
        lines.append(f"{name}: {message}\n")
        parts.append("".join(lines))
        if link == "cause":
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
            )
        elif link == "context":
            parts.append(
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
    return "".join(parts).rstrip("\n")


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render, scrub and freeze a record's message; replace its traceback with the redacted one."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not break logging
        message = str(record.msg)
    record.msg = redact_text(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redacted_traceback(record.exc_info[1])
        record.exc_info = None
    return record


def _redact_structlog_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Structlog processor: blank the personal fields, hide exception values, scrub the rest."""
    for key in list(event_dict):
        if key in STRUCTLOG_FIELDS:
            event_dict[key] = HIDDEN
    error = event_dict.pop("exc_info", None)
    if error is True:
        error = sys.exc_info()[1]
    elif isinstance(error, tuple):
        error = error[1]
    if isinstance(error, BaseException):
        event_dict["exception"] = redacted_traceback(error)
    elif isinstance(event_dict.get("exception"), list):  # already rendered by dict_tracebacks
        for frame_set in event_dict["exception"]:
            if not isinstance(frame_set, dict):
                continue
            if "exc_value" in frame_set:
                frame_set["exc_value"] = MESSAGE_HIDDEN
            # structlog renders each frame's local variables (the turn's text, the sender).
            for frame in frame_set.get("frames") or []:
                if isinstance(frame, dict):
                    frame.pop("locals", None)
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = redact_text(value)
    return event_dict


_previous_factory: Callable[..., logging.LogRecord] | None = None

REDACTION_ON = "Log redaction on: personal data is hidden in this process's log lines"


def install_for_server() -> None:
    """Redact every log record this process creates from now on.

    Idempotent: a second call only re-hooks structlog (which Rasa may have configured since)
    and logs nothing.
    """
    global _previous_factory
    if _previous_factory is None:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _previous_factory = previous
        logging.getLogger(__name__).info(REDACTION_ON)
    _install_structlog()


def is_installed() -> bool:
    """Whether ``install_for_server`` is in effect in this process."""
    return _previous_factory is not None


def uninstall() -> None:
    """Undo ``install_for_server`` (tests share one process with other tests)."""
    global _previous_factory
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config()["processors"]
    while isinstance(processors, list) and _redact_structlog_event in processors:
        processors.remove(_redact_structlog_event)


def _install_structlog() -> None:
    """Put the structlog processor just before the renderer of Rasa's pipeline.

    In place on the configured list: structlog loggers already used (and cached) keep a
    reference to that very list, so a new ``configure`` would miss them.
    """
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config()["processors"]
    if isinstance(processors, list) and _redact_structlog_event not in processors:
        processors.insert(max(len(processors) - 1, 0), _redact_structlog_event)
