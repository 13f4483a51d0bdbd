"""Error pages in plain Japanese for the console, JSON errors for the API.

Turning every HTTP error into a page we render ourselves keeps aiohttp's default bodies (and
any exception detail) away from staff and clients: an out-of-scope ticket and an unknown one
produce byte-identical 404 responses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.console.render import render
from bot.privacy.logs import redacted_traceback

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIX = "/api/"

MESSAGES = {
    400: "リクエストの内容が正しくありません。",
    403: "この操作は許可されていません。",
    404: "ページが見つかりません。",
    405: "この方法では操作できません。",
}
API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return await _error_response(request, error.status, error.text, error.headers)
    except Exception as error:
        # The type and the frames tell the administrator what failed and where; the message
        # may quote a resident (a phone number, their words), so it is left out, as are locals.
        log.error(
            "unhandled %s on %s %s\n%s",
            type(error).__name__,
            request.method,
            request.path,
            redacted_traceback(error),
        )
        return await _error_response(request, 500, None, None)


async def _error_response(
    request: web.Request, status: int, text: str | None, headers: Mapping[str, str] | None
) -> web.StreamResponse:
    message = MESSAGES.get(status, "エラーが発生しました。時間をおいてもう一度お試しください。")
    # Our handlers raise with a Japanese text; aiohttp's own defaults ("404: Not Found") are
    # replaced by the generic message.
    if text and not text[:1].isdigit():
        message = text
    if request.path.startswith(API_PREFIX):
        response: web.StreamResponse = web.json_response(
            {"error": API_CODES.get(status, "error"), "message": message}, status=status
        )
    else:
        context = {"status": status, "message": message}
        response = await render(request, "error.html", context, status=status)
    if headers is not None and "Allow" in headers:  # 405 must say what is allowed
        response.headers["Allow"] = headers["Allow"]
    return response
