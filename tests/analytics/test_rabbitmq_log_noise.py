"""What on-call staff read in the log when RabbitMQ goes away: the broker's own lines, not
asyncio's tracebacks of the connection error aiormq leaves behind (bot.analytics.rabbitmq_broker).

When RabbitMQ dies with a publish in flight, aiormq hands the connection error to that
publish (the broker keeps its events and logs the outage) and leaves a copy in an internal
future nobody awaits; asyncio logs it at ERROR with a traceback when the future is collected.
The outage test cannot make that moment happen at will, so this test makes the same object: a
real connection error raised inside aiormq, left in a future nobody reads.
"""

from __future__ import annotations

import asyncio
import logging

import aiormq
import pytest

from bot.analytics.rabbitmq_broker import DegradingPikaEventBroker


async def _aiormq_connection_error() -> ConnectionError:
    try:
        await aiormq.connect("amqp://guest:guest@127.0.0.1:1/")  # nothing listens on port 1
    except ConnectionError as error:
        return error
    raise AssertionError("something answered on port 1")


def _orphan(error: BaseException) -> None:
    """What asyncio does when a future holding ``error`` is dropped unread (``Future.__del__``),
    done here at once rather than whenever the garbage collector gets to it."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    future.set_exception(error)
    loop.call_exception_handler(
        {"message": "Future exception was never retrieved", "exception": error, "future": future}
    )
    future.exception()  # read: the future itself logs nothing more


async def test_aiormq_connection_errors_nobody_awaited_are_not_logged_other_orphans_are(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After the broker is made, an orphaned connection error from aiormq logs nothing; the
    same kind of error from elsewhere, and any other never-retrieved exception, still log:
    a real bug must not disappear with the noise."""
    DegradingPikaEventBroker(
        "127.0.0.1", "guest", "guest", queues=["q"], event_loop=asyncio.get_running_loop()
    )
    from_aiormq = await _aiormq_connection_error()
    from_elsewhere = ConnectionResetError(104, "Connection reset by peer")
    a_bug = ValueError("a real bug")
    caplog.set_level(logging.ERROR, logger="asyncio")
    for error in (from_aiormq, from_elsewhere, a_bug):
        _orphan(error)
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert logged == [from_elsewhere, a_bug]
